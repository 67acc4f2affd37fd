package org.rupture.pipeline.analysis;

import java.util.function.Supplier;
import org.rupture.pipeline.features.FeatureCatalog;
import org.rupture.pipeline.stats.EffectEstimate;
import org.rupture.pipeline.stats.StatisticsException;

/**
 * One row of {@code results/site_effects}: an analysis's effect at one site.
 *
 * @param key            analysis, rater, measure
 * @param site           site name
 * @param effectType     r, r_rm, md, smd or log_or (retention: the per-site log odds ratio, {@link SiteOddsRatios})
 * @param n              patients counted against {@code min_site_n} (SPEC 7)
 * @param groupSizes     for two-group comparisons the sizes {n1 (arm), n2 (comparison)}, else null
 * @param estimate       the effect, or null where it cannot be computed (e.g. zero variance)
 * @param excludedReason why the site is left out of pooling, or null when it is pooled
 */
public record SiteEffect(EffectKey key, String site, String effectType, long n, long[] groupSizes,
    EffectEstimate estimate, String excludedReason) {

  /** True when the site enters pooling. */
  public boolean pooled() {
    return excludedReason == null && estimate != null;
  }

  /**
   * Computes a site's effect. The site is excluded when it has no patient for the analysis
   * ({@code noPatient} is the reason, saying what none has), fewer than {@code minSiteN} patients or when
   * the statistic cannot be computed (too few rows, zero variance, ...: the statistic's own message
   * becomes the reason); an estimate that can be computed is kept even for an excluded site.
   */
  static SiteEffect compute(SiteMoments m, String effectType, long n, long[] groupSizes, int minSiteN,
      String noPatient, Supplier<EffectEstimate> statistic) {
    String reason = n == 0 ? noPatient : n < minSiteN ? "n=" + n + " below min_site_n=" + minSiteN : null;
    EffectEstimate estimate = null;
    try {
      estimate = statistic.get();
    } catch (StatisticsException e) {
      // below min_site_n and not computable either: both, so that the blank estimate is explained
      reason = reason != null && n > 0 ? reason + "; " + e.getMessage() : reason != null ? reason : e.getMessage();
    }
    return new SiteEffect(m.key(), m.site(), effectType, n, groupSizes, estimate, reason);
  }

  /** This effect excluded for {@code reason} instead of its own. */
  SiteEffect excludedFor(String reason) {
    return new SiteEffect(key, site, effectType, n, groupSizes, estimate, reason);
  }

  /** A variable as excluded reasons name it: the improvement with its outcome measure ({@code improvement on IIP}). */
  static String variable(String name, EffectKey key) {
    return name.equals(FeatureCatalog.IMPROVEMENT) && key.measure() != null ? name + " on " + key.measure() : name;
  }
}
