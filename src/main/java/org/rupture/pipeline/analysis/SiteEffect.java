package org.rupture.pipeline.analysis;

import org.rupture.pipeline.stats.EffectEstimate;

/**
 * One row of {@code results/site_effects}: an analysis's effect at one site.
 *
 * @param key            analysis, rater, measure
 * @param site           site name
 * @param effectType     r, r_rm, md or smd
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
}
