package org.rupture.pipeline.stats.meta;

/**
 * A fitted intercept-only meta-analysis, all on the yi scale (transform with {@link ReportingScale}),
 * with the values metafor reports from {@code rma}, {@code confint} and {@code predict}.
 *
 * <p>Values that are not defined are documented here rather than silently NaN:
 * <ul>
 *   <li>{@code tau2CiLower}, {@code tau2CiUpper} are NaN for the FE model (no random-effects component)
 *       and for k = 1 (metafor: "Stopped because k = 1").
 *   <li>{@code piLower}, {@code piUpper}: for FE (tau^2 = 0 by assumption) they equal the CI.
 *   <li>With k = 1 the estimate is y_1 with se sqrt(v_1), tau^2 = 0, Q = 0 with 0 df and p = 1, I^2 = 0,
 *       H^2 = 1, and the z test is used whatever was asked ({@code test} says so), as metafor.
 *   <li>When {@code se} is 0 (Knapp-Hartung with a weighted residual sum of squares of 0, e.g. identical
 *       y_i), {@code statistic} is +-infinity and {@code p} 0, as metafor; if the estimate is 0 too,
 *       {@code statistic} is 0 and {@code p} 1.
 * </ul>
 *
 * @param method the tau^2 estimator
 * @param test the test actually used (Z when k = 1)
 * @param k number of studies
 * @param estimate pooled estimate mu
 * @param se its standard error (Knapp-Hartung adjusted under KNHA)
 * @param statistic estimate / se (z or t)
 * @param ciLower lower bound of the 95% confidence interval of mu
 * @param ciUpper upper bound of the 95% confidence interval of mu
 * @param p two-sided p value (normal, or t with k - 1 df under KNHA)
 * @param piLower lower bound of the 95% prediction interval, mu - crit sqrt(se^2 + tau^2)
 * @param piUpper upper bound of the 95% prediction interval
 * @param tau2 between-study variance estimate
 * @param tau2CiLower lower bound of the 95% Q-profile confidence interval of tau^2
 * @param tau2CiUpper upper bound of the 95% Q-profile confidence interval of tau^2
 * @param i2 I^2 in percent
 * @param h2 H^2
 * @param q Cochran's Q (fixed-effect weights 1/v_i)
 * @param qDf its degrees of freedom, k - 1
 * @param qP p value of Q against chi-square with k - 1 df
 */
public record MetaAnalysisResult(TauEstimator method, SignificanceTest test, int k,
    double estimate, double se, double statistic, double ciLower, double ciUpper, double p,
    double piLower, double piUpper, double tau2, double tau2CiLower, double tau2CiUpper,
    double i2, double h2, double q, int qDf, double qP) {}
