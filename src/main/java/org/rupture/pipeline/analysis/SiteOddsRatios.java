package org.rupture.pipeline.analysis;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.rupture.pipeline.stats.EffectEstimate;
import org.rupture.pipeline.stats.StatisticsException;
import org.rupture.pipeline.stats.models.Coefficient;
import org.rupture.pipeline.stats.models.GroupLogisticRegressions;

/**
 * The per-site odds ratios of a retention analysis (effect_type {@code log_or}): at each site the logistic
 * regression outcome ~ predictor on its complete pairs, as R {@code glm(retained ~ mean_resolution,
 * family = binomial)}. yi is the slope (log odds ratio per unit of the predictor), vi its Wald variance and
 * se = sqrt(vi) on the log scale (as r rows give se on the Fisher-z scale); estimate and CI are the odds ratio
 * exp(slope) and exp(slope +- 1.959964 se), p the Wald z test (glm's summary).
 *
 * <p>Every site of one analysis x rater is fitted at once: the rows (site, x, y) are packed and kept once
 * ({@link SparkIrlsAggregator}) and each IRLS step of every site is one small Spark job returning per-site
 * sums; the driver solves each site's 2x2 system ({@link GroupLogisticRegressions}) until every site has
 * converged. Sites with too few patients, no variance in x or y, (quasi-)separation or no convergence keep
 * the reason as excluded_reason and are left out of pooling.
 */
final class SiteOddsRatios {
  private static final String UNDEFINED = "the odds ratio is undefined: ";

  /** effect_type of the per-site log odds ratios. */
  static final String EFFECT_TYPE = "log_or";

  private SiteOddsRatios() {
  }

  /**
   * One log_or site effect per site of {@code everySite} (the key's moments, with an empty one for every site
   * in the data), in that order.
   *
   * @param unitRows the analysis's unit rows (all raters): x = predictor, y = the 0/1 outcome
   */
  static List<SiteEffect> compute(SparkSession spark, AnalysisSpec spec, EffectKey key, Dataset<Row> unitRows,
      List<SiteMoments> everySite, int minSiteN) {
    String predictor = SiteEffect.variable(spec.predictor(), key);
    String outcome = SiteEffect.variable(spec.outcome(), key);
    Map<String, String> notFitted = new HashMap<>();
    List<String> fitted = new ArrayList<>();
    for (SiteMoments m : everySite) {
      String reason = m.units() == 0 ? null : m.units() <= 2
          ? "logistic regression of " + outcome + " on " + predictor + " needs more than 2 patients, got " + m.units()
          // worded as the correlations' (Correlations) for the same cause
          : !(m.varX() > 0) ? UNDEFINED + "the predictor (" + predictor + ") has zero variance"
          : m.meanY() >= 1 ? UNDEFINED + "the outcome (" + outcome + ") has zero variance: no patient dropped out"
          : m.meanY() <= 0 ? UNDEFINED + "the outcome (" + outcome + ") has zero variance: every patient dropped out"
          : null;
      if (reason != null) {
        notFitted.put(m.site(), reason);
      } else if (m.units() > 0) {
        fitted.add(m.site());
      }
    }
    Map<String, GroupLogisticRegressions.Fit> fits = fit(spark, key, unitRows, fitted, predictor, outcome);
    List<SiteEffect> effects = new ArrayList<>();
    for (SiteMoments m : everySite) {
      long n = m.units();
      effects.add(SiteEffect.compute(m, EFFECT_TYPE, n, null, minSiteN, spec.kind().noPatientReason(spec, key), () -> {
        String reason = notFitted.get(m.site());
        GroupLogisticRegressions.Fit fit = fits.get(m.site());
        if (reason != null || fit == null || !fit.fitted()) {
          throw new StatisticsException(reason != null ? reason : fit == null ? "not fitted" : fit.failure());
        }
        return estimate(n, fit.slopeCoefficient(spec.predictor()));
      }));
    }
    return effects;
  }

  /** A site's log odds ratio with its Wald inference, reported as the odds ratio. */
  static EffectEstimate estimate(long n, Coefficient slope) {
    return new EffectEstimate(EFFECT_TYPE, n, Math.exp(slope.estimate()), slope.se(), Math.exp(slope.ciLower()),
        Math.exp(slope.ciUpper()), slope.p(), slope.estimate(), slope.se() * slope.se());
  }

  /** The fits of {@code sites} (one pass of Spark jobs for all of them), by site; none without a site. */
  private static Map<String, GroupLogisticRegressions.Fit> fit(SparkSession spark, EffectKey key,
      Dataset<Row> unitRows, List<String> sites, String predictor, String outcome) {
    Map<String, GroupLogisticRegressions.Fit> bySite = new HashMap<>();
    if (sites.isEmpty()) {
      return bySite;
    }
    Dataset<Row> rows = unitRows
        .where(key.rater() == null ? col(SiteStatistics.RATER).isNull() : col(SiteStatistics.RATER).equalTo(key.rater()))
        .where(key.measure() == null ? col(SiteStatistics.MEASURE).isNull()
            : col(SiteStatistics.MEASURE).equalTo(key.measure()))
        .where(col(SiteStatistics.SITE).isin(sites.toArray()))
        .select(col(SiteStatistics.SITE), col(SiteStatistics.X).as("x"), col(SiteStatistics.Y).as("y"));
    try (SparkIrlsAggregator aggregator = new SparkIrlsAggregator(spark, rows, sites)) {
      boolean[] all = new boolean[sites.size()];
      Arrays.fill(all, true);
      List<GroupLogisticRegressions.Fit> fits = GroupLogisticRegressions.fit(aggregator, all, predictor, outcome);
      for (int s = 0; s < sites.size(); s++) {
        bySite.put(sites.get(s), fits.get(s));
      }
    }
    return bySite;
  }
}
