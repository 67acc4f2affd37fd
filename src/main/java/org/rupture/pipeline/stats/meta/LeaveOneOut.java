package org.rupture.pipeline.stats.meta;

/**
 * The model refitted without one study (as {@code metafor::leave1out}), on the yi scale, with the same
 * estimator and test; undefined values as in {@link MetaAnalysisResult} (e.g. with k = 2 each refit has
 * one study and so uses the z test).
 *
 * @param omitted 0-based index of the left-out study in the input arrays
 * @param estimate pooled estimate without it
 * @param se its standard error
 * @param ciLower lower 95% confidence bound
 * @param ciUpper upper 95% confidence bound
 * @param p two-sided p value
 * @param tau2 tau^2 estimate
 * @param i2 I^2 in percent
 * @param h2 H^2
 * @param q Cochran's Q
 * @param qP p value of Q
 */
public record LeaveOneOut(int omitted, double estimate, double se, double ciLower, double ciUpper,
    double p, double tau2, double i2, double h2, double q, double qP) {}
