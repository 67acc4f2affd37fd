package org.rupture.pipeline.stats.meta;

/**
 * How the pooled estimate is tested and its confidence (and prediction) interval is built, as
 * {@code metafor::rma(test = ...)}.
 */
public enum SignificanceTest {
  /** Wald-type z test with the standard normal distribution (metafor's default {@code test = "z"}). */
  Z,
  /**
   * Knapp and Hartung (2003) adjustment ({@code test = "knha"}): the variance of the estimate is
   * multiplied by the weighted residual mean square s^2 = sum(w_i (y_i - mu)^2) / (k - 1) (not truncated
   * at 1, as metafor does by default) and the estimate is tested against a t distribution with k - 1
   * degrees of freedom. When that residual sum of squares is at most machine epsilon, s^2 = 0 (as
   * metafor), giving a standard error of 0.
   */
  KNHA
}
