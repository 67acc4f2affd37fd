package org.rupture.pipeline.analysis;

/**
 * One row of {@code results/evidence}: what the pooled cohort says about a published claim
 * (literature.md, "Supporting vs. contrasting evidence").
 *
 * @param pooled              the pooled effect the verdict is about
 * @param verdict             {@link #SUPPORTS}, {@link #CONTRASTS}, {@link #INCONCLUSIVE} or {@link #NOT_POOLED}
 * @param published           the published effect compared with, or null when the claim gives none
 * @param comparableEstimate  pooled estimate on the published effect's scale (NaN without one)
 * @param comparableCiLower   its lower 95% bound
 * @param comparableCiUpper   its upper 95% bound
 * @param compatible          whether the pooled and published intervals overlap; null without a published
 *                            effect or a pooled estimate
 */
public record Evidence(PooledEffect pooled, String verdict, PublishedEffect published, double comparableEstimate,
    double comparableCiLower, double comparableCiUpper, Boolean compatible) {
  /** Same direction as claimed and the interval excludes zero. */
  public static final String SUPPORTS = "supports";
  /** Opposite direction and the interval excludes zero. */
  public static final String CONTRASTS = "contrasts";
  /** The interval includes zero. */
  public static final String INCONCLUSIVE = "inconclusive";
  /** Not pooled: too few sites, no site with data, or a failed fit (the pooled row's note says which). */
  public static final String NOT_POOLED = "not pooled";
}
