package org.rupture.pipeline.stats;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * The few distribution functions the effect sizes and models need, with R's conventions: two-sided
 * p-values from the lower tail (so tiny p-values keep their digits) and 95% quantiles.
 */
public final class Distributions {
  /** R {@code qnorm(0.975)}. */
  public static final double Z_975 = standardNormal().inverseCumulativeProbability(0.975);

  /** qt is found by a root finder; R's own accuracy is far below this default of 1e-9. */
  private static final double T_QUANTILE_ACCURACY = 1e-14;

  private Distributions() {}

  /** Two-sided p-value of a z statistic, R {@code 2 * pnorm(-abs(z))}. */
  public static double twoSidedNormalP(double z) {
    return 2.0 * standardNormal().cumulativeProbability(-Math.abs(z));
  }

  /** Two-sided p-value of a t statistic, R {@code 2 * pt(-abs(t), df)}. */
  public static double twoSidedTP(double t, double df) {
    return 2.0 * t(df).cumulativeProbability(-Math.abs(t));
  }

  /** R {@code qt(0.975, df)}. */
  public static double t975(double df) {
    return t(df).inverseCumulativeProbability(0.975);
  }

  private static TDistribution t(double df) {
    // a null random generator: these distributions are never sampled, and seeding one is costly
    return new TDistribution(null, df, T_QUANTILE_ACCURACY);
  }

  private static NormalDistribution standardNormal() {
    return new NormalDistribution(null, 0.0, 1.0, NormalDistribution.DEFAULT_INVERSE_ABSOLUTE_ACCURACY);
  }
}
