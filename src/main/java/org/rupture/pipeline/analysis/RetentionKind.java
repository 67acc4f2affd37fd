package org.rupture.pipeline.analysis;

import org.rupture.pipeline.features.FeatureCatalog;

/**
 * Retention: the point-biserial correlation of a process feature with {@code retained} per site (pooled
 * like any correlation) and, one-stage, the logistic regression dropout ~ predictor + site indicators,
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
  public OneStageModel oneStageModel(AnalysisSpec spec) {
    return OneStageModel.LOGISTIC;
  }
}
