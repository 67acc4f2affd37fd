package org.rupture.pipeline.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rupture.pipeline.stats.meta.MetaAnalysisResult;
import org.rupture.pipeline.stats.meta.ReportingScale;
import org.rupture.pipeline.stats.meta.SignificanceTest;
import org.rupture.pipeline.stats.meta.TauEstimator;
import org.rupture.pipeline.stats.models.Coefficient;
import org.rupture.pipeline.stats.models.LogisticResult;

/**
 * The retention model's two_stage_comparison: with the pooled log odds ratio of retention, on its scale (the odds
 * ratio of retention: exp(-b) of the coefficient on dropout), and the agreement by direction against OR = 1.
 */
class IpdModelTest {
  private static final AnalysisSpec RETENTION = AnalysisConfig.defaults().analyses().stream()
      .filter(s -> s.id().equals("resolution_retention")).findFirst().orElseThrow();
  private static final EffectKey KEY = new EffectKey("resolution_retention", "patient", null);
  private static final double Z = 1.959963984540054;

  /** dropout ~ mean_resolution + site with the predictor's coefficient b (se 0.2): log odds of dropout per unit. */
  private static IpdModel model(double b, PooledEffect twoStage) {
    double se = 0.2;
    Coefficient predictor = new Coefficient("mean_resolution", b, se, b / se, b - Z * se, b + Z * se, 0.01);
    Coefficient intercept = new Coefficient("(Intercept)", 1.0, 0.5, 2.0, 0.02, 1.98, 0.05);
    LogisticResult fit = new LogisticResult(List.of(intercept, predictor), 120.0, 6, 150);
    return new IpdModel(KEY, RETENTION, OneStageModel.LOGISTIC, "dropout ~ mean_resolution + site", "mean_resolution",
        List.of("S01", "S02"), List.of(), null, false, fit, null, null, twoStage, 150);
  }

  /** A pooled log OR of retention (yi scale) with its 95% CI. */
  private static PooledEffect logOr(double estimate, double lower, double upper) {
    MetaAnalysisResult r = new MetaAnalysisResult(TauEstimator.REML, SignificanceTest.Z, 6, estimate, 0.2,
        estimate / 0.2, lower, upper, 0.05, lower - 0.1, upper + 0.1, 0, 0, 0.1, 0, 1, 3, 5, 0.7);
    return new PooledEffect(KEY, RETENTION, SiteOddsRatios.EFFECT_TYPE, ReportingScale.LOG_TO_RATIO, 6, 150, null, r,
        null);
  }

  @Test
  void aRetentionModelIsComparedWithThePooledLogOddsRatioOnTheOddsRatioOfRetention() {
    // b = -0.7 on dropout [-1.092, -0.308]: retention OR exp(0.7) = 2.014 [exp(0.308), exp(1.092)]
    IpdModel m = model(-0.7, logOr(0.5, 0.1, 0.9));
    LogisticResult.OddsRatio oneStage = m.retentionOddsRatio();
    assertEquals(Math.exp(0.7), oneStage.oddsRatio(), 1e-12);
    assertEquals(Math.exp(0.7 - Z * 0.2), oneStage.ciLower(), 1e-12);
    assertEquals(Math.exp(0.7 + Z * 0.2), oneStage.ciUpper(), 1e-12);
    assertEquals(IpdModel.AGREE, m.agreement());

    JsonNode c = AnalysisTables.ipdModels(List.of(m)).get(0).get("two_stage_comparison");
    assertEquals("log_or", c.get("effect_type").asText());
    assertEquals(Math.exp(0.5), c.get("estimate").asDouble(), 1e-12);
    assertEquals(Math.exp(0.1), c.get("ci_lower").asDouble(), 1e-12);
    assertEquals(Math.exp(0.9), c.get("ci_upper").asDouble(), 1e-12);
    assertEquals(2.0137527074704766, c.get("one_stage_estimate").asDouble(), 1e-12);
    assertEquals(1.360710790226843, c.get("one_stage_ci_lower").asDouble(), 1e-12);
    assertEquals(2.980207106440771, c.get("one_stage_ci_upper").asDouble(), 1e-12);
    assertEquals(IpdModel.AGREE, c.get("agreement").asText());
    assertFalse(c.get("disagrees_beyond_uncertainty").asBoolean());
    // the model's own odds_ratio block stays that of dropout, exp(b)
    assertEquals(Math.exp(-0.7), AnalysisTables.ipdModels(List.of(m)).get(0).get("odds_ratio").get("estimate")
        .asDouble(), 1e-12);
  }

  /** The pooled OR's interval against 1 (its log OR's against 0), the model's reversed from dropout. */
  @Test
  void theAgreementComparesDirectionsOfTheRetentionOddsRatios() {
    // pooled OR interval includes 1, the model's excludes it: compatible within their uncertainty
    assertEquals(IpdModel.DIFFER_IN_SIGNIFICANCE, model(-0.7, logOr(0.4, -0.1, 0.9)).agreement());
    // pooled OR below 1, the model's retention OR above: a disagreement beyond their uncertainty
    IpdModel opposite = model(-0.7, logOr(-0.5, -0.9, -0.1));
    assertEquals(IpdModel.OPPOSITE_DIRECTIONS, opposite.agreement());
    assertTrue(opposite.disagrees());
    // a positive coefficient on dropout is a retention OR below 1: agrees with a pooled OR below 1
    assertEquals(IpdModel.AGREE, model(0.7, logOr(-0.5, -0.9, -0.1)).agreement());
    // neither excludes 1
    assertEquals(IpdModel.AGREE, model(-0.1, logOr(0.1, -0.3, 0.5)).agreement());
  }

  @Test
  void aComparisonWithAPooledCorrelationHasNoOneStageValueOnItsScale() {
    MetaAnalysisResult r = new MetaAnalysisResult(TauEstimator.REML, SignificanceTest.Z, 6, 0.3, 0.1, 3, 0.1, 0.5,
        0.01, 0.0, 0.6, 0, 0, 0.1, 0, 1, 3, 5, 0.7);
    IpdModel m = model(-0.7, new PooledEffect(KEY, RETENTION, 6, 150, null, r, null));
    assertNull(m.retentionOddsRatio());
    assertEquals(IpdModel.AGREE, m.agreement());
    JsonNode c = AnalysisTables.ipdModels(List.of(m)).get(0).get("two_stage_comparison");
    assertEquals("r", c.get("effect_type").asText());
    assertEquals(Math.tanh(0.3), c.get("estimate").asDouble(), 1e-12);
    assertFalse(c.has("one_stage_estimate"), c.toString());
  }

  /** Not fitted: nothing to compare, and ipd_models.json has no two_stage_comparison for it. */
  @Test
  void aModelNotFittedIsNotCompared() {
    IpdModel m = new IpdModel(KEY, RETENTION, OneStageModel.LOGISTIC, "dropout ~ mean_resolution + site",
        "mean_resolution", List.of(), List.of(), null, false, null, "no site has both retained and dropped-out "
        + "patients", null, logOr(0.5, 0.1, 0.9), 0);
    assertNull(m.retentionOddsRatio());
    assertEquals(IpdModel.NOT_COMPARED, m.agreement());
    JsonNode json = AnalysisTables.ipdModels(List.of(m)).get(0);
    assertTrue(json.has("not_fitted"), json.toString());
    assertFalse(json.has("two_stage_comparison"), json.toString());
  }
}
