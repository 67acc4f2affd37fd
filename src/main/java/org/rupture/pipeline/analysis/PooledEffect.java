package org.rupture.pipeline.analysis;

import org.rupture.pipeline.stats.meta.MetaAnalysisResult;
import org.rupture.pipeline.stats.meta.ReportingScale;

/**
 * One row of {@code results/pooled}: the random-effects pooling of one analysis x rater x measure over its
 * included sites.
 *
 * @param key         analysis, rater, measure
 * @param spec        the analysis
 * @param effectType  effect_type of the pooled site effects: the kind's (r, r_rm, md, smd) or log_or (the
 *                    retention kind's per-site log odds ratios)
 * @param scale       the scale estimates are reported on (r for Fisher-z pooled correlations, OR for log_or)
 * @param k           sites pooled
 * @param nTotal      patients over the pooled sites
 * @param groupTotals for two-group comparisons {n1, n2} summed over the pooled sites, else null
 * @param result      the meta-analysis on the yi scale, or null when it was not pooled
 * @param notPooled   why it was not pooled (too few sites, a failed fit), else null
 */
public record PooledEffect(EffectKey key, AnalysisSpec spec, String effectType, ReportingScale scale, int k,
    long nTotal, long[] groupTotals, MetaAnalysisResult result, String notPooled) {

  /** A pooled effect of the kind's own effect type, on its reporting scale. */
  public PooledEffect(EffectKey key, AnalysisSpec spec, int k, long nTotal, long[] groupTotals,
      MetaAnalysisResult result, String notPooled) {
    this(key, spec, spec.kind().effectType(), spec.kind().reportingScale(), k, nTotal, groupTotals, result, notPooled);
  }

  /** Pooled estimate on the reporting scale (NaN when not pooled). */
  public double estimate() {
    return result == null ? Double.NaN : scale().apply(result.estimate());
  }

  /** Lower 95% confidence bound on the reporting scale. */
  public double ciLower() {
    return result == null ? Double.NaN : scale().apply(result.ciLower());
  }

  /** Upper 95% confidence bound on the reporting scale. */
  public double ciUpper() {
    return result == null ? Double.NaN : scale().apply(result.ciUpper());
  }

  /** Lower 95% prediction bound on the reporting scale. */
  public double piLower() {
    return result == null ? Double.NaN : scale().apply(result.piLower());
  }

  /** Upper 95% prediction bound on the reporting scale. */
  public double piUpper() {
    return result == null ? Double.NaN : scale().apply(result.piUpper());
  }

  /**
   * Direction the pooled confidence interval shows on the yi scale: +1 or -1 when it excludes zero (for log_or:
   * the OR interval excludes 1), 0 otherwise.
   */
  public int direction() {
    if (result == null) {
      return 0;
    }
    return result.ciLower() > 0 ? 1 : result.ciUpper() < 0 ? -1 : 0;
  }
}
