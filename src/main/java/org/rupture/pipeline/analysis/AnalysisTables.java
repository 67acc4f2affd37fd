package org.rupture.pipeline.analysis;

import static org.rupture.pipeline.report.ResultTable.BOOL;
import static org.rupture.pipeline.report.ResultTable.DOUBLE;
import static org.rupture.pipeline.report.ResultTable.INT;
import static org.rupture.pipeline.report.ResultTable.LONG;
import static org.rupture.pipeline.report.ResultTable.TEXT;
import static org.rupture.pipeline.report.ResultTable.number;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.rupture.pipeline.report.ResultTable;
import org.rupture.pipeline.stats.EffectEstimate;
import org.rupture.pipeline.stats.meta.LeaveOneOut;
import org.rupture.pipeline.stats.meta.MetaAnalysisResult;
import org.rupture.pipeline.stats.meta.ReportingScale;
import org.rupture.pipeline.stats.meta.SignificanceTest;
import org.rupture.pipeline.stats.meta.TauEstimator;
import org.rupture.pipeline.stats.models.Coefficient;
import org.rupture.pipeline.stats.models.LogisticResult;

/**
 * The result tables of SPEC 8 built from the analysis results: site_effects, pooled, leave_one_out,
 * evidence (one row per claim x published effect) and the ipd_models document. Column names and order
 * follow SPEC 8; {@code measure} is added after {@code outcome} (analyses run per outcome measure), the
 * site effects carry their yi, vi so that pooling can be recomputed from the CSV alone, and pooled and
 * evidence rows end with a {@code note} saying why an effect was not pooled.
 */
final class AnalysisTables {
  static final StructType SITE_EFFECTS = ResultTable.schema("analysis", TEXT, "predictor", TEXT, "outcome", TEXT,
      "measure", TEXT, "rater", TEXT, "site", TEXT, "effect_type", TEXT, "n", LONG, "estimate", DOUBLE, "se", DOUBLE,
      "ci_lower", DOUBLE, "ci_upper", DOUBLE, "p", DOUBLE, "yi", DOUBLE, "vi", DOUBLE, "excluded_reason", TEXT);
  static final StructType POOLED = ResultTable.schema("analysis", TEXT, "predictor", TEXT, "outcome", TEXT,
      "measure", TEXT, "rater", TEXT, "effect_type", TEXT, "method", TEXT, "test", TEXT, "k", INT, "n_total", LONG,
      "yi_estimate", DOUBLE, "yi_se", DOUBLE, "estimate", DOUBLE, "ci_lower", DOUBLE, "ci_upper", DOUBLE, "p", DOUBLE,
      "pi_lower", DOUBLE, "pi_upper", DOUBLE, "tau2", DOUBLE, "tau2_ci_lower", DOUBLE, "tau2_ci_upper", DOUBLE,
      "I2", DOUBLE, "H2", DOUBLE, "Q", DOUBLE, "Q_df", INT, "Q_p", DOUBLE, "note", TEXT);
  static final StructType LEAVE_ONE_OUT = ResultTable.schema("analysis", TEXT, "predictor", TEXT, "outcome", TEXT,
      "measure", TEXT, "rater", TEXT, "effect_type", TEXT, "omitted_site", TEXT, "yi_estimate", DOUBLE, "yi_se", DOUBLE,
      "estimate", DOUBLE, "ci_lower", DOUBLE, "ci_upper", DOUBLE, "p", DOUBLE, "tau2", DOUBLE, "I2", DOUBLE,
      "H2", DOUBLE, "Q", DOUBLE, "Q_p", DOUBLE);
  static final StructType EVIDENCE = ResultTable.schema("analysis", TEXT, "measure", TEXT, "rater", TEXT,
      "effect_type", TEXT, "claim", TEXT, "expected_sign", TEXT, "k", INT, "estimate", DOUBLE, "ci_lower", DOUBLE,
      "ci_upper", DOUBLE, "verdict", TEXT, "published_source", TEXT, "published_effect", TEXT,
      "published_estimate", DOUBLE, "published_ci_lower", DOUBLE, "published_ci_upper", DOUBLE,
      "comparable_estimate", DOUBLE, "comparable_ci_lower", DOUBLE, "comparable_ci_upper", DOUBLE,
      "compatible", BOOL, "note", TEXT);

  private AnalysisTables() {
  }

  static ResultTable siteEffects(List<SiteEffect> effects, java.util.Map<String, AnalysisSpec> specs) {
    List<Row> rows = new ArrayList<>();
    for (SiteEffect e : effects) {
      AnalysisSpec spec = specs.get(e.key().analysis());
      EffectEstimate est = e.estimate();
      rows.add(RowFactory.create(spec.id(), spec.predictorColumn(), spec.outcomeColumn(), e.key().measure(),
          e.key().rater(), e.site(), e.effectType(), e.n(), est == null ? null : number(est.estimate()),
          est == null ? null : number(est.se()), est == null ? null : number(est.ciLower()),
          est == null ? null : number(est.ciUpper()), est == null ? null : number(est.p()),
          est == null ? null : number(est.yi()), est == null ? null : number(est.vi()), e.excludedReason()));
    }
    return new ResultTable("site_effects", SITE_EFFECTS, rows);
  }

  static ResultTable pooled(List<PooledEffect> pooled, TauEstimator method, SignificanceTest test) {
    List<Row> rows = new ArrayList<>();
    for (PooledEffect p : pooled) {
      MetaAnalysisResult r = p.result();
      boolean fitted = r != null;
      rows.add(RowFactory.create(p.spec().id(), p.spec().predictorColumn(), p.spec().outcomeColumn(), p.key().measure(),
          p.key().rater(), p.effectType(), method.name(), test.name().toLowerCase(Locale.ROOT), p.k(),
          p.nTotal(), fitted ? number(r.estimate()) : null, fitted ? number(r.se()) : null, number(p.estimate()),
          number(p.ciLower()), number(p.ciUpper()), fitted ? number(r.p()) : null, number(p.piLower()),
          number(p.piUpper()), fitted ? number(r.tau2()) : null, fitted ? number(r.tau2CiLower()) : null,
          fitted ? number(r.tau2CiUpper()) : null, fitted ? number(r.i2()) : null, fitted ? number(r.h2()) : null,
          fitted ? number(r.q()) : null, fitted ? r.qDf() : null, fitted ? number(r.qP()) : null, p.notPooled()));
    }
    return new ResultTable("pooled", POOLED, rows);
  }

  static ResultTable leaveOneOut(List<LeaveOneOutEffect> effects) {
    List<Row> rows = new ArrayList<>();
    for (LeaveOneOutEffect e : effects) {
      PooledEffect p = e.pooled();
      LeaveOneOut r = e.result();
      ReportingScale scale = p.scale();
      rows.add(RowFactory.create(p.spec().id(), p.spec().predictorColumn(), p.spec().outcomeColumn(), p.key().measure(),
          p.key().rater(), p.effectType(), e.omittedSite(), number(r.estimate()), number(r.se()),
          number(scale.apply(r.estimate())), number(scale.apply(r.ciLower())), number(scale.apply(r.ciUpper())),
          number(r.p()), number(r.tau2()), number(r.i2()), number(r.h2()), number(r.q()), number(r.qP())));
    }
    return new ResultTable("leave_one_out", LEAVE_ONE_OUT, rows);
  }

  static ResultTable evidence(List<Evidence> evidence) {
    List<Row> rows = new ArrayList<>();
    for (Evidence e : evidence) {
      PooledEffect p = e.pooled();
      PublishedEffect pub = e.published();
      rows.add(RowFactory.create(p.spec().id(), p.key().measure(), p.key().rater(), p.effectType(),
          p.spec().claim(), p.spec().expectedSign() > 0 ? "+" : "-", p.k(), number(p.estimate()), number(p.ciLower()),
          number(p.ciUpper()), e.verdict(), pub == null ? null : pub.source(), pub == null ? null : pub.effect(),
          pub == null ? null : pub.estimate(), pub == null ? null : pub.ciLower(), pub == null ? null : pub.ciUpper(),
          number(e.comparableEstimate()), number(e.comparableCiLower()), number(e.comparableCiUpper()),
          e.compatible(), p.notPooled() != null ? p.notPooled() : EvidenceCheck.notComparable(p, pub)));
    }
    return new ResultTable("evidence", EVIDENCE, rows);
  }

  /**
   * The ipd_models.json document: one object per model. Undefined numbers are JSON null: {@code number}
   * gives null for NaN and infinities, and Jackson writes a null Double or String as null.
   */
  static ArrayNode ipdModels(List<IpdModel> models) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    for (IpdModel m : models) {
      ObjectNode o = array.addObject();
      o.put("analysis", m.spec().id());
      o.put("rater", m.key().rater());
      o.put("measure", m.key().measure());
      o.put("model", m.type() == OneStageModel.LINEAR_MIXED ? "linear_mixed_reml" : "logistic_irls");
      o.put("formula", m.formula());
      o.put("n", m.n());
      o.put("k", m.sites().size());
      m.sites().forEach(o.putArray("sites")::add);
      if (!m.sitesLeftOut().isEmpty()) {
        m.sitesLeftOut().forEach(o.putArray("sites_left_out")::add);
      }
      if (m.note() != null) {
        o.put("note", m.note());
      }
      if (m.notFitted() != null) {
        o.put("not_fitted", m.notFitted());
        continue;
      }
      ArrayNode fixed = o.putArray("fixed_effects");
      List<Coefficient> coefficients = m.mixed() != null ? m.mixed().fixedEffects() : m.logistic().coefficients();
      for (Coefficient c : coefficients) {
        ObjectNode co = fixed.addObject();
        co.put("term", c.name());
        co.put("estimate", number(c.estimate()));
        co.put("se", number(c.se()));
        co.put("statistic", number(c.statistic()));
        co.put("ci_lower", number(c.ciLower()));
        co.put("ci_upper", number(c.ciUpper()));
        co.put("p", number(c.p()));
      }
      if (m.mixed() != null) {
        ObjectNode variance = o.putObject("variance_components");
        variance.put("site_intercept", number(m.mixed().interceptVariance()));
        if (m.randomSlope()) {
          variance.put("site_slope", number(m.mixed().slopeVariance()));
        }
        variance.put("residual", number(m.mixed().residualVariance()));
        o.put("reml_criterion", number(m.mixed().remlCriterion()));
      } else {
        LogisticResult.OddsRatio ratio = m.logistic().oddsRatio(m.predictorTerm());
        ObjectNode or = o.putObject("odds_ratio");
        or.put("term", ratio.name());
        or.put("estimate", number(ratio.oddsRatio()));
        or.put("ci_lower", number(ratio.ciLower()));
        or.put("ci_upper", number(ratio.ciUpper()));
        or.put("p", number(ratio.p()));
        o.put("deviance", number(m.logistic().deviance()));
        o.put("iterations", m.logistic().iterations());
      }
      // the pooled effect compared with (a logistic model's: the log OR of retention, as the OR like pooled.csv)
      // and, where the two share a scale, the one-stage predictor on it (the OR of retention, exp(-b))
      ObjectNode comparison = o.putObject("two_stage_comparison");
      comparison.put("effect_type", m.twoStage() != null ? m.twoStage().effectType() : m.spec().kind().effectType());
      if (m.twoStage() != null && m.twoStage().result() != null) {
        comparison.put("estimate", number(m.twoStage().estimate()));
        comparison.put("ci_lower", number(m.twoStage().ciLower()));
        comparison.put("ci_upper", number(m.twoStage().ciUpper()));
      }
      LogisticResult.OddsRatio oneStage = m.retentionOddsRatio();
      if (oneStage != null) {
        comparison.put("one_stage_estimate", number(oneStage.oddsRatio()));
        comparison.put("one_stage_ci_lower", number(oneStage.ciLower()));
        comparison.put("one_stage_ci_upper", number(oneStage.ciUpper()));
      }
      comparison.put("agreement", m.agreement());
      comparison.put("disagrees_beyond_uncertainty", m.disagrees());
    }
    return array;
  }
}
