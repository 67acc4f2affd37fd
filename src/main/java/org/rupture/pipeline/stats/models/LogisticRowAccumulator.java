package org.rupture.pipeline.stats.models;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Sums one IRLS step of binomial logistic regression over rows, at fixed coefficients beta: with
 * eta = x'beta, mu = 1/(1 + exp(-eta)) and working weight w = mu(1 - mu), a row adds w x x' to X'WX,
 * (w eta + y - mu) x to X'Wz (the working response z = eta + (y - mu)/w, multiplied out so that tiny
 * weights lose no digits) and its deviance -2[y log mu + (1 - y) log(1 - mu)]. Accumulators of
 * disjoint rows {@link #merge}; serializable so that distributed engines can ship partial sums.
 */
public final class LogisticRowAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;

  private final double[] beta;
  private final double[][] xtwx;
  private final double[] xtwz;
  private double deviance;
  private long n;

  public LogisticRowAccumulator(double[] beta) {
    this.beta = beta.clone();
    this.xtwx = new double[beta.length][beta.length];
    this.xtwz = new double[beta.length];
  }

  /**
   * Adds one row.
   *
   * @param x the row's design values, in coefficient order
   * @param y the response, 0 or 1
   */
  public LogisticRowAccumulator add(double[] x, double y) {
    if (x.length != beta.length) {
      throw new IllegalArgumentException("row has " + x.length + " design values, the model has " + beta.length);
    }
    if (y != 0.0 && y != 1.0) {
      throw new IllegalArgumentException("logistic regression needs a 0/1 response, got " + y);
    }
    double eta = 0.0;
    for (int j = 0; j < x.length; j++) {
      eta += x[j] * beta[j];
    }
    double mu = mean(eta);
    double w = weight(mu);
    double workingTimesWeight = workingTimesWeight(eta, mu, y);
    for (int j = 0; j < x.length; j++) {
      xtwz[j] += x[j] * workingTimesWeight;
      for (int k = 0; k <= j; k++) {
        xtwx[j][k] += w * x[j] * x[k];
      }
    }
    deviance += deviance(eta, y);
    n++;
    return this;
  }

  /** The mean at linear predictor {@code eta}: 1 / (1 + exp(-eta)). */
  public static double mean(double eta) {
    return 1.0 / (1.0 + Math.exp(-eta));
  }

  /** The working weight at mean {@code mu}: mu (1 - mu). */
  public static double weight(double mu) {
    return mu * (1.0 - mu);
  }

  /** w z with the working response z = eta + (y - mu) / w multiplied out, so tiny weights lose no digits. */
  public static double workingTimesWeight(double eta, double mu, double y) {
    return weight(mu) * eta + (y - mu);
  }

  /** A 0/1 row's deviance -2 [y log mu + (1 - y) log(1 - mu)], in log1p form so that no term overflows. */
  public static double deviance(double eta, double y) {
    // -2 log(mu) = 2 log(1 + exp(-eta)), -2 log(1 - mu) = 2 log(1 + exp(eta))
    double signedEta = y == 1.0 ? -eta : eta;
    return 2.0 * (signedEta > 0 ? signedEta + Math.log1p(Math.exp(-signedEta)) : Math.log1p(Math.exp(signedEta)));
  }

  /** Adds another accumulator's rows (same coefficients) to this one. */
  public LogisticRowAccumulator merge(LogisticRowAccumulator other) {
    if (!Arrays.equals(beta, other.beta)) {
      throw new IllegalArgumentException("cannot merge IRLS sums taken at different coefficients");
    }
    for (int j = 0; j < beta.length; j++) {
      xtwz[j] += other.xtwz[j];
      for (int k = 0; k <= j; k++) {
        xtwx[j][k] += other.xtwx[j][k];
      }
    }
    deviance += other.deviance;
    n += other.n;
    return this;
  }

  /** The sums so far, with X'WX filled in symmetrically. */
  public WeightedCrossProducts result() {
    int p = beta.length;
    double[][] full = new double[p][p];
    for (int j = 0; j < p; j++) {
      for (int k = 0; k <= j; k++) {
        full[j][k] = xtwx[j][k];
        full[k][j] = xtwx[j][k];
      }
    }
    return new WeightedCrossProducts(full, xtwz.clone(), deviance, n);
  }
}
