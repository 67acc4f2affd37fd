package org.rupture.pipeline.analysis;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.rupture.pipeline.features.FeatureCatalog;
import org.rupture.pipeline.stats.effects.Correlations;
import org.rupture.pipeline.stats.meta.ReportingScale;

/**
 * Pearson correlation between two patient-level variables (complete pairs), per rater when a variable is
 * a rated process feature and per outcome measure when one is the improvement. Pooled on Fisher's z. With
 * improvement as outcome it is also fitted as a one-stage linear mixed model adjusted for baseline.
 */
public class CorrelationKind implements AnalysisKind {
  @Override
  public String name() {
    return "correlation";
  }

  @Override
  public String level() {
    return "patient";
  }

  @Override
  public String effectType() {
    return "r";
  }

  @Override
  public ReportingScale reportingScale() {
    return ReportingScale.FISHER_Z_TO_R;
  }

  @Override
  public AnalysisSpec validate(AnalysisSpec spec, ValidationContext context) {
    List<String> variables = patientLevelVariables(context.catalog());
    context.requireOneOf("predictor", spec.predictor(), variables, "patient-level variables");
    context.requireOneOf("outcome", spec.outcome(), variables, "patient-level variables");
    if (spec.predictor().equals(spec.outcome())) {
      throw context.error("outcome", "is the same variable as the predictor");
    }
    context.requireAbsent("arm", spec.arm(), "a correlation has no groups");
    context.requireAbsent("comparison", spec.comparison(), "a correlation has no groups");
    boolean rated = context.catalog().processFeatures().contains(spec.predictor())
        || context.catalog().processFeatures().contains(spec.outcome());
    return spec.with(context.raters(spec, rated), null, null);
  }

  /** Variables a patient-level correlation may use. */
  protected static List<String> patientLevelVariables(FeatureCatalog catalog) {
    List<String> variables = new ArrayList<>(catalog.processFeatures());
    variables.addAll(FeatureCatalog.patientOutcomeVariables());
    return variables;
  }

  @Override
  public Dataset<Row> unitRows(AnalysisSpec spec, AnalysisInputs inputs) {
    String x = spec.predictor();
    String y = spec.outcome();
    boolean withBaseline = x.equals(FeatureCatalog.IMPROVEMENT) || y.equals(FeatureCatalog.IMPROVEMENT);
    Dataset<Row> rows = inputs.patientVariables(List.of(x, y), spec.raters())
        .where(col(x).isNotNull().and(col(y).isNotNull()));
    return SiteStatistics.patientUnits(rows.select(lit(spec.id()).as(SiteStatistics.ANALYSIS),
        col("rater").as(SiteStatistics.RATER), col("measure").as(SiteStatistics.MEASURE),
        col("site").as(SiteStatistics.SITE), col("patient_key").as(SiteStatistics.UNIT),
        col(x).as(SiteStatistics.X), col(y).as(SiteStatistics.Y),
        (withBaseline ? col(FeatureCatalog.BASELINE) : lit(null)).cast("double").as(SiteStatistics.Z),
        lit(null).cast("double").as(SiteStatistics.GROUP)));
  }

  @Override
  public SiteEffect siteEffect(AnalysisSpec spec, SiteMoments m, int minSiteN) {
    long n = m.units();
    return SiteEffect.compute(m, effectType(), n, null, minSiteN, noPatientReason(spec, m.key()),
        () -> Correlations.pearson(n, m.varX() * (n - 1), m.varY() * (n - 1), m.covXY() * (n - 1)));
  }

  @Override
  public String noPatientReason(AnalysisSpec spec, EffectKey key) {
    return "no patient with both " + SiteEffect.variable(spec.predictor(), key) + " and "
        + SiteEffect.variable(spec.outcome(), key);
  }

  @Override
  public OneStageModel oneStageModel(AnalysisSpec spec) {
    return FeatureCatalog.IMPROVEMENT.equals(spec.outcome()) ? OneStageModel.LINEAR_MIXED : OneStageModel.NONE;
  }
}
