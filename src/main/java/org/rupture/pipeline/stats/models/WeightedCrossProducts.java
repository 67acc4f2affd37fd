package org.rupture.pipeline.stats.models;

/**
 * One IRLS step's aggregate at the current coefficients: X'WX and X'Wz with the working weights W
 * and working response z, the deviance at those coefficients, and the number of rows.
 *
 * @param denseColumns how many leading columns of X'WX are dense; the block of the columns after them is
 *     diagonal (one indicator per site: every row has one site), which {@link LogisticRegression} exploits.
 *     Equal to the number of columns when nothing is known of the structure.
 */
public record WeightedCrossProducts(double[][] xtwx, double[] xtwz, double deviance, long n, int denseColumns) {
  public WeightedCrossProducts(double[][] xtwx, double[] xtwz, double deviance, long n) {
    this(xtwx, xtwz, deviance, n, xtwx.length);
  }
}
