package org.rupture.pipeline.analysis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.rupture.pipeline.features.FeatureCatalog;
import org.rupture.pipeline.stats.meta.ReportingScale;

/**
 * How one kind of analysis is computed. Adding an analysis of an existing kind is configuration only;
 * a new kind is one implementation of this interface registered in {@link AnalysisKinds}.
 *
 * <p>Every kind reduces its input to <em>unit rows</em> (one per patient, see {@link SiteStatistics}), so
 * that one grouped aggregation computes the sufficient statistics of every analysis at every site; the
 * kind then turns one site's {@link SiteMoments} into an effect size on the driver.
 */
public interface AnalysisKind {
  /** Value of {@code kind} in the configuration. */
  String name();

  /** {@code patient} or {@code session}. */
  String level();

  /** {@code effect_type} of its site effects: r, r_rm, md, smd. */
  String effectType();

  /**
   * Whether the analysis also reports, next to its {@link #effectType} rows, the per-site logistic regression
   * of its 0/1 outcome on the predictor as log odds ratios ({@code log_or} site effects, pooled and reported
   * as odds ratios; {@link SiteOddsRatios}). The retention kind does, so every retention analysis has both
   * rows (configuration only, no key to set).
   */
  default boolean oddsRatios(AnalysisSpec spec) {
    return false;
  }

  /** Scale on which pooled estimates are reported (r for Fisher-z pooled correlations). */
  ReportingScale reportingScale();

  /**
   * Checks the variables of a configured analysis of this kind and returns it with kind-specific
   * defaults filled in (raters, groups); throws {@link org.rupture.pipeline.config.ConfigException}.
   */
  AnalysisSpec validate(AnalysisSpec spec, ValidationContext context);

  /** The analysis's unit rows in the {@link SiteStatistics#UNIT_COLUMNS} layout (a lazy plan). */
  Dataset<Row> unitRows(AnalysisSpec spec, AnalysisInputs inputs);

  /**
   * For an analysis of session rows paired within patients: its pair of session variables, so that every
   * such analysis is computed in one aggregation of the session ratings
   * ({@link SiteStatistics#sessionUnitAggregates}, shared with the patient features) instead of one scan each;
   * null (the default) for analyses whose unit rows come from {@link #unitRows} alone.
   */
  default SiteStatistics.SessionPair sessionPair(AnalysisSpec spec) {
    return null;
  }

  /** One site's effect, or the reason the site is left out of pooling. */
  SiteEffect siteEffect(AnalysisSpec spec, SiteMoments moments, int minSiteN);

  /**
   * The excluded_reason of a site that has data but no patient counted for {@code key} (n = 0): what none
   * of its patients has, e.g. {@code no patient with both mean_resolution and improvement on IIP}.
   */
  String noPatientReason(AnalysisSpec spec, EffectKey key);

  /**
   * Every analysis x rater x measure the analysis reports, whether or not any site has data for it: one key
   * per configured rater (a null rater when no variable is rated) and, when improvement is one of its
   * variables, per outcome measure of {@code measures} (a null measure otherwise). The unit rows carry the
   * same raters and measures.
   */
  default List<EffectKey> effectKeys(AnalysisSpec spec, List<String> measures) {
    List<String> raters = spec.raters().isEmpty() ? Collections.singletonList(null) : spec.raters();
    boolean perMeasure = FeatureCatalog.IMPROVEMENT.equals(spec.predictor())
        || FeatureCatalog.IMPROVEMENT.equals(spec.outcome());
    List<String> keyMeasures = perMeasure ? measures : Collections.singletonList(null);
    List<EffectKey> keys = new ArrayList<>();
    for (String rater : raters) {
      for (String measure : keyMeasures) {
        keys.add(new EffectKey(spec.id(), rater, measure));
      }
    }
    return keys;
  }

  /**
   * The raters whose early-window session ratings a patient needs for {@code key}: its rater (none when no
   * variable is rated). A site without such ratings has no patient for it, and its excluded_reason says so
   * ({@link DataExtent#missingSessions}).
   */
  default List<String> sessionRaters(AnalysisSpec spec, EffectKey key) {
    return key.rater() == null ? List.of() : List.of(key.rater());
  }

  /** The one-stage IPD model fitted for this analysis, if any. */
  default OneStageModel oneStageModel(AnalysisSpec spec) {
    return OneStageModel.NONE;
  }
}
