package org.rupture.pipeline.stats.models;

/**
 * One IRLS step's aggregate at the current coefficients: X'WX and X'Wz with the working weights W
 * and working response z, the deviance at those coefficients, and the number of rows.
 */
public record WeightedCrossProducts(double[][] xtwx, double[] xtwz, double deviance, long n) {}
