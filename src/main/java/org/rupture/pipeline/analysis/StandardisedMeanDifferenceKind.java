package org.rupture.pipeline.analysis;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.rupture.pipeline.features.FeatureCatalog;
import org.rupture.pipeline.stats.effects.MeanDifferences;
import org.rupture.pipeline.stats.meta.ReportingScale;

/**
 * Standardised mean difference (Hedges' g) of a patient-level variable between two groups of patients
 * defined by a patient attribute: the focal {@code arm} minus the {@code comparison} value (or minus all
 * other values), e.g. rupture_rate in CBT vs other treatments, or improvement after vs before the
 * therapist's training. Per rater for process features, per measure for improvement; with improvement
 * also fitted as a one-stage linear mixed model (predictor = focal-group indicator, adjusted for baseline).
 */
public final class StandardisedMeanDifferenceKind implements AnalysisKind {
  @Override
  public String name() {
    return "smd";
  }

  @Override
  public String level() {
    return "patient";
  }

  @Override
  public String effectType() {
    return "smd";
  }

  @Override
  public ReportingScale reportingScale() {
    return ReportingScale.IDENTITY;
  }

  @Override
  public AnalysisSpec validate(AnalysisSpec spec, ValidationContext context) {
    context.requireOneOf("predictor", spec.predictor(), FeatureCatalog.groupingVariables(), "grouping variables");
    List<String> outcomes = new ArrayList<>(context.catalog().processFeatures());
    outcomes.add(FeatureCatalog.IMPROVEMENT);
    context.requireOneOf("outcome", spec.outcome(), outcomes, "patient-level variables");
    String arm = spec.arm();
    if (arm == null && spec.predictor().equals(FeatureCatalog.TREATMENT)) {
      arm = context.treatmentArm();
    }
    if (arm == null) {
      throw context.error("arm", "is required: the value of " + spec.predictor() + " of the focal group, e.g. post");
    }
    if (arm.equals(spec.comparison())) {
      throw context.error("comparison", "equals the arm '" + arm + "'; compare two different groups");
    }
    if (spec.predictor().equals(FeatureCatalog.TREATMENT)) {
      context.requireDefinedTreatment("arm", arm, spec.arm() == null);
      context.requireDefinedTreatment("comparison", spec.comparison(), false);
    }
    if (spec.predictor().equals(FeatureCatalog.TRAINING_PHASE)) {
      // the canonical phases (SPEC 4); any other value matches no patient and excludes every site
      for (String[] group : new String[][] {{"arm", arm}, {"comparison", spec.comparison()}}) {
        if (group[1] != null && !group[1].equals("pre") && !group[1].equals("post")) {
          throw context.error(group[0], "'" + group[1] + "' is no therapist training phase; use pre or post");
        }
      }
    }
    boolean rated = context.catalog().processFeatures().contains(spec.outcome());
    return spec.with(context.raters(spec, rated), arm, spec.comparison());
  }

  @Override
  public Dataset<Row> unitRows(AnalysisSpec spec, AnalysisInputs inputs) {
    String groupVariable = spec.predictor();
    String y = spec.outcome();
    Column group = col(groupVariable);
    Column comparison = spec.comparison() == null ? group.isNotNull() : group.equalTo(spec.comparison());
    Column indicator = when(group.equalTo(spec.arm()), 1.0).when(comparison, 0.0);
    boolean withBaseline = y.equals(FeatureCatalog.IMPROVEMENT);
    Dataset<Row> rows = inputs.patientVariables(List.of(y, groupVariable), spec.raters())
        .withColumn(SiteStatistics.GROUP, indicator)
        .where(col(SiteStatistics.GROUP).isNotNull().and(col(y).isNotNull()));
    return SiteStatistics.patientUnits(rows.select(lit(spec.id()).as(SiteStatistics.ANALYSIS),
        col("rater").as(SiteStatistics.RATER), col("measure").as(SiteStatistics.MEASURE),
        col("site").as(SiteStatistics.SITE), col("patient_key").as(SiteStatistics.UNIT),
        col(SiteStatistics.GROUP).as(SiteStatistics.X), col(y).as(SiteStatistics.Y),
        (withBaseline ? col(FeatureCatalog.BASELINE) : lit(null)).cast("double").as(SiteStatistics.Z),
        col(SiteStatistics.GROUP)));
  }

  @Override
  public SiteEffect siteEffect(AnalysisSpec spec, SiteMoments m, int minSiteN) {
    return SiteEffect.compute(m, effectType(), m.n1() + m.n2(), new long[] {m.n1(), m.n2()}, minSiteN,
        noPatientReason(spec, m.key()),
        () -> MeanDifferences.hedgesG(m.n1(), m.mean1(), Math.sqrt(m.var1()), m.n2(), m.mean2(), Math.sqrt(m.var2())));
  }

  @Override
  public String noPatientReason(AnalysisSpec spec, EffectKey key) {
    return "no patient in either group of " + spec.predictorLabel() + " with " + SiteEffect.variable(spec.outcome(), key);
  }

  @Override
  public OneStageModel oneStageModel(AnalysisSpec spec) {
    return FeatureCatalog.IMPROVEMENT.equals(spec.outcome()) ? OneStageModel.LINEAR_MIXED : OneStageModel.NONE;
  }
}
