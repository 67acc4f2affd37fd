package org.rupture.pipeline.stats.meta;

/**
 * Solves Q(tau^2) = target for the generalised Q statistic Q(tau^2) = sum(w_i (y_i - mu)^2) with
 * w_i = 1/(v_i + tau^2) and mu the w-weighted mean: the Paule-Mandel estimator (target k - 1) and the
 * Q-profile confidence interval of tau^2 (Viechtbauer 2007; targets are chi-square quantiles).
 *
 * <p>Q is decreasing and convex in tau^2 (it is the minimum over mu of a function jointly convex in mu
 * and tau^2), with derivative -sum(w_i^2 (y_i - mu)^2). Newton's method started at 0 therefore climbs
 * monotonically to the unique root without overshooting, however far away it is; this replaces
 * metafor's {@code uniroot} on a bounded interval [0, tau2.max] and so also finds roots beyond
 * metafor's default tau2.max (100, or 10 tau^2 in confint), where metafor stops or reports the bound.
 */
final class GeneralisedQ {
  /** Relative step size (to tau^2 + mean v_i) at which the root counts as found. */
  private static final double RELATIVE_TOLERANCE = 1e-15;
  /** Newton from the left at most doubles tau^2 per step while far from the root, then converges fast. */
  private static final int MAX_ITERATIONS = 2000;

  private GeneralisedQ() {}

  /**
   * The tau^2 >= 0 at which Q(tau^2) equals {@code target}, or 0 when Q(0) is already below it (as
   * metafor: the estimate, or the interval bound, is truncated at 0).
   */
  static double solve(StudyEffects studies, double target) {
    StudyEffects.WeightedSums sums = studies.weighted(0);
    if (sums.rss() <= target) {
      return 0;
    }
    double tau2 = 0;
    for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      double step = (sums.rss() - target) / sums.sumW2R2();
      if (!(step > 0)) {
        return tau2; // at the root up to rounding: Q(tau2) <= target
      }
      tau2 += step;
      if (step <= RELATIVE_TOLERANCE * (tau2 + studies.meanVariance())) {
        return tau2;
      }
      sums = studies.weighted(tau2);
    }
    throw new MetaAnalysisException("Solving Q(tau^2) = " + target + " did not converge in "
        + MAX_ITERATIONS + " Newton steps (k = " + studies.k() + "); the effect sizes may be on an extreme"
        + " scale compared with their sampling variances.");
  }
}
