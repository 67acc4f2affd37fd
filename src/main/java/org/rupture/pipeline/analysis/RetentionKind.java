package org.rupture.pipeline.analysis;

import org.rupture.pipeline.features.FeatureCatalog;

/**
 * Retention: the point-biserial correlation of a process feature with {@code retained} per site (pooled
 * like any correlation, effect_type r), the per-site logistic regression retained ~ predictor as a log odds
 * ratio per unit of the predictor (effect_type log_or, pooled on the log scale and reported as an odds ratio;
 * {@link SiteOddsRatios}) and, one-stage, the logistic regression dropout ~ predictor + site indicators,
 * reported as an odds ratio per unit of the predictor.
 */
public final class RetentionKind extends CorrelationKind {
  @Override
  public String name() {
    return "retention";
  }

  @Override
  public AnalysisSpec validate(AnalysisSpec spec, ValidationContext context) {
    context.requireOneOf("outcome", spec.outcome(), java.util.List.of(FeatureCatalog.RETAINED), "retention outcomes");
    context.requireOneOf("predictor", spec.predictor(), context.catalog().processFeatures(), "process features");
    return super.validate(spec, context);
  }

  @Override
  public boolean oddsRatios(AnalysisSpec spec) {
    return true;
  }

  @Override
  public OneStageModel oneStageModel(AnalysisSpec spec) {
    return OneStageModel.LOGISTIC;
  }
}
