package org.rupture.pipeline.stats.models;

import org.rupture.pipeline.stats.Distributions;

/**
 * One fixed-effect coefficient with its standard error, Wald statistic (t for mixed models, z for
 * logistic regression), 95% Wald confidence interval and two-sided normal p-value.
 */
public record Coefficient(
    String name, double estimate, double se, double statistic, double ciLower, double ciUpper, double p) {

  /** Wald inference on the normal scale: estimate/se, estimate +- qnorm(.975) se, 2 pnorm(-|z|). */
  static Coefficient wald(String name, double estimate, double se) {
    double statistic = estimate / se;
    double half = Distributions.Z_975 * se;
    return new Coefficient(name, estimate, se, statistic, estimate - half, estimate + half,
        Distributions.twoSidedNormalP(statistic));
  }
}
