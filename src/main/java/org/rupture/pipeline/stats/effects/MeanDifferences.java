package org.rupture.pipeline.stats.effects;

import org.apache.commons.math3.special.Gamma;
import org.rupture.pipeline.stats.Distributions;
import org.rupture.pipeline.stats.EffectEstimate;
import org.rupture.pipeline.stats.StatisticsException;

/** Paired mean differences and standardised mean differences from group means, SDs and sizes. */
public final class MeanDifferences {
  private MeanDifferences() {}

  /**
   * Paired difference from the mean and SD of the differences, as R {@code t.test(paired = TRUE)}:
   * t = mean/(sd/sqrt(n)) with n-1 df, 95% CI mean +- qt(.975, n-1) sd/sqrt(n); yi = mean,
   * vi = sd^2/n. Effect type {@code md}.
   *
   * @throws StatisticsException when n &lt; 2 or the differences have zero variance
   */
  public static EffectEstimate paired(long n, double mean, double sd) {
    if (n < 2) {
      throw new StatisticsException("paired difference needs at least 2 pairs, got " + n);
    }
    if (!(sd > 0.0)) {
      throw new StatisticsException("paired difference has no t test: all " + n + " differences are equal");
    }
    double vi = sd * sd / n;
    double se = Math.sqrt(vi);
    double df = n - 1;
    double half = Distributions.t975(df) * se;
    double p = Distributions.twoSidedTP(mean / se, df);
    return new EffectEstimate("md", n, mean, se, mean - half, mean + half, p, mean, vi);
  }

  /**
   * Hedges' g of group 1 minus group 2 and its variance exactly as R
   * {@code metafor::escalc(measure = "SMD")} with the default {@code vtype = "LS"}:
   * g = c(m) (mean1 - mean2)/sd_pooled with m = n1 + n2 - 2 and
   * c(m) = exp(lgamma(m/2) - log(sqrt(m/2)) - lgamma((m-1)/2)); vi = 1/n1 + 1/n2 + g^2/(2 (n1 + n2)).
   * 95% CI g +- qnorm(.975) sqrt(vi) and a two-sided z test, as {@code summary(escalc(...))}.
   * Effect type {@code smd}.
   *
   * @throws StatisticsException when a group has fewer than 2 patients or the pooled SD is zero
   */
  public static EffectEstimate hedgesG(long n1, double mean1, double sd1, long n2, double mean2, double sd2) {
    if (n1 < 2 || n2 < 2) {
      throw new StatisticsException("standardised mean difference needs at least 2 patients in each group, got "
          + n1 + " and " + n2);
    }
    double m = n1 + n2 - 2;
    double pooledSd = Math.sqrt(((n1 - 1) * sd1 * sd1 + (n2 - 1) * sd2 * sd2) / m);
    if (!(pooledSd > 0.0)) {
      throw new StatisticsException("standardised mean difference is undefined: the pooled SD is zero "
          + "(all values within each group are equal)");
    }
    double correction = Math.exp(Gamma.logGamma(m / 2) - Math.log(Math.sqrt(m / 2)) - Gamma.logGamma((m - 1) / 2));
    double g = correction * (mean1 - mean2) / pooledSd;
    double vi = 1.0 / n1 + 1.0 / n2 + g * g / (2.0 * (n1 + n2));
    double se = Math.sqrt(vi);
    double half = Distributions.Z_975 * se;
    return new EffectEstimate("smd", n1 + n2, g, se, g - half, g + half,
        Distributions.twoSidedNormalP(g / se), g, vi);
  }

  /** Point-biserial r from Hedges' g: r = g / sqrt(g^2 + (n1 + n2)^2/(n1 n2)). */
  public static double gToR(double g, long n1, long n2) {
    double total = n1 + n2;
    return g / Math.sqrt(g * g + total * total / ((double) n1 * n2));
  }
}
