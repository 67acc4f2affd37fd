package org.rupture.pipeline.stats.models;

/**
 * Computes one IRLS step's aggregate over all rows at the given coefficients. For logistic
 * regression every row adds what {@link LogisticRowAccumulator#add} adds; a Spark implementation
 * runs one such accumulator per partition and merges them (one aggregation per call), and
 * {@link LogisticRegression#inMemory} does the same over arrays.
 */
public interface IrlsAggregator {
  WeightedCrossProducts aggregate(double[] beta);
}
