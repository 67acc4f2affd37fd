package org.rupture.pipeline.analysis;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.rupture.pipeline.features.PatientFeatures;
import org.rupture.pipeline.stats.effects.MeanDifferences;
import org.rupture.pipeline.stats.meta.ReportingScale;

/**
 * Paired difference of one process feature between two raters of the same patient, e.g. therapist minus
 * patient rupture_rate (SPEC 7 {@code rater_difference}); patients rated by both. Pooled with yi = mean
 * difference, vi = sd^2 / n. Its rater label is "first-second" (e.g. {@code therapist-patient}).
 */
public final class PairedDifferenceKind implements AnalysisKind {
  private static final List<String> DEFAULT_RATERS = List.of("therapist", "patient");

  @Override
  public String name() {
    return "paired_difference";
  }

  @Override
  public String level() {
    return "patient";
  }

  @Override
  public String effectType() {
    return "md";
  }

  @Override
  public ReportingScale reportingScale() {
    return ReportingScale.IDENTITY;
  }

  @Override
  public AnalysisSpec validate(AnalysisSpec spec, ValidationContext context) {
    context.requireOneOf("predictor", spec.predictor(), context.catalog().processFeatures(), "process features");
    context.requireAbsent("outcome", spec.outcome(), "a rater difference compares one variable between raters");
    context.requireAbsent("arm", spec.arm(), "a rater difference has no groups");
    context.requireAbsent("comparison", spec.comparison(), "a rater difference has no groups");
    List<String> raters = context.raters(spec.raters().isEmpty() ? spec.with(DEFAULT_RATERS, null, null) : spec, true);
    if (raters.size() != 2) {
      throw context.error("raters", "a paired difference needs exactly two raters [minuend, subtrahend], e.g. "
          + DEFAULT_RATERS);
    }
    return spec.with(raters, null, null);
  }

  /** The rater label of the difference, e.g. {@code therapist-patient}. */
  static String raterLabel(AnalysisSpec spec) {
    return spec.raters().get(0) + "-" + spec.raters().get(1);
  }

  @Override
  public Dataset<Row> unitRows(AnalysisSpec spec, AnalysisInputs inputs) {
    String variable = spec.predictor();
    Dataset<Row> first = inputs.patientVariables(List.of(variable), List.of(spec.raters().get(0)))
        .select(col("site"), col("patient_key"), col(variable).as("first"));
    Dataset<Row> second = inputs.patientVariables(List.of(variable), List.of(spec.raters().get(1)))
        .select(col("site"), col("patient_key"), col(variable).as("second"));
    Dataset<Row> pairs = first.join(second, PatientFeatures.PATIENT_ID)
        .where(col("first").isNotNull().and(col("second").isNotNull()));
    return SiteStatistics.patientUnits(pairs.select(lit(spec.id()).as(SiteStatistics.ANALYSIS),
        lit(raterLabel(spec)).as(SiteStatistics.RATER), lit(null).cast("string").as(SiteStatistics.MEASURE),
        col("site").as(SiteStatistics.SITE), col("patient_key").as(SiteStatistics.UNIT),
        col("first").minus(col("second")).as(SiteStatistics.X), lit(null).cast("double").as(SiteStatistics.Y),
        lit(null).cast("double").as(SiteStatistics.Z), lit(null).cast("double").as(SiteStatistics.GROUP)));
  }

  /** One key: the rater difference (e.g. {@code therapist-patient}), no measure. */
  @Override
  public List<EffectKey> effectKeys(AnalysisSpec spec, List<String> measures) {
    return List.of(new EffectKey(spec.id(), raterLabel(spec), null));
  }

  /** Both raters: the difference needs each one's ratings. */
  @Override
  public List<String> sessionRaters(AnalysisSpec spec, EffectKey key) {
    return spec.raters();
  }

  @Override
  public SiteEffect siteEffect(AnalysisSpec spec, SiteMoments m, int minSiteN) {
    return SiteEffect.compute(m, effectType(), m.units(), null, minSiteN, noPatientReason(spec, m.key()),
        () -> MeanDifferences.paired(m.units(), m.meanX(), Math.sqrt(m.varX())));
  }

  @Override
  public String noPatientReason(AnalysisSpec spec, EffectKey key) {
    return "no patient with " + spec.predictor() + " from both " + spec.raters().get(0) + " and "
        + spec.raters().get(1);
  }
}
