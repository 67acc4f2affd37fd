package org.rupture.pipeline.analysis;

import static org.apache.spark.sql.functions.col;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.rupture.pipeline.features.FeatureCatalog;
import org.rupture.pipeline.stats.effects.Correlations;
import org.rupture.pipeline.stats.meta.ReportingScale;

/**
 * Repeated-measures correlation of two session-level variables within patients (SPEC 6), per rater, over
 * the early window. When a variable exists only for a rated rupture (intensity, resolution) only rows with
 * rupture_present = true are used. A patient contributes with at least 2 complete rows.
 */
public final class RepeatedMeasuresCorrelationKind implements AnalysisKind {
  @Override
  public String name() {
    return "repeated_measures_correlation";
  }

  @Override
  public String level() {
    return "session";
  }

  @Override
  public String effectType() {
    return "r_rm";
  }

  @Override
  public ReportingScale reportingScale() {
    return ReportingScale.FISHER_Z_TO_R;
  }

  @Override
  public AnalysisSpec validate(AnalysisSpec spec, ValidationContext context) {
    context.requireOneOf("predictor", spec.predictor(), context.catalog().sessionVariables(), "session variables");
    context.requireOneOf("outcome", spec.outcome(), context.catalog().sessionVariables(), "session variables");
    if (spec.predictor().equals(spec.outcome())) {
      throw context.error("outcome", "is the same variable as the predictor");
    }
    context.requireAbsent("arm", spec.arm(), "a correlation has no groups");
    context.requireAbsent("comparison", spec.comparison(), "a correlation has no groups");
    return spec.with(context.raters(spec, true), null, null);
  }

  @Override
  public Dataset<Row> unitRows(AnalysisSpec spec, AnalysisInputs inputs) {
    return SiteStatistics.sessionUnits(inputs, List.of(sessionPair(spec)));
  }

  @Override
  public SiteStatistics.SessionPair sessionPair(AnalysisSpec spec) {
    String x = spec.predictor();
    String y = spec.outcome();
    Column usable = col(x).isNotNull().and(col(y).isNotNull());
    if (ruptureRowsOnly(spec)) {
      usable = usable.and(col(FeatureCatalog.RUPTURE_PRESENT).equalTo(true));
    }
    return new SiteStatistics.SessionPair(spec.id(), spec.raters(), usable, col(x).cast("double"), col(y).cast("double"));
  }

  @Override
  public SiteEffect siteEffect(AnalysisSpec spec, SiteMoments m, int minSiteN) {
    return SiteEffect.compute(m, effectType(), m.withinUnits(), null, minSiteN, noPatientReason(spec, m.key()),
        () -> Correlations.repeatedMeasures(m.withinRows(), m.withinUnits(), m.withinSxx(), m.withinSyy(),
            m.withinSxy()));
  }

  @Override
  public String noPatientReason(AnalysisSpec spec, EffectKey key) {
    return "no patient with both " + spec.predictor() + " and " + spec.outcome() + " in at least 2 early-window "
        + (ruptureRowsOnly(spec) ? "rupture " : "") + "sessions";
  }

  /** True when a variable exists only for a rated rupture, so only rows with rupture_present = true are used. */
  private static boolean ruptureRowsOnly(AnalysisSpec spec) {
    return FeatureCatalog.RUPTURE_EPISODE_VARIABLES.contains(spec.predictor())
        || FeatureCatalog.RUPTURE_EPISODE_VARIABLES.contains(spec.outcome());
  }
}
