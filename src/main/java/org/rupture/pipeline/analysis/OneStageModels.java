package org.rupture.pipeline.analysis;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.rupture.pipeline.stats.StatisticsException;
import org.rupture.pipeline.stats.models.GroupCrossProducts;
import org.rupture.pipeline.stats.models.LinearMixedModel;
import org.rupture.pipeline.stats.models.LogisticRegression;
import org.rupture.pipeline.stats.models.LogisticResult;
import org.rupture.pipeline.stats.models.MixedModelResult;

/**
 * Fits the one-stage IPD models: linear mixed models from the per-site cross-product sums gathered by the
 * site-statistics pass, and logistic retention models by IRLS with one Spark aggregation per iteration.
 */
final class OneStageModels {
  /**
   * Sites a model with a site term needs: one site's random intercept has no between-site variance to
   * estimate (lme4 refuses: "grouping factors must have > 1 sampled level"), and with one site the
   * logistic model's site indicators are empty (R's glm refuses a one-level factor).
   */
  static final int MIN_SITES = 2;

  private final SparkSession spark;
  private final boolean randomSlope;

  OneStageModels(SparkSession spark, boolean randomSlope) {
    this.spark = spark;
    this.randomSlope = randomSlope;
  }

  /**
   * improvement ~ predictor + baseline + (1 | site) [+ (0 + predictor | site)] by REML from the sites'
   * cross-products of [1, x, baseline] and improvement. With fewer than {@link #MIN_SITES} sites with data
   * it is not fitted, and says so.
   */
  IpdModel linearMixed(AnalysisSpec spec, EffectKey key, List<SiteMoments> moments, PooledEffect pooled) {
    List<GroupCrossProducts> groups = new ArrayList<>();
    List<String> sites = new ArrayList<>();
    long available = 0;
    for (SiteMoments m : moments) {
      SiteMoments.CrossProductSums s = m.crossProducts();
      if (s.n() == 0) {
        continue;
      }
      double[][] xtx = {{s.n(), s.x(), s.z()}, {s.x(), s.xx(), s.xz()}, {s.z(), s.xz(), s.zz()}};
      groups.add(new GroupCrossProducts(m.site(), s.n(), xtx, new double[] {s.y(), s.xy(), s.yz()}, s.yy()));
      sites.add(m.site());
      available += s.n();
    }
    String term = predictorTerm(spec);
    String formula = formula(spec, OneStageModel.LINEAR_MIXED);
    MixedModelResult fit = null;
    String notFitted = null;
    if (groups.size() < MIN_SITES) {
      notFitted = (groups.isEmpty() ? "no site" : "only 1 site") + " with data; a random site intercept needs at least "
          + MIN_SITES;
    } else {
      try {
        fit = LinearMixedModel.fitReml(groups, List.of("(Intercept)", term, "baseline"), randomSlope);
      } catch (StatisticsException e) {
        notFitted = e.getMessage();
      }
    }
    return new IpdModel(key, spec, OneStageModel.LINEAR_MIXED, formula, term, sites, List.of(), fit, randomSlope, null,
        notFitted, null, pooled, available);
  }

  /**
   * dropout ~ predictor + site indicators by IRLS over the analysis's unit rows of one rater (x = predictor,
   * y = retained). Sites where every patient stayed (or every patient dropped out) are left out: with
   * their own intercept they carry no information on the predictor and their intercept would diverge.
   * With one site left there are no site indicators: the model is dropout ~ predictor, and says so.
   */
  IpdModel logistic(AnalysisSpec spec, EffectKey key, Dataset<Row> unitRows, List<SiteMoments> moments,
      PooledEffect pooled) {
    List<String> sites = new ArrayList<>();
    List<String> leftOut = new ArrayList<>();
    long available = 0;
    for (SiteMoments m : moments) {
      if (m.meanY() > 0 && m.meanY() < 1) {
        sites.add(m.site());
        available += m.units();
      } else {
        leftOut.add(m.site() + " (" + (m.meanY() == 1 ? "no dropout" : "all dropped out") + ")");
      }
    }
    sites.sort(null);
    String term = predictorTerm(spec);
    boolean siteTerm = sites.size() >= MIN_SITES;
    String formula = siteTerm || sites.isEmpty() ? formula(spec, OneStageModel.LOGISTIC) : "dropout ~ " + term;
    String note = siteTerm || sites.isEmpty() ? null
        : "only 1 site in the model; fitted without the site term, which needs at least " + MIN_SITES;
    if (sites.isEmpty()) {
      return new IpdModel(key, spec, OneStageModel.LOGISTIC, formula, term, sites, leftOut, null, false, null,
          "no site has both retained and dropped-out patients", null, pooled, 0);
    }
    Dataset<Row> rows = unitRows
        .where(key.rater() == null ? col(SiteStatistics.RATER).isNull() : col(SiteStatistics.RATER).equalTo(key.rater()))
        .where(col(SiteStatistics.SITE).isin(sites.toArray()))
        .select(col(SiteStatistics.SITE), col(SiteStatistics.X).as("x"),
            lit(1.0).minus(col(SiteStatistics.Y)).as("y"));
    try (SparkIrlsAggregator aggregator = new SparkIrlsAggregator(spark, rows, sites)) {
      LogisticResult fit = LogisticRegression.fit(aggregator, aggregator.columnNames(term));
      return new IpdModel(key, spec, OneStageModel.LOGISTIC, formula, term, sites, leftOut, null, false, fit, null,
          note, pooled, available);
    } catch (StatisticsException e) {
      return new IpdModel(key, spec, OneStageModel.LOGISTIC, formula, term, sites, leftOut, null, false, null,
          e.getMessage(), note, pooled, available);
    }
  }

  /**
   * The model of an analysis x rater x measure no site has a patient for: not fitted, for {@code reason};
   * nothing is computed.
   */
  IpdModel notFitted(AnalysisSpec spec, EffectKey key, OneStageModel type, String reason, PooledEffect pooled) {
    boolean slope = type == OneStageModel.LINEAR_MIXED && randomSlope;
    return new IpdModel(key, spec, type, formula(spec, type), predictorTerm(spec), List.of(), List.of(), null, slope,
        null, reason, null, pooled, 0);
  }

  /** The model, R style. */
  private String formula(AnalysisSpec spec, OneStageModel type) {
    String term = predictorTerm(spec);
    if (type == OneStageModel.LOGISTIC) {
      return "dropout ~ " + term + " + site";
    }
    return spec.outcome() + " ~ " + term + " + baseline + (1 | site)" + (randomSlope ? " + (0 + " + term + " | site)" : "");
  }

  /** The predictor's coefficient name: the variable, or for group comparisons the focal-group indicator. */
  private static String predictorTerm(AnalysisSpec spec) {
    return spec.arm() == null ? spec.predictor() : spec.predictor() + "[" + spec.arm() + "]";
  }
}
