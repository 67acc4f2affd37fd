package org.rupture.pipeline.stats.models;

import java.util.List;

/**
 * A REML linear mixed model fit as reported by R {@code lme4::lmer}: fixed effects, the variance
 * components (as {@code VarCorr}), the REML criterion ({@code REMLcrit}), rows and groups.
 *
 * @param slopeVariance variance of the random slope; NaN when the model has no random slope
 */
public record MixedModelResult(
    List<Coefficient> fixedEffects,
    double interceptVariance,
    double slopeVariance,
    double residualVariance,
    double remlCriterion,
    long n,
    int groups) {

  /** The fixed effect with this column name. */
  public Coefficient fixedEffect(String name) {
    return fixedEffects.stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no fixed effect named '" + name + "'"));
  }
}
