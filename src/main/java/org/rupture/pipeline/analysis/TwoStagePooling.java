package org.rupture.pipeline.analysis;

import java.util.ArrayList;
import java.util.List;
import org.rupture.pipeline.stats.meta.LeaveOneOut;
import org.rupture.pipeline.stats.meta.MetaAnalysisException;
import org.rupture.pipeline.stats.meta.RandomEffectsModel;
import org.rupture.pipeline.stats.meta.ReportingScale;
import org.rupture.pipeline.stats.meta.SignificanceTest;
import org.rupture.pipeline.stats.meta.TauEstimator;

/** Second stage: random-effects pooling of one analysis x rater x measure's site effects, and leave-one-out. */
final class TwoStagePooling {
  /** A between-site variance needs at least two sites. */
  static final int MIN_SITES = 2;
  /**
   * Leave-one-out from two sites on, as metafor's leave1out and the {@code meta} command do: of two sites, each
   * fit is the other site's own effect, which shows how far the pooled estimate rests on either.
   */
  static final int MIN_SITES_LEAVE_ONE_OUT = 2;
  /** How the note of an effect no site has a patient for begins. */
  static final String NO_SITE_HAS_DATA = "no site has data: ";

  private final RandomEffectsModel model;

  TwoStagePooling(TauEstimator method, SignificanceTest test) {
    this.model = new RandomEffectsModel(method, test);
  }

  /** Pools the included sites of {@code siteEffects} (all of one key, one per site in the data) of the kind's effect type. */
  PooledEffect pool(EffectKey key, AnalysisSpec spec, List<SiteEffect> siteEffects) {
    return pool(key, spec, spec.kind().effectType(), spec.kind().reportingScale(), siteEffects);
  }

  /**
   * Pools the included sites of {@code siteEffects} (all of one key and effect type, one per site in the data),
   * reported on {@code scale}.
   */
  PooledEffect pool(EffectKey key, AnalysisSpec spec, String effectType, ReportingScale scale,
      List<SiteEffect> siteEffects) {
    List<SiteEffect> pooled = siteEffects.stream().filter(SiteEffect::pooled).toList();
    long nTotal = pooled.stream().mapToLong(SiteEffect::n).sum();
    long[] groupTotals = null;
    if (pooled.stream().allMatch(e -> e.groupSizes() != null)) {
      groupTotals = new long[] {pooled.stream().mapToLong(e -> e.groupSizes()[0]).sum(),
          pooled.stream().mapToLong(e -> e.groupSizes()[1]).sum()};
    }
    if (siteEffects.isEmpty()) {
      return new PooledEffect(key, spec, effectType, scale, 0, 0, groupTotals, null, "no site in the data");
    }
    if (siteEffects.stream().allMatch(e -> e.n() == 0)) {
      // not one patient anywhere (e.g. a rater no site rated, a measure no site delivered): say what is missing
      return new PooledEffect(key, spec, effectType, scale, 0, 0, groupTotals, null, noSiteHasData(spec, key, siteEffects));
    }
    if (siteEffects.size() < MIN_SITES) {
      // too few sites at all, excluded or not: no excluded_reason explains it
      return new PooledEffect(key, spec, effectType, scale, pooled.size(), nTotal, groupTotals, null, "only " + siteEffects.size()
          + " site in the data; pooling needs at least " + MIN_SITES);
    }
    if (pooled.size() < MIN_SITES) {
      return new PooledEffect(key, spec, effectType, scale, pooled.size(), nTotal, groupTotals, null, pooled.size() + " site(s) could be"
          + " pooled, at least " + MIN_SITES + " are needed (see excluded_reason in site_effects)");
    }
    try {
      return new PooledEffect(key, spec, effectType, scale, pooled.size(), nTotal, groupTotals, model.fit(yi(pooled), vi(pooled)), null);
    } catch (MetaAnalysisException e) {
      return new PooledEffect(key, spec, effectType, scale, pooled.size(), nTotal, groupTotals, null, e.getMessage());
    }
  }

  /**
   * The note of an effect no site has a patient for: {@code no site has data: } and what no site has, the
   * sites' common excluded_reason, or the kind's when their reasons differ.
   */
  static String noSiteHasData(AnalysisSpec spec, EffectKey key, List<SiteEffect> siteEffects) {
    List<String> reasons = siteEffects.stream().map(SiteEffect::excludedReason).distinct().toList();
    return NO_SITE_HAS_DATA + (reasons.size() == 1 && reasons.get(0) != null ? reasons.get(0)
        : spec.kind().noPatientReason(spec, key));
  }

  /** Leave-one-site-out re-estimates of a pooled effect (none when it has too few sites). */
  List<LeaveOneOutEffect> leaveOneOut(PooledEffect pooledEffect, List<SiteEffect> siteEffects) {
    List<SiteEffect> pooled = siteEffects.stream().filter(SiteEffect::pooled).toList();
    List<LeaveOneOutEffect> out = new ArrayList<>();
    if (pooledEffect.result() == null || pooled.size() < MIN_SITES_LEAVE_ONE_OUT) {
      return out;
    }
    for (LeaveOneOut result : model.leaveOneOut(yi(pooled), vi(pooled))) {
      out.add(new LeaveOneOutEffect(pooledEffect, pooled.get(result.omitted()).site(), result));
    }
    return out;
  }

  private static double[] yi(List<SiteEffect> effects) {
    return effects.stream().mapToDouble(e -> e.estimate().yi()).toArray();
  }

  private static double[] vi(List<SiteEffect> effects) {
    return effects.stream().mapToDouble(e -> e.estimate().vi()).toArray();
  }
}
