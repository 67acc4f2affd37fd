package org.rupture.pipeline.stats.models;

import java.util.List;

/**
 * A binomial logistic regression fit as R {@code glm(family = binomial)} reports it: coefficients on
 * the log-odds scale with Wald z tests and {@code confint.default} intervals, the residual deviance,
 * the IRLS iterations used and the number of rows.
 */
public record LogisticResult(List<Coefficient> coefficients, double deviance, int iterations, long n) {

  /** An odds ratio exp(beta) with its Wald 95% CI exp(beta +- qnorm(.975) se) and the Wald z p-value. */
  public record OddsRatio(String name, double oddsRatio, double ciLower, double ciUpper, double p) {}

  /** The coefficient with this column name. */
  public Coefficient coefficient(String name) {
    return coefficients.stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no coefficient named '" + name + "'"));
  }

  /** The odds ratio per unit of the named coefficient, with its Wald CI. */
  public OddsRatio oddsRatio(String name) {
    Coefficient c = coefficient(name);
    return new OddsRatio(name, Math.exp(c.estimate()), Math.exp(c.ciLower()), Math.exp(c.ciUpper()), c.p());
  }
}
