package org.rupture.pipeline.stats.models;

/**
 * One group's (site's) sufficient statistics for a linear model: X'X, X'y and y'y over its n rows,
 * for a design X whose columns are fixed by the caller (for example intercept, predictor, baseline).
 */
public record GroupCrossProducts(String group, long n, double[][] xtx, double[] xty, double yty) {}
