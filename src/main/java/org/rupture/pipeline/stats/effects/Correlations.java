package org.rupture.pipeline.stats.effects;

import org.rupture.pipeline.stats.Distributions;
import org.rupture.pipeline.stats.EffectEstimate;
import org.rupture.pipeline.stats.StatisticsException;

/**
 * Pearson and repeated-measures correlations from centred sums of squares and cross-products, so
 * that the sums can be aggregated anywhere (per site, per patient) and combined here.
 */
public final class Correlations {
  private Correlations() {}

  /**
   * Pearson r from n and the centred sums Sxx, Syy, Sxy, as R {@code cor.test}: p from
   * t = r sqrt((n-2)/(1-r^2)) with n-2 df; 95% CI tanh(atanh(r) +- qnorm(.975)/sqrt(n-3));
   * yi = atanh(r), vi = 1/(n-3). Effect type {@code r}.
   *
   * @throws StatisticsException when n &lt; 4, a variable has zero variance or |r| = 1
   */
  public static EffectEstimate pearson(long n, double sxx, double syy, double sxy) {
    if (n < 4) {
      throw new StatisticsException(
          "Pearson correlation needs at least 4 complete pairs (its confidence interval uses n - 3), got " + n);
    }
    double r = correlation("Pearson correlation", sxx, syy, sxy);
    return fromFisherZ("r", n, r, n - 2, n - 3);
  }

  /**
   * Repeated-measures correlation (Bakdash &amp; Marusich 2017, R package rmcorr) from sums over all
   * rows of x and y centred on each patient's own mean: r_rm = Sxy/sqrt(Sxx Syy), df = N - k - 1;
   * p from t = r sqrt(df/(1-r^2)) with df; CI on Fisher z with variance 1/(df-1);
   * yi = atanh(r), vi = 1/(df-1). Effect type {@code r_rm}.
   *
   * @param nRows N, the rows of all contributing patients
   * @param nPatients k, the contributing patients
   * @throws StatisticsException when df &lt; 2, a variable has no within-patient variance or |r| = 1
   */
  public static EffectEstimate repeatedMeasures(
      long nRows, long nPatients, double sxx, double syy, double sxy) {
    if (nPatients < 1) {
      throw new StatisticsException("repeated-measures correlation needs at least 1 patient, got " + nPatients);
    }
    long df = nRows - nPatients - 1;
    if (df < 2) {
      throw new StatisticsException("repeated-measures correlation needs N - k - 1 >= 2 (its confidence "
          + "interval uses df - 1), got N = " + nRows + " rows from k = " + nPatients + " patients");
    }
    double r = correlation("repeated-measures correlation (within-patient)", sxx, syy, sxy);
    return fromFisherZ("r_rm", nRows, r, df, df - 1);
  }

  /** atanh(r). */
  public static double fisherZ(double r) {
    return 0.5 * Math.log((1.0 + r) / (1.0 - r));
  }

  /** tanh(z). */
  public static double inverseFisherZ(double z) {
    return Math.tanh(z);
  }

  private static double correlation(String what, double sxx, double syy, double sxy) {
    if (!(sxx > 0.0) || !(syy > 0.0)) {
      throw new StatisticsException(what + " is undefined: "
          + (!(sxx > 0.0) ? "the predictor" : "the outcome") + " has zero variance");
    }
    double r = sxy / Math.sqrt(sxx * syy);
    if (!(Math.abs(r) < 1.0)) {
      throw new StatisticsException(what + " is " + r
          + ": a perfect correlation has no standard error (check for duplicated or derived variables)");
    }
    return r;
  }

  /** t test with tDf degrees of freedom; Fisher-z CI and pooling variance 1/zDenominator. */
  private static EffectEstimate fromFisherZ(String type, long n, double r, long tDf, long zDenominator) {
    double t = r * Math.sqrt(tDf / (1.0 - r * r));
    double p = Distributions.twoSidedTP(t, tDf);
    double z = fisherZ(r);
    double vi = 1.0 / zDenominator;
    double se = Math.sqrt(vi);
    double half = Distributions.Z_975 * se;
    return new EffectEstimate(type, n, r, se, inverseFisherZ(z - half), inverseFisherZ(z + half), p, z, vi);
  }
}
