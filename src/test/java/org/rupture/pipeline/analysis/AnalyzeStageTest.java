package org.rupture.pipeline.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rupture.pipeline.stats.EffectEstimate;
import org.rupture.pipeline.stats.meta.MetaAnalysisResult;
import org.rupture.pipeline.stats.models.Coefficient;
import org.rupture.pipeline.testing.SparkTestBase;

/**
 * Runs the analysis stage with the default configuration on the fixture cohort (analysis_fixture.R),
 * loaded as the curated tables, and compares every feature, site effect, pooled value, leave-one-out
 * value and one-stage model with R (analysis_golden.R); then checks the planted directions and the files.
 */
class AnalyzeStageTest extends SparkTestBase {
  private static final double TOLERANCE = 1e-6;
  private static final double MIXED_TOLERANCE = 1e-5;
  private static final double FEATURE_TOLERANCE = 1e-12;

  @TempDir
  static Path work;

  private static final String CACHE_COMPRESSED = "spark.sql.inMemoryColumnarStorage.compressed";
  private static scala.Option<String> cacheCompressionBefore;
  private static AnalysisOutcome outcome;
  private static String outputDir;
  private static JsonNode golden;
  /** Largest absolute deviation from R per kind of value, printed at the end. */
  private static final Map<String, Double> MAX_DEVIATION = new TreeMap<>();

  @BeforeAll
  static void runStage() throws Exception {
    String curated = work.resolve("curated").toUri().toString();
    loadCurated("session_ratings", "site STRING, patient_key STRING, therapist_key STRING, treatment STRING, "
        + "session_number INT, session_date DATE, rater STRING, rupture_present BOOLEAN, rupture_intensity DOUBLE, "
        + "rupture_resolution DOUBLE, alliance DOUBLE, session_quality DOUBLE, " + lineage(), curated);
    loadCurated("patients", "site STRING, patient_key STRING, therapist_key STRING, treatment STRING, "
        + "dropout BOOLEAN, sessions_attended INT, therapist_training_phase STRING, " + lineage(), curated);
    loadCurated("outcomes", "site STRING, patient_key STRING, measure STRING, timepoint STRING, score DOUBLE, "
        + "direction STRING, " + lineage(), curated);
    outputDir = work.resolve("out").toUri().toString();
    cacheCompressionBefore = spark().conf().getOption(CACHE_COMPRESSED);
    outcome = AnalyzeStage.run(spark(), AnalysisConfig.defaults(), curated, outputDir);
    golden = new ObjectMapper().readTree(
        AnalyzeStageTest.class.getResourceAsStream("/golden/analysis/analysis_golden.json"));
  }

  private static String lineage() {
    return "source_file STRING, source_row BIGINT, delivery STRING, run_id STRING";
  }

  private static void loadCurated(String table, String schema, String curatedDir) throws Exception {
    String csv = AnalyzeStageTest.class.getResource("/analysis/" + table + ".csv").toURI().toString();
    spark().read().option("header", "true").schema(StructType.fromDDL(schema)).csv(csv)
        .repartition(1).write().partitionBy("site").parquet(curatedDir + "/" + table);
  }

  @AfterAll
  static void reportDeviations() {
    MAX_DEVIATION.forEach((what, deviation) -> System.out.printf("max |Java - R| %-28s %.3e%n", what, deviation));
  }

  @Test
  void letsGoOfEveryKeptTableAndLeavesTheSessionsSettingsAsTheyWere() {
    assertTrue(spark().sharedState().cacheManager().isEmpty(), "tables still kept after the stage");
    assertEquals(cacheCompressionBefore, spark().conf().getOption(CACHE_COMPRESSED));
  }

  @Test
  void featuresMatchR() {
    Dataset<Row> processTable = spark().read().parquet(outputDir + "/curated/patient_process");
    // the session analyses' per-patient sums share the features' aggregation but are not written
    assertEquals(List.of("patient_key", "rater", "sessions_rated", "rupture_rate", "mean_intensity", "mean_resolution",
        "repair_rate", "mean_alliance", "mean_quality", "retained", "site"), List.of(processTable.columns()));
    List<Row> process = processTable.collectAsList();
    Map<String, Row> byKey = new HashMap<>();
    process.forEach(r -> byKey.put(r.getAs("site") + "|" + r.getAs("patient_key") + "|" + r.getAs("rater"), r));
    assertEquals(golden.get("patient_process").size(), process.size(), "patient_process rows");
    for (JsonNode g : golden.get("patient_process")) {
      Row r = byKey.get(g.get("site").asText() + "|" + g.get("patient_key").asText() + "|" + g.get("rater").asText());
      assertNotNull(r, "patient_process row " + g);
      assertEquals(g.get("sessions_rated").asLong(), ((Number) r.getAs("sessions_rated")).longValue());
      for (String f : List.of("rupture_rate", "mean_intensity", "mean_resolution", "repair_rate", "mean_alliance",
          "mean_quality")) {
        compare("features", g.get(f), (Double) r.getAs(f), FEATURE_TOLERANCE, g + " " + f);
      }
      assertEquals(g.get("retained").isNull() ? null : g.get("retained").asBoolean(), r.getAs("retained"));
    }
    List<Row> outcomes = spark().read().parquet(outputDir + "/curated/patient_outcomes").collectAsList();
    Map<String, Row> outcomeByKey = new HashMap<>();
    outcomes.forEach(r -> outcomeByKey.put(r.getAs("site") + "|" + r.getAs("patient_key") + "|" + r.getAs("measure"), r));
    assertEquals(golden.get("patient_outcomes").size(), outcomes.size(), "patient_outcomes rows");
    for (JsonNode g : golden.get("patient_outcomes")) {
      Row r = outcomeByKey.get(g.get("site").asText() + "|" + g.get("patient_key").asText() + "|"
          + g.get("measure").asText());
      assertNotNull(r, "patient_outcomes row " + g);
      for (String f : List.of("baseline", "termination", "improvement")) {
        compare("features", g.get(f), (Double) r.getAs(f), FEATURE_TOLERANCE, g + " " + f);
      }
    }
  }

  @Test
  void siteEffectsMatchR() {
    Map<String, SiteEffect> java = new HashMap<>();
    outcome.siteEffects().forEach(e -> java.put(key(e.key().analysis(), e.key().rater(), e.key().measure()) + "|"
        + e.site(), e));
    assertEquals(golden.get("site_effects").size(), java.size(), "site effects");
    int excluded = 0;
    for (JsonNode g : golden.get("site_effects")) {
      String id = key(g) + "|" + g.get("site").asText();
      SiteEffect e = java.get(id);
      assertNotNull(e, "site effect " + id);
      assertEquals(g.get("effect_type").asText(), e.effectType(), id);
      assertEquals(g.get("n").asLong(), e.n(), id + " n");
      assertEquals(g.get("excluded").asBoolean(), e.excludedReason() != null, id + " excluded: " + e.excludedReason());
      excluded += g.get("excluded").asBoolean() ? 1 : 0;
      EffectEstimate est = e.estimate();
      if (g.get("estimate").isNull()) {
        assertNull(est, id);
        continue;
      }
      compare("site estimate", g.get("estimate"), est.estimate(), TOLERANCE, id);
      compare("site se", g.get("se"), est.se(), TOLERANCE, id);
      compare("site ci", g.get("ci_lower"), est.ciLower(), TOLERANCE, id);
      compare("site ci", g.get("ci_upper"), est.ciUpper(), TOLERANCE, id);
      compare("site p", g.get("p"), est.p(), TOLERANCE, id);
      compare("site yi/vi", g.get("yi"), est.yi(), TOLERANCE, id);
      compare("site yi/vi", g.get("vi"), est.vi(), TOLERANCE, id);
    }
    assertTrue(excluded > 0, "the fixture's small site exercises min_site_n");
  }

  @Test
  void pooledEffectsMatchR() {
    Map<String, PooledEffect> java = new HashMap<>();
    outcome.pooled().forEach(p -> java.put(key(p.key().analysis(), p.key().rater(), p.key().measure()), p));
    assertEquals(golden.get("pooled").size(), java.size(), "pooled effects");
    for (JsonNode g : golden.get("pooled")) {
      String id = key(g);
      PooledEffect p = java.get(id);
      assertNotNull(p, "pooled " + id);
      MetaAnalysisResult r = p.result();
      assertEquals(g.get("k").asInt(), p.k(), id);
      assertEquals(g.get("n_total").asLong(), p.nTotal(), id);
      assertEquals(g.get("Q_df").asInt(), r.qDf(), id);
      compare("pooled estimate", g.get("yi_estimate"), r.estimate(), TOLERANCE, id);
      compare("pooled se", g.get("yi_se"), r.se(), TOLERANCE, id);
      compare("pooled estimate", g.get("estimate"), p.estimate(), TOLERANCE, id);
      compare("pooled ci/pi", g.get("ci_lower"), p.ciLower(), TOLERANCE, id);
      compare("pooled ci/pi", g.get("ci_upper"), p.ciUpper(), TOLERANCE, id);
      compare("pooled ci/pi", g.get("pi_lower"), p.piLower(), TOLERANCE, id);
      compare("pooled ci/pi", g.get("pi_upper"), p.piUpper(), TOLERANCE, id);
      compare("pooled p", g.get("p"), r.p(), TOLERANCE, id);
      compare("pooled tau2 and CI", g.get("tau2"), r.tau2(), TOLERANCE, id);
      compare("pooled tau2 and CI", g.get("tau2_ci_lower"), r.tau2CiLower(), TOLERANCE, id);
      compare("pooled tau2 and CI", g.get("tau2_ci_upper"), r.tau2CiUpper(), TOLERANCE, id);
      compare("pooled I2/H2/Q", g.get("I2"), r.i2(), TOLERANCE, id);
      compare("pooled I2/H2/Q", g.get("H2"), r.h2(), TOLERANCE, id);
      compare("pooled I2/H2/Q", g.get("Q"), r.q(), TOLERANCE, id);
      compare("pooled I2/H2/Q", g.get("Q_p"), r.qP(), TOLERANCE, id);
    }
  }

  @Test
  void leaveOneOutMatchesR() {
    Map<String, LeaveOneOutEffect> java = new HashMap<>();
    outcome.leaveOneOut().forEach(l -> java.put(key(l.pooled().key().analysis(), l.pooled().key().rater(),
        l.pooled().key().measure()) + "|" + l.omittedSite(), l));
    assertEquals(golden.get("leave_one_out").size(), java.size(), "leave-one-out rows");
    for (JsonNode g : golden.get("leave_one_out")) {
      String id = key(g) + "|" + g.get("omitted_site").asText();
      LeaveOneOutEffect l = java.get(id);
      assertNotNull(l, "leave-one-out " + id);
      var scale = l.pooled().scale();
      compare("leave-one-out", g.get("yi_estimate"), l.result().estimate(), TOLERANCE, id);
      compare("leave-one-out", g.get("yi_se"), l.result().se(), TOLERANCE, id);
      compare("leave-one-out", g.get("estimate"), scale.apply(l.result().estimate()), TOLERANCE, id);
      compare("leave-one-out", g.get("ci_lower"), scale.apply(l.result().ciLower()), TOLERANCE, id);
      compare("leave-one-out", g.get("ci_upper"), scale.apply(l.result().ciUpper()), TOLERANCE, id);
      compare("leave-one-out", g.get("p"), l.result().p(), TOLERANCE, id);
      compare("leave-one-out", g.get("tau2"), l.result().tau2(), TOLERANCE, id);
      compare("leave-one-out", g.get("I2"), l.result().i2(), TOLERANCE, id);
      compare("leave-one-out", g.get("H2"), l.result().h2(), TOLERANCE, id);
      compare("leave-one-out", g.get("Q"), l.result().q(), TOLERANCE, id);
      compare("leave-one-out", g.get("Q_p"), l.result().qP(), TOLERANCE, id);
    }
  }

  @Test
  void oneStageModelsMatchLme4AndGlm() {
    Map<String, IpdModel> java = new HashMap<>();
    outcome.ipdModels().forEach(m -> java.put(key(m.key().analysis(), m.key().rater(), m.key().measure()), m));
    assertEquals(golden.get("lmm").size() + golden.get("glm").size(), java.size(), "one-stage models");
    for (JsonNode g : golden.get("lmm")) {
      String id = key(g);
      IpdModel m = java.get(id);
      assertNotNull(m, "linear mixed model " + id);
      assertNull(m.notFitted(), id);
      assertEquals(g.get("n").asLong(), m.mixed().n(), id);
      assertEquals(g.get("k").asInt(), m.mixed().groups(), id);
      List<Coefficient> fixed = m.mixed().fixedEffects();
      for (int j = 0; j < 3; j++) {
        compare("lmer fixed effects", g.get("estimate").get(j), fixed.get(j).estimate(), MIXED_TOLERANCE, id);
        compare("lmer fixed-effect se", g.get("se").get(j), fixed.get(j).se(), MIXED_TOLERANCE, id);
      }
      compare("lmer variance components", g.get("site_intercept_variance"), m.mixed().interceptVariance(),
          MIXED_TOLERANCE, id);
      compare("lmer variance components", g.get("residual_variance"), m.mixed().residualVariance(), MIXED_TOLERANCE,
          id);
      compare("lmer REML criterion", g.get("reml_criterion"), m.mixed().remlCriterion(), MIXED_TOLERANCE, id);
    }
    for (JsonNode g : golden.get("glm")) {
      String id = key(g);
      IpdModel m = java.get(id);
      assertNotNull(m, "logistic model " + id);
      assertNull(m.notFitted(), id);
      assertEquals(g.get("n").asLong(), m.logistic().n(), id);
      List<String> sites = new ArrayList<>();
      g.get("sites").forEach(s -> sites.add(s.asText()));
      assertEquals(sites, m.sites(), id);
      var ratio = m.logistic().oddsRatio(m.predictorTerm());
      compare("glm coefficient/se", g.get("estimate"), m.predictor().estimate(), TOLERANCE, id);
      compare("glm coefficient/se", g.get("se"), m.predictor().se(), TOLERANCE, id);
      compare("glm odds ratio and CI", g.get("odds_ratio"), ratio.oddsRatio(), TOLERANCE, id);
      compare("glm odds ratio and CI", g.get("or_ci_lower"), ratio.ciLower(), TOLERANCE, id);
      compare("glm odds ratio and CI", g.get("or_ci_upper"), ratio.ciUpper(), TOLERANCE, id);
      compare("glm deviance", g.get("deviance"), m.logistic().deviance(), TOLERANCE, id);
    }
  }

  /** The fixture plants every claimed direction (analysis_fixture.R); the pooled data must show each. */
  @Test
  void plantedDirectionsAreFound() {
    assertEquals(23, outcome.pooled().size());
    for (Evidence e : outcome.evidence()) {
      assertEquals(Evidence.SUPPORTS, e.verdict(), e.pooled().key() + " " + e.pooled().spec().claim());
    }
    for (IpdModel m : outcome.ipdModels()) {
      assertFalse(m.disagrees(), m.key() + " one-stage vs two-stage: " + m.agreement());
    }
    assertTrue(outcome.summaryLines().stream().skip(1).allMatch(l -> l.contains(" yes ") && l.endsWith("supports")),
        String.join("\n", outcome.summaryLines()));
    assertTrue(outcome.notes().isEmpty(), outcome.notes().toString());
  }

  @Test
  void writesTheResultFilesOfSpec8() throws IOException {
    Path results = work.resolve("out/results");
    assertEquals("analysis,predictor,outcome,measure,rater,site,effect_type,n,estimate,se,ci_lower,ci_upper,p,yi,vi,"
        + "excluded_reason", firstLine(results.resolve("site_effects.csv")));
    assertEquals("analysis,predictor,outcome,measure,rater,effect_type,method,test,k,n_total,yi_estimate,yi_se,"
        + "estimate,ci_lower,ci_upper,p,pi_lower,pi_upper,tau2,tau2_ci_lower,tau2_ci_upper,I2,H2,Q,Q_df,Q_p,note",
        firstLine(results.resolve("pooled.csv")));
    assertEquals(outcome.siteEffects().size() + 1, Files.readAllLines(results.resolve("site_effects.csv")).size());
    assertEquals(outcome.siteEffects().size(), spark().read().parquet(outputDir + "/results/site_effects").count());
    assertEquals(outcome.pooled().size(), spark().read().parquet(outputDir + "/results/pooled").count());
    assertEquals(outcome.leaveOneOut().size() + 1, Files.readAllLines(results.resolve("leave_one_out.csv")).size());

    JsonNode pooledJson = new ObjectMapper().readTree(results.resolve("pooled.json").toFile());
    assertEquals(outcome.pooled().size(), pooledJson.size());
    JsonNode first = pooledJson.get(0);
    PooledEffect p = outcome.pooled().get(0);
    assertEquals(p.spec().id(), first.get("analysis").asText());
    assertEquals("REML", first.get("method").asText());
    assertEquals("z", first.get("test").asText());
    assertEquals(p.estimate(), first.get("estimate").asDouble(), 0.0);

    JsonNode ipd = new ObjectMapper().readTree(results.resolve("ipd_models.json").toFile());
    assertEquals(outcome.ipdModels().size(), ipd.size());
    for (JsonNode model : ipd) {
      assertTrue(model.has("fixed_effects") && model.has("n") && model.has("k"), model.toString());
      assertTrue(model.has(model.get("model").asText().startsWith("linear") ? "variance_components" : "odds_ratio"));
    }
    assertTrue(Files.exists(results.resolve("evidence.csv")) && Files.exists(results.resolve("evidence.json")));
    assertEquals(golden.get("patient_process").size(), outcome.rowsWritten().get("patient_process"));
  }

  private static String firstLine(Path file) throws IOException {
    return Files.readAllLines(file).get(0);
  }

  private static String key(JsonNode g) {
    return key(g.get("analysis").asText(), text(g.get("rater")), text(g.get("measure")));
  }

  private static String key(String analysis, String rater, String measure) {
    return analysis + "|" + rater + "|" + measure;
  }

  private static String text(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }

  /** Compares with R (null in R = null/NaN in Java) and records the deviation. */
  private static void compare(String what, JsonNode expected, Double actual, double tolerance, String where) {
    if (expected == null || expected.isNull()) {
      assertTrue(actual == null || Double.isNaN(actual), where + ": R has no value, Java has " + actual);
      return;
    }
    assertNotNull(actual, where + ": Java has no value, R has " + expected);
    double deviation = Math.abs(expected.asDouble() - actual);
    MAX_DEVIATION.merge(what, deviation, Math::max);
    assertEquals(expected.asDouble(), actual, tolerance, where);
  }
}
