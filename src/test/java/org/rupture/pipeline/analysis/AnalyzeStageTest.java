package org.rupture.pipeline.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rupture.pipeline.report.ConsoleSummary;
import org.rupture.pipeline.stats.EffectEstimate;
import org.rupture.pipeline.stats.meta.MetaAnalysisResult;
import org.rupture.pipeline.stats.models.Coefficient;
import org.rupture.pipeline.testing.SparkTestBase;

/**
 * Runs the analysis stage with the default configuration on the fixture cohort (analysis_fixture.R),
 * loaded as the curated tables, and compares every feature, site effect, pooled value, leave-one-out
 * value and one-stage model with R (analysis_golden.R); then checks the planted directions and the files.
 * A second run on the same curated tables with a non-default configuration (the golden's
 * {@code non_default.config}: meta-analysis method PM, Knapp-Hartung test, random slope per site) is
 * compared with R the same way: every pooled, leave-one-out and evidence value and every one-stage model.
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
  /** The run with the golden's non-default configuration, its output and golden section. */
  private static AnalysisOutcome nonDefault;
  private static AnalysisConfig nonDefaultConfig;
  private static JsonNode nonDefaultGolden;
  /** How the non-default run's values are labelled in the deviation report. */
  private static final String NON_DEFAULT = "PM/knha/slope ";
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
    // the same curated tables (loaded once), analysed again under the configuration R used for non_default
    nonDefaultGolden = golden.get("non_default");
    JsonNode r = nonDefaultGolden.get("config");
    nonDefaultConfig = AnalysisConfig.parse(new ObjectMapper(new YAMLFactory()).readTree(
        "meta: {method: " + r.get("method").asText() + ", test: " + r.get("test").asText() + "}\n"
        + "ipd: {random_slope: " + r.get("random_slope").asBoolean() + "}\n"), "non-default.yaml");
    nonDefault = AnalyzeStage.run(spark(), nonDefaultConfig, curated, work.resolve("non-default").toUri().toString());
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
    MAX_DEVIATION.forEach((what, deviation) -> System.out.printf("max |Java - R| %-42s %.3e%n", what, deviation));
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
        + e.effectType() + "|" + e.site(), e));
    assertEquals(golden.get("site_effects").size(), java.size(), "site effects");
    int excluded = 0;
    for (JsonNode g : golden.get("site_effects")) {
      String id = key(g) + "|" + g.get("effect_type").asText() + "|" + g.get("site").asText();
      SiteEffect e = java.get(id);
      assertNotNull(e, "site effect " + id);
      assertEquals(g.get("effect_type").asText(), e.effectType(), id);
      assertEquals(g.get("n").asLong(), e.n(), id + " n");
      assertEquals(g.get("excluded").asBoolean(), e.excludedReason() != null, id + " excluded: " + e.excludedReason());
      excluded += g.get("excluded").asBoolean() ? 1 : 0;
      EffectEstimate est = e.estimate();
      String c = e.effectType().equals("log_or") ? "log_or " : "";
      if (g.get("estimate").isNull()) {
        assertNull(est, id);
        continue;
      }
      compare(c + "site estimate", g.get("estimate"), est.estimate(), TOLERANCE, id);
      compare(c + "site se", g.get("se"), est.se(), TOLERANCE, id);
      compare(c + "site ci", g.get("ci_lower"), est.ciLower(), TOLERANCE, id);
      compare(c + "site ci", g.get("ci_upper"), est.ciUpper(), TOLERANCE, id);
      compare(c + "site p", g.get("p"), est.p(), TOLERANCE, id);
      compare(c + "site yi/vi", g.get("yi"), est.yi(), TOLERANCE, id);
      compare(c + "site yi/vi", g.get("vi"), est.vi(), TOLERANCE, id);
    }
    assertTrue(excluded > 0, "the fixture's small site exercises min_site_n");
  }

  @Test
  void pooledEffectsMatchR() {
    assertPooledMatchesR(golden.get("pooled"), outcome, "");
  }

  /** rma(method = "PM", test = "knha"): its tau^2, Knapp-Hartung t test, CI and PI on k - 1 df, Q-profile CI. */
  @Test
  void nonDefaultPooledEffectsMatchR() {
    assertEquals(List.of("PM", "knha"), List.of(nonDefaultConfig.method().name(),
        nonDefaultConfig.test().name().toLowerCase(java.util.Locale.ROOT)));
    assertPooledMatchesR(nonDefaultGolden.get("pooled"), nonDefault, NON_DEFAULT);
  }

  /** Both runs pool the same site effects: the configuration changes none of them. */
  @Test
  void nonDefaultRunHasTheSameSiteEffects() {
    assertEquals(outcome.siteEffects().size(), nonDefault.siteEffects().size());
    for (int i = 0; i < outcome.siteEffects().size(); i++) {
      SiteEffect a = outcome.siteEffects().get(i);
      SiteEffect b = nonDefault.siteEffects().get(i);
      assertEquals(List.of(a.key(), a.site(), a.effectType(), a.n(), Objects.toString(a.estimate()),
          Objects.toString(a.excludedReason()), java.util.Arrays.toString(a.groupSizes())),
          List.of(b.key(), b.site(), b.effectType(), b.n(), Objects.toString(b.estimate()),
              Objects.toString(b.excludedReason()), java.util.Arrays.toString(b.groupSizes())));
    }
  }

  private static void assertPooledMatchesR(JsonNode goldenPooled, AnalysisOutcome outcome, String label) {
    Map<String, PooledEffect> java = new HashMap<>();
    outcome.pooled().forEach(p -> java.put(key(p.key().analysis(), p.key().rater(), p.key().measure()) + "|"
        + p.effectType(), p));
    assertEquals(goldenPooled.size(), java.size(), "pooled effects");
    for (JsonNode g : goldenPooled) {
      String id = key(g) + "|" + g.get("effect_type").asText();
      PooledEffect p = java.get(id);
      assertNotNull(p, "pooled " + id);
      assertEquals(g.get("effect_type").asText(), p.effectType(), id);
      MetaAnalysisResult r = p.result();
      String c = p.effectType().equals("log_or") ? "log_or " : "";
      assertEquals(g.get("k").asInt(), p.k(), id);
      assertEquals(g.get("n_total").asLong(), p.nTotal(), id);
      if (!g.get("n1_total").isNull()) {
        assertEquals(List.of(g.get("n1_total").asLong(), g.get("n2_total").asLong()),
            List.of(p.groupTotals()[0], p.groupTotals()[1]), id + " group totals");
      }
      assertEquals(g.get("Q_df").asInt(), r.qDf(), id);
      compare(label + c + "pooled estimate", g.get("yi_estimate"), r.estimate(), TOLERANCE, id);
      compare(label + c + "pooled se", g.get("yi_se"), r.se(), TOLERANCE, id);
      compare(label + c + "pooled estimate", g.get("estimate"), p.estimate(), TOLERANCE, id);
      compare(label + c + "pooled ci/pi", g.get("ci_lower"), p.ciLower(), TOLERANCE, id);
      compare(label + c + "pooled ci/pi", g.get("ci_upper"), p.ciUpper(), TOLERANCE, id);
      compare(label + c + "pooled ci/pi", g.get("pi_lower"), p.piLower(), TOLERANCE, id);
      compare(label + c + "pooled ci/pi", g.get("pi_upper"), p.piUpper(), TOLERANCE, id);
      compare(label + c + "pooled p", g.get("p"), r.p(), TOLERANCE, id);
      compare(label + c + "pooled tau2 and CI", g.get("tau2"), r.tau2(), TOLERANCE, id);
      compare(label + c + "pooled tau2 and CI", g.get("tau2_ci_lower"), r.tau2CiLower(), TOLERANCE, id);
      compare(label + c + "pooled tau2 and CI", g.get("tau2_ci_upper"), r.tau2CiUpper(), TOLERANCE, id);
      compare(label + c + "pooled I2/H2/Q", g.get("I2"), r.i2(), TOLERANCE, id);
      compare(label + c + "pooled I2/H2/Q", g.get("H2"), r.h2(), TOLERANCE, id);
      compare(label + c + "pooled I2/H2/Q", g.get("Q"), r.q(), TOLERANCE, id);
      compare(label + c + "pooled I2/H2/Q", g.get("Q_p"), r.qP(), TOLERANCE, id);
    }
  }

  @Test
  void leaveOneOutMatchesR() {
    assertLeaveOneOutMatchesR(golden.get("leave_one_out"), outcome, "");
  }

  @Test
  void nonDefaultLeaveOneOutMatchesR() {
    assertLeaveOneOutMatchesR(nonDefaultGolden.get("leave_one_out"), nonDefault, NON_DEFAULT);
  }

  private static void assertLeaveOneOutMatchesR(JsonNode goldenRows, AnalysisOutcome outcome, String label) {
    Map<String, LeaveOneOutEffect> java = new HashMap<>();
    outcome.leaveOneOut().forEach(l -> java.put(key(l.pooled().key().analysis(), l.pooled().key().rater(),
        l.pooled().key().measure()) + "|" + l.pooled().effectType() + "|" + l.omittedSite(), l));
    assertEquals(goldenRows.size(), java.size(), "leave-one-out rows");
    for (JsonNode g : goldenRows) {
      String id = key(g) + "|" + g.get("effect_type").asText() + "|" + g.get("omitted_site").asText();
      LeaveOneOutEffect l = java.get(id);
      assertNotNull(l, "leave-one-out " + id);
      var scale = l.pooled().scale();
      compare(label + "leave-one-out", g.get("yi_estimate"), l.result().estimate(), TOLERANCE, id);
      compare(label + "leave-one-out", g.get("yi_se"), l.result().se(), TOLERANCE, id);
      compare(label + "leave-one-out", g.get("estimate"), scale.apply(l.result().estimate()), TOLERANCE, id);
      compare(label + "leave-one-out", g.get("ci_lower"), scale.apply(l.result().ciLower()), TOLERANCE, id);
      compare(label + "leave-one-out", g.get("ci_upper"), scale.apply(l.result().ciUpper()), TOLERANCE, id);
      compare(label + "leave-one-out", g.get("p"), l.result().p(), TOLERANCE, id);
      compare(label + "leave-one-out", g.get("tau2"), l.result().tau2(), TOLERANCE, id);
      compare(label + "leave-one-out", g.get("I2"), l.result().i2(), TOLERANCE, id);
      compare(label + "leave-one-out", g.get("H2"), l.result().h2(), TOLERANCE, id);
      compare(label + "leave-one-out", g.get("Q"), l.result().q(), TOLERANCE, id);
      compare(label + "leave-one-out", g.get("Q_p"), l.result().qP(), TOLERANCE, id);
    }
  }

  /**
   * The evidence rows: the verdict on each claim and, per published effect, the pooled interval on its scale
   * (a pooled g as r with the pooled group sizes) and the overlap, as R derives them from rma's CI.
   */
  @Test
  void evidenceMatchesR() {
    assertEvidenceMatchesR(golden.get("evidence"), outcome, "");
  }

  /** Under the Knapp-Hartung CI some claims are inconclusive: the verdicts follow R's. */
  @Test
  void nonDefaultEvidenceMatchesR() {
    assertEvidenceMatchesR(nonDefaultGolden.get("evidence"), nonDefault, NON_DEFAULT);
  }

  private static void assertEvidenceMatchesR(JsonNode goldenRows, AnalysisOutcome outcome, String label) {
    Map<String, List<Evidence>> java = new HashMap<>();
    outcome.evidence().forEach(e -> java.computeIfAbsent(key(e.pooled().key().analysis(), e.pooled().key().rater(),
        e.pooled().key().measure()) + "|" + e.pooled().effectType(), k -> new ArrayList<>()).add(e));
    assertEquals(goldenRows.size(), outcome.evidence().size(), "evidence rows");
    Map<String, Integer> seen = new HashMap<>();
    for (JsonNode g : goldenRows) {
      String id = key(g) + "|" + g.get("effect_type").asText();
      int i = seen.merge(id, 1, Integer::sum) - 1;
      List<Evidence> rows = java.get(id);
      assertNotNull(rows, "evidence " + id);
      Evidence e = rows.get(i);
      String where = id + " published " + i;
      assertEquals(g.get("verdict").asText(), e.verdict(), where);
      assertEquals(text(g.get("published_source")), e.published() == null ? null : e.published().source(), where);
      compare(label + "evidence comparable", g.get("comparable_estimate"), e.comparableEstimate(), TOLERANCE, where);
      compare(label + "evidence comparable", g.get("comparable_ci_lower"), e.comparableCiLower(), TOLERANCE, where);
      compare(label + "evidence comparable", g.get("comparable_ci_upper"), e.comparableCiUpper(), TOLERANCE, where);
      assertEquals(g.get("compatible").isNull() ? null : g.get("compatible").asBoolean(), e.compatible(), where);
    }
    seen.forEach((id, count) -> assertEquals(count.intValue(), java.get(id).size(), id));
  }

  @Test
  void oneStageModelsMatchLme4AndGlm() throws IOException {
    Map<String, JsonNode> glmComparison = new HashMap<>();
    golden.get("glm").forEach(g -> glmComparison.put(key(g), g));
    assertOneStageModelsMatchR(golden.get("lmm"), glmComparison, outcome, work.resolve("out"), "");
  }

  /**
   * lmer(improvement ~ x + baseline + (1 | site) + (0 + x | site)): every fixed effect, the three variance
   * components (also as ipd_models.json writes them) and the REML criterion; the retention models (which the
   * configuration does not change) with their comparison with the Knapp-Hartung pooled log OR. On this fixture lme4
   * finds one regular fit (resolution_outcome|patient|IIP) and nine on the boundary (a theta of 0 or ~1e-8,
   * isSingular), each optimum confirmed by a second optimiser (non_default.lmm: theta, singular,
   * second_optimiser_theta_difference); at such an optimum every reported value is still well defined.
   */
  @Test
  void nonDefaultOneStageModelsMatchLme4AndGlm() throws IOException {
    assertTrue(nonDefaultConfig.ipdRandomSlope());
    Map<String, JsonNode> glmComparison = new HashMap<>();
    nonDefaultGolden.get("glm_agreement").forEach(g -> glmComparison.put(key(g), g));
    assertOneStageModelsMatchR(nonDefaultGolden.get("lmm"), glmComparison, nonDefault, work.resolve("non-default"),
        NON_DEFAULT);
    long regular = 0;
    for (JsonNode g : nonDefaultGolden.get("lmm")) {
      regular += g.get("singular").asBoolean() ? 0 : 1;
      assertTrue(g.get("second_optimiser_theta_difference").asDouble() < 1e-7, key(g) + ": R's optimum unconfirmed");
    }
    assertTrue(regular > 0, "no regular random-slope fit in R: the slope variance is only compared at 0");
  }

  /**
   * Every linear mixed model against lmer (golden {@code lmm}, with {@code site_slope_variance} when the
   * configuration has the random slope) and every retention model against glm (golden {@code glm}, whose
   * models no configuration key changes; their comparison with the pooled log OR, which it does change, by key
   * from {@code glmComparison}), in the outcome and in {@code <out>/results/ipd_models.json}.
   */
  private static void assertOneStageModelsMatchR(JsonNode goldenLmm, Map<String, JsonNode> glmComparison,
      AnalysisOutcome outcome, Path out, String label) throws IOException {
    Map<String, IpdModel> java = new HashMap<>();
    outcome.ipdModels().forEach(m -> java.put(key(m.key().analysis(), m.key().rater(), m.key().measure()), m));
    Map<String, JsonNode> written = new HashMap<>();
    new ObjectMapper().readTree(out.resolve("results/ipd_models.json").toFile()).forEach(
        m -> written.put(key(m.get("analysis").asText(), text(m.get("rater")), text(m.get("measure"))), m));
    assertEquals(goldenLmm.size() + golden.get("glm").size(), java.size(), "one-stage models");
    for (JsonNode g : goldenLmm) {
      String id = key(g);
      IpdModel m = java.get(id);
      assertNotNull(m, "linear mixed model " + id);
      assertNull(m.notFitted(), id);
      assertEquals(g.get("n").asLong(), m.mixed().n(), id);
      assertEquals(g.get("k").asInt(), m.mixed().groups(), id);
      List<Coefficient> fixed = m.mixed().fixedEffects();
      assertEquals(g.get("estimate").size(), fixed.size(), id);
      for (int j = 0; j < fixed.size(); j++) {
        String term = id + " " + fixed.get(j).name();
        compare(label + "lmer fixed effects", g.get("estimate").get(j), fixed.get(j).estimate(), MIXED_TOLERANCE,
            term);
        compare(label + "lmer fixed-effect se", g.get("se").get(j), fixed.get(j).se(), MIXED_TOLERANCE, term);
        compare(label + "lmer fixed-effect statistic", g.get("statistic").get(j), fixed.get(j).statistic(),
            MIXED_TOLERANCE, term);
        compare(label + "lmer fixed-effect ci", g.get("ci_lower").get(j), fixed.get(j).ciLower(), MIXED_TOLERANCE,
            term);
        compare(label + "lmer fixed-effect ci", g.get("ci_upper").get(j), fixed.get(j).ciUpper(), MIXED_TOLERANCE,
            term);
        compare(label + "lmer fixed-effect p", g.get("p").get(j), fixed.get(j).p(), MIXED_TOLERANCE, term);
      }
      compare(label + "lmer variance components", g.get("site_intercept_variance"), m.mixed().interceptVariance(),
          MIXED_TOLERANCE, id);
      compare(label + "lmer variance components", g.get("residual_variance"), m.mixed().residualVariance(),
          MIXED_TOLERANCE, id);
      compare(label + "lmer REML criterion", g.get("reml_criterion"), m.mixed().remlCriterion(), MIXED_TOLERANCE, id);
      // ipd_models.json: the formula and variance components as written, site_slope only with the random slope
      JsonNode model = written.get(id);
      assertNotNull(model, "ipd_models.json has no model " + id);
      boolean slope = g.has("site_slope_variance");
      assertEquals(slope, m.randomSlope(), id);
      assertEquals(slope, model.get("formula").asText().endsWith(" + (0 + " + m.predictorTerm() + " | site)"),
          model.get("formula").asText());
      JsonNode variance = model.get("variance_components");
      assertEquals(slope ? List.of("site_intercept", "site_slope", "residual") : List.of("site_intercept", "residual"),
          fieldNames(variance), id);
      compare(label + "lmer variance components (json)", g.get("site_intercept_variance"),
          variance.get("site_intercept").asDouble(), MIXED_TOLERANCE, id);
      compare(label + "lmer variance components (json)", g.get("residual_variance"), variance.get("residual").asDouble(),
          MIXED_TOLERANCE, id);
      if (slope) {
        compare(label + "lmer slope variance", g.get("site_slope_variance"), m.mixed().slopeVariance(), MIXED_TOLERANCE,
            id);
        compare(label + "lmer slope variance (json)", g.get("site_slope_variance"), variance.get("site_slope").asDouble(),
            MIXED_TOLERANCE, id);
      }
      compare(label + "lmer REML criterion (json)", g.get("reml_criterion"), model.get("reml_criterion").asDouble(),
          MIXED_TOLERANCE, id);
      assertAgreement(g.get("agreement").asText(), m, model);
      // compared with the analysis's own effect, whose scale the slope does not share: no one-stage value on it
      assertEquals(m.spec().kind().effectType(), model.get("two_stage_comparison").get("effect_type").asText(), id);
      assertNull(m.retentionOddsRatio(), id);
      assertFalse(model.get("two_stage_comparison").has("one_stage_estimate"), id);
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
      compare(label + "glm coefficient", g.get("estimate"), m.predictor().estimate(), TOLERANCE, id);
      compare(label + "glm se", g.get("se"), m.predictor().se(), TOLERANCE, id);
      compare(label + "glm odds ratio", g.get("odds_ratio"), ratio.oddsRatio(), TOLERANCE, id);
      compare(label + "glm odds ratio ci", g.get("or_ci_lower"), ratio.ciLower(), TOLERANCE, id);
      compare(label + "glm odds ratio ci", g.get("or_ci_upper"), ratio.ciUpper(), TOLERANCE, id);
      compare(label + "glm odds ratio p", g.get("or_p"), ratio.p(), TOLERANCE, id);
      compare(label + "glm deviance", g.get("deviance"), m.logistic().deviance(), TOLERANCE, id);
      // every coefficient of ipd_models.json (intercept, predictor, site indicators), by R's term name
      List<Coefficient> coefficients = m.logistic().coefficients();
      assertEquals(g.get("terms").size(), coefficients.size(), id);
      for (int j = 0; j < coefficients.size(); j++) {
        Coefficient c = m.logistic().coefficient(g.get("terms").get(j).asText());
        String term = id + " " + c.name();
        compare(label + "glm coefficient", g.get("coef_estimate").get(j), c.estimate(), TOLERANCE, term);
        compare(label + "glm se", g.get("coef_se").get(j), c.se(), TOLERANCE, term);
        compare(label + "glm z", g.get("coef_statistic").get(j), c.statistic(), TOLERANCE, term);
        compare(label + "glm p", g.get("coef_p").get(j), c.p(), TOLERANCE, term);
        compare(label + "glm coefficient ci", g.get("coef_ci_lower").get(j), c.ciLower(), TOLERANCE, term);
        compare(label + "glm coefficient ci", g.get("coef_ci_upper").get(j), c.ciUpper(), TOLERANCE, term);
      }
      JsonNode comparison = glmComparison.get(id);
      assertNotNull(comparison, "R has no two-stage comparison for " + id);
      assertAgreement(comparison.get("agreement").asText(), m, written.get(id));
      assertRetentionComparison(label, g, comparison, m, written.get(id).get("two_stage_comparison"));
    }
  }

  /**
   * A retention model's two_stage_comparison on one scale, the odds ratio of retention: the pooled log OR row
   * (effect_type log_or; its OR and CI as rma gives them under the run's configuration) and the model's
   * coefficient on dropout turned into it, exp(-b) with CI exp(-upper), exp(-lower) (as R computes from glm).
   */
  private static void assertRetentionComparison(String label, JsonNode g, JsonNode comparison, IpdModel m,
      JsonNode written) {
    String id = key(g);
    assertEquals("log_or", comparison.get("effect_type").asText(), id);
    assertEquals("log_or", m.twoStage().effectType(), id);
    assertEquals("log_or", written.get("effect_type").asText(), id);
    compare(label + "two-stage log OR (OR)", comparison.get("two_stage_estimate"), m.twoStage().estimate(), TOLERANCE,
        id);
    compare(label + "two-stage log OR (OR)", comparison.get("two_stage_ci_lower"), m.twoStage().ciLower(), TOLERANCE,
        id);
    compare(label + "two-stage log OR (OR)", comparison.get("two_stage_ci_upper"), m.twoStage().ciUpper(), TOLERANCE,
        id);
    var oneStage = m.retentionOddsRatio();
    assertNotNull(oneStage, id);
    compare(label + "glm retention OR", g.get("retention_or"), oneStage.oddsRatio(), TOLERANCE, id);
    compare(label + "glm retention OR", g.get("retention_or_ci_lower"), oneStage.ciLower(), TOLERANCE, id);
    compare(label + "glm retention OR", g.get("retention_or_ci_upper"), oneStage.ciUpper(), TOLERANCE, id);
    // as written: two-stage estimate and CI, one-stage estimate and CI, all OR of retention
    for (String[] f : new String[][] {{"estimate", "two_stage_estimate"}, {"ci_lower", "two_stage_ci_lower"},
        {"ci_upper", "two_stage_ci_upper"}}) {
      assertTrue(written.has(f[0]), id + " two_stage_comparison has no " + f[0]);
      compare(label + "two-stage log OR (OR, json)", comparison.get(f[1]), written.get(f[0]).asDouble(), TOLERANCE,
          id + " " + f[0]);
    }
    for (String[] f : new String[][] {{"one_stage_estimate", "retention_or"},
        {"one_stage_ci_lower", "retention_or_ci_lower"}, {"one_stage_ci_upper", "retention_or_ci_upper"}}) {
      assertTrue(written.has(f[0]), id + " two_stage_comparison has no " + f[0]);
      compare(label + "glm retention OR (json)", g.get(f[1]), written.get(f[0]).asDouble(), TOLERANCE, id + " " + f[0]);
    }
  }

  private static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** One-stage vs two-stage agreement as R derives it from lmer's / glm's Wald CI and rma's CI, also as written. */
  private static void assertAgreement(String expected, IpdModel m, JsonNode written) {
    String id = key(m.key().analysis(), m.key().rater(), m.key().measure());
    assertNotNull(expected, "R has no agreement for " + id);
    boolean disagrees = expected.equals(IpdModel.OPPOSITE_DIRECTIONS);
    assertEquals(expected, m.agreement(), id);
    assertEquals(disagrees, m.disagrees(), id);
    assertNotNull(written, "ipd_models.json has no model " + id);
    assertEquals(expected, written.get("two_stage_comparison").get("agreement").asText(), id);
    assertEquals(disagrees, written.get("two_stage_comparison").get("disagrees_beyond_uncertainty").asBoolean(), id);
  }

  /** The fixture plants every claimed direction (analysis_fixture.R); the pooled data must show each. */
  @Test
  void plantedDirectionsAreFound() {
    assertEquals(25, outcome.pooled().size());
    assertEquals(2, outcome.pooled().stream().filter(p -> p.effectType().equals("log_or")).count());
    for (Evidence e : outcome.evidence()) {
      assertEquals(Evidence.SUPPORTS, e.verdict(), e.pooled().key() + " " + e.pooled().spec().claim());
    }
    for (IpdModel m : outcome.ipdModels()) {
      assertFalse(m.disagrees(), m.key() + " one-stage vs two-stage: " + m.agreement());
    }
    // the console table: every row met and supports, then the legend (no row not pooled, so no note)
    List<String> table = outcome.summaryLines();
    assertEquals(1 + outcome.pooled().size() + ConsoleSummary.LEGEND.size(), table.size(), String.join("\n", table));
    List<String> rows = table.subList(1, 1 + outcome.pooled().size());
    assertTrue(rows.stream().allMatch(l -> l.contains(" yes  supports ")), String.join("\n", rows));
    assertEquals(ConsoleSummary.LEGEND, table.subList(1 + outcome.pooled().size(), table.size()));
    // vs published is what evidence says of the claim's published effects (a claim citing none: -)
    for (int i = 0; i < outcome.pooled().size(); i++) {
      PooledEffect p = outcome.pooled().get(i);
      List<Boolean> compatible = outcome.evidence().stream().filter(e -> e.pooled() == p && e.published() != null)
          .map(Evidence::compatible).toList();
      long yes = compatible.stream().filter(Boolean::booleanValue).count();
      String expected = compatible.isEmpty() ? "-" : compatible.size() == 1 ? (yes == 1 ? "compatible" : "incompatible")
          : yes + "/" + compatible.size() + " compatible";
      assertTrue(rows.get(i).startsWith(p.spec().id()) && rows.get(i).endsWith("supports        " + expected),
          rows.get(i));
    }
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
    // predictor and outcome as SPEC 7's table names them
    for (String table : List.of("site_effects.csv", "pooled.csv", "leave_one_out.csv")) {
      List<String> lines = Files.readAllLines(results.resolve(table));
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("treatment_difference,rupture_rate (CBT vs others),,")),
          table);
      assertTrue(lines.stream().filter(l -> l.startsWith("treatment_difference,")).allMatch(
          l -> l.startsWith("treatment_difference,rupture_rate (CBT vs others),,")), table);
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("training_effect,therapist_training_phase (post vs pre),"
          + "improvement,")), table);
    }
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

  /**
   * A tiny cohort of three sites: S01 complete, S02 with every session_quality empty and every outcome NA,
   * S03 with one patient rated in one session. Each site has data, so each gets a row in every reported
   * analysis x rater x measure, also where no patient of it has a complete pair (SPEC 6, 7).
   */
  @Test
  void aSiteWithoutACompletePairIsKeptWithWhatItLacks() throws Exception {
    String curated = gapCohort("gaps");

    AnalysisOutcome gaps = AnalyzeStage.run(spark(), AnalysisConfig.defaults(), curated,
        work.resolve("gaps/out").toUri().toString());

    Map<String, SiteEffect> bySite = new HashMap<>();
    Map<String, List<String>> sitesByKey = new TreeMap<>();
    for (SiteEffect e : gaps.siteEffects()) {
      String id = key(e.key().analysis(), e.key().rater(), e.key().measure())
          + (e.effectType().equals("log_or") ? "|log_or" : "");
      bySite.put(id + "|" + e.site(), e);
      sitesByKey.computeIfAbsent(id, k -> new ArrayList<>()).add(e.site());
    }
    sitesByKey.forEach((id, sites) -> assertEquals(List.of("S01", "S02", "S03"), sites, id));
    assertTrue(sitesByKey.containsKey("resolution_outcome|patient|IIP"), sitesByKey.keySet().toString());
    assertTrue(sitesByKey.containsKey("resolution_quality|patient|null"), sitesByKey.keySet().toString());
    assertTrue(sitesByKey.containsKey("training_effect|null|IIP"), sitesByKey.keySet().toString());
    assertTrue(sitesByKey.containsKey("resolution_retention|patient|null|log_or"), sitesByKey.keySet().toString());

    assertNoPatient(bySite.get("resolution_outcome|patient|IIP|S02"),
        "no patient with both mean_resolution and improvement on IIP");
    assertNoPatient(bySite.get("resolution_quality|patient|null|S02"),
        "no patient with both rupture_resolution and session_quality in at least 2 early-window rupture sessions");
    // S03's one patient has one usable session: it has a unit row, but no patient counts for r_rm
    assertNoPatient(bySite.get("resolution_quality|patient|null|S03"),
        "no patient with both rupture_resolution and session_quality in at least 2 early-window rupture sessions");
    assertNoPatient(bySite.get("training_effect|null|IIP|S02"),
        "no patient in either group of therapist_training_phase (post vs pre) with improvement on IIP");
    // too small, and too small for a correlation at all: both, so that the blank estimate is explained
    assertEquals("n=1 below min_site_n=10; Pearson correlation needs at least 4 complete pairs (its confidence "
        + "interval uses n - 3), got 1", bySite.get("resolution_outcome|patient|IIP|S03").excludedReason());
    assertTrue(Files.readAllLines(work.resolve("gaps/out/results/site_effects.csv")).stream().anyMatch(
        l -> l.startsWith("resolution_outcome,") && l.contains(",S02,r,0,")
            && l.endsWith(",no patient with both mean_resolution and improvement on IIP")),
        "S02's row reaches site_effects.csv");
  }

  /**
   * The gap cohort (only patients rated, IIP alone delivered) analysed for patient, therapist and observer and
   * for IIP and GAF: the raters and the measure no site has data for are reported all the same, every site
   * with n = 0 and what it lacks, pooled with k = 0 and the note "no site has data: ...", in every output.
   */
  @Test
  void aRaterOrMeasureNoSiteHasDataForIsReportedWithWhatIsMissing() throws Exception {
    String curated = gapCohort("nodata");
    AnalysisConfig config = AnalysisConfig.parse(new ObjectMapper(new YAMLFactory()).readTree(
        "measures: [IIP, GAF]\n"
        + "analyses:\n"
        + "  - {id: resolution_outcome, kind: correlation, predictor: mean_resolution, outcome: improvement,\n"
        + "     raters: [patient, therapist, observer], expected_sign: '+', claim: c,\n"
        + "     published: [{source: s, effect: r, estimate: 0.29, ci: [0.1, 0.47]}]}\n"
        + "  - {id: resolution_retention, kind: retention, predictor: mean_resolution, outcome: retained,\n"
        + "     raters: [patient, observer], expected_sign: '+', claim: c}\n"
        + "  - {id: rater_difference, kind: paired_difference, predictor: rupture_rate, expected_sign: '+', claim: c}\n"
        + "  - {id: training_effect, kind: smd, predictor: therapist_training_phase, outcome: improvement, arm: post,\n"
        + "     comparison: pre, expected_sign: '+', claim: c}\n"), "test.yaml");
    String out = work.resolve("nodata/out").toUri().toString();

    AnalysisOutcome result = AnalyzeStage.run(spark(), config, curated, out);

    Map<String, List<SiteEffect>> effects = new TreeMap<>();
    // the kind's own effect rows here; the retention analysis's log_or rows are checked below
    result.siteEffects().stream().filter(e -> !e.effectType().equals("log_or")).forEach(e -> effects.computeIfAbsent(
        key(e.key().analysis(), e.key().rater(), e.key().measure()), k -> new ArrayList<>()).add(e));
    Map<String, PooledEffect> pooled = new HashMap<>();
    result.pooled().stream().filter(p -> !p.effectType().equals("log_or"))
        .forEach(p -> pooled.put(key(p.key().analysis(), p.key().rater(), p.key().measure()), p));
    // the observer's log_or rows: every site with what it lacks, not pooled for the same reason as its r row
    String observerSessions = "no session rated by the observer within the early window (sessions 1-6)";
    List<SiteEffect> observerOr = result.siteEffects().stream().filter(e -> e.effectType().equals("log_or")
        && e.key().equals(new EffectKey("resolution_retention", "observer", null))).toList();
    assertEquals(List.of("S01", "S02", "S03"), observerOr.stream().map(SiteEffect::site).toList());
    observerOr.forEach(e -> assertNoPatient(e, observerSessions));
    PooledEffect observerPooledOr = result.pooled().stream().filter(p -> p.effectType().equals("log_or")
        && p.key().rater().equals("observer")).findFirst().orElseThrow();
    assertEquals(0, observerPooledOr.k());
    assertEquals("no site has data: " + observerSessions, observerPooledOr.notPooled());
    assertEquals(List.of("rater_difference|therapist-patient|null", "resolution_outcome|observer|GAF",
        "resolution_outcome|observer|IIP", "resolution_outcome|patient|GAF", "resolution_outcome|patient|IIP",
        "resolution_outcome|therapist|GAF", "resolution_outcome|therapist|IIP", "resolution_retention|observer|null",
        "resolution_retention|patient|null", "training_effect|null|GAF", "training_effect|null|IIP"),
        List.copyOf(effects.keySet()));
    assertEquals(effects.keySet(), new java.util.TreeSet<>(pooled.keySet()));

    // a rater no site rated: what each site lacks is that rater's sessions; a measure: the kind says it
    String noObserver = "no session rated by the observer within the early window (sessions 1-6)";
    Map<String, String> missing = new LinkedHashMap<>();
    missing.put("resolution_outcome|therapist|IIP",
        "no session rated by the therapist within the early window (sessions 1-6)");
    missing.put("resolution_outcome|observer|IIP", noObserver);
    missing.put("resolution_outcome|patient|GAF", "no patient with both mean_resolution and improvement on GAF");
    missing.put("resolution_retention|observer|null", noObserver);
    missing.put("rater_difference|therapist-patient|null",
        "no session rated by the therapist within the early window (sessions 1-6)");
    missing.put("training_effect|null|GAF",
        "no patient in either group of therapist_training_phase (post vs pre) with improvement on GAF");
    List<String> csv = Files.readAllLines(work.resolve("nodata/out/results/pooled.csv"));
    List<String> evidenceCsv = Files.readAllLines(work.resolve("nodata/out/results/evidence.csv"));
    assertTrue(evidenceCsv.get(0).endsWith(",compatible,note"), evidenceCsv.get(0));
    missing.forEach((id, reason) -> {
      assertEquals(List.of("S01", "S02", "S03"), effects.get(id).stream().map(SiteEffect::site).toList(), id);
      effects.get(id).forEach(e -> assertNoPatient(e, reason));
      PooledEffect p = pooled.get(id);
      assertEquals(0, p.k(), id);
      assertEquals(0, p.nTotal(), id);
      assertNull(p.result(), id);
      assertEquals("no site has data: " + reason, p.notPooled(), id);
      assertTrue(csv.stream().anyMatch(l -> l.startsWith(p.key().analysis() + ",") && l.contains(",0,0,")
          && l.endsWith(",no site has data: " + reason)), id + " in pooled.csv");
      assertTrue(result.notes().stream().anyMatch(n -> n.startsWith("analysis " + p.key().analysis())
          && n.endsWith(": no site has data: " + reason)), id + " " + result.notes());
    });
    // the evidence says it was not pooled, and why; the published effect is not compared
    List<Evidence> observerEvidence = result.evidence().stream()
        .filter(e -> e.pooled().key().equals(new EffectKey("resolution_outcome", "observer", "IIP"))).toList();
    assertEquals(1, observerEvidence.size());
    assertEquals(Evidence.NOT_POOLED, observerEvidence.get(0).verdict());
    assertNull(observerEvidence.get(0).compatible());
    assertTrue(evidenceCsv.stream().anyMatch(l -> l.startsWith("resolution_outcome,IIP,observer,r,")
        && l.contains(",not pooled,") && l.endsWith(",no site has data: " + noObserver)),
        String.join("\n", evidenceCsv));
    // the one-stage models of those keys are listed as not fitted, with the same note
    Map<String, IpdModel> models = new HashMap<>();
    result.ipdModels().forEach(m -> models.put(key(m.key().analysis(), m.key().rater(), m.key().measure()), m));
    for (String id : List.of("resolution_outcome|observer|IIP", "resolution_outcome|patient|GAF",
        "resolution_retention|observer|null", "training_effect|null|GAF")) {
      assertEquals(pooled.get(id).notPooled(), models.get(id).notFitted(), id);
      assertEquals(List.of(), models.get(id).sites(), id);
    }
    // the console table has a line for each, not pooled, with a numbered note saying why (one per reason)
    List<String> table = result.summaryLines();
    String observerGafNote = table.stream().filter(l -> l.startsWith("[") && l.endsWith("] not pooled: "
        + pooled.get("resolution_outcome|observer|GAF").notPooled())).findFirst().orElseThrow();
    String number = observerGafNote.substring(0, observerGafNote.indexOf(']') + 1);
    assertTrue(table.stream().anyMatch(l -> l.startsWith("resolution_outcome     observer")
        && l.contains(" GAF ") && l.endsWith("not pooled " + number + "  -")), String.join("\n", table));
    List<String> reasons = result.pooled().stream().map(PooledEffect::notPooled).filter(Objects::nonNull).distinct()
        .toList();
    assertEquals(1 + result.pooled().size() + reasons.size() + ConsoleSummary.LEGEND.size(), table.size(),
        String.join("\n", table));
    for (int i = 0; i < reasons.size(); i++) {
      assertEquals("[" + (i + 1) + "] not pooled: " + reasons.get(i), table.get(1 + result.pooled().size() + i));
    }
  }

  /**
   * Every site with a curated record is in every analysis's site_effects, also one the patient-level tables
   * lack, and a site without the session ratings an analysis needs says which: S01 complete (rated by
   * patients), S04 patients and outcomes but no session rating, S05 session ratings only, all after the early
   * window (no patient record, no outcome), S06 patients and outcomes with every session after the window, S07
   * patients and outcomes with early sessions rated by therapists alone.
   */
  @Test
  void everyIngestedSiteIsReportedWithTheSessionRatingsItLacks() throws Exception {
    String curated = work.resolve("sessions/curated").toUri().toString();
    String sessions = "SELECT site, patient_key, CONCAT(site, '-t1') AS therapist_key, 'CBT' AS treatment, "
        + "session_number, DATE '2025-01-06' AS session_date, rater, true AS rupture_present, rupture_intensity, "
        + "rupture_resolution, alliance, session_quality, " + inlineLineage() + " FROM VALUES "
        + String.join(", ", ratedSessions("S01", "p1", "patient", 1), ratedSessions("S01", "p2", "patient", 1),
            ratedSessions("S01", "p3", "patient", 1), ratedSessions("S05", "u1", "patient", 7),
            ratedSessions("S05", "u2", "therapist", 7), ratedSessions("S06", "w1", "patient", 7),
            ratedSessions("S07", "v1", "therapist", 1), ratedSessions("S07", "v2", "therapist", 2))
        + " AS t(site, patient_key, rater, session_number, rupture_intensity, rupture_resolution, alliance, "
        + "session_quality)";
    StringBuilder patientRows = new StringBuilder();
    StringBuilder outcomeRows = new StringBuilder();
    String[][] withRecords = {{"S01", "p1"}, {"S01", "p2"}, {"S01", "p3"}, {"S04", "q1"}, {"S04", "q2"},
        {"S06", "w1"}, {"S07", "v1"}, {"S07", "v2"}};
    for (int i = 0; i < withRecords.length; i++) {
      String site = withRecords[i][0];
      String patient = withRecords[i][1];
      patientRows.append(i > 0 ? ", " : "").append("('").append(site).append("', '").append(patient).append("', '")
          .append(i % 2 == 0 ? "pre" : "post").append("')");
      outcomeRows.append(i > 0 ? ", " : "").append(String.format(java.util.Locale.ROOT,
          "('%s', '%s', 'baseline', %.1fD), ('%s', '%s', 'termination', %.1fD)", site, patient, 2.0 + i / 10.0, site,
          patient, 1.5 - i / 20.0));
    }
    String patients = "SELECT site, patient_key, CONCAT(site, '-t1') AS therapist_key, 'CBT' AS treatment, "
        + "false AS dropout, 12 AS sessions_attended, phase AS therapist_training_phase, " + inlineLineage()
        + " FROM VALUES " + patientRows + " AS t(site, patient_key, phase)";
    String outcomes = "SELECT site, patient_key, 'IIP' AS measure, timepoint, score, 'lower_is_better' AS direction, "
        + inlineLineage() + " FROM VALUES " + outcomeRows + " AS t(site, patient_key, timepoint, score)";
    for (Map.Entry<String, String> table : Map.of("session_ratings", sessions, "patients", patients, "outcomes",
        outcomes).entrySet()) {
      spark().sql(table.getValue()).repartition(1).write().partitionBy("site").parquet(curated + "/" + table.getKey());
    }

    AnalysisOutcome result = AnalyzeStage.run(spark(), AnalysisConfig.defaults(), curated,
        work.resolve("sessions/out").toUri().toString());

    Map<String, SiteEffect> bySite = new HashMap<>();
    Map<String, List<String>> sitesByKey = new TreeMap<>();
    for (SiteEffect e : result.siteEffects()) {
      String id = key(e.key().analysis(), e.key().rater(), e.key().measure())
          + (e.effectType().equals("log_or") ? "|log_or" : "");
      bySite.put(id + "|" + e.site(), e);
      sitesByKey.computeIfAbsent(id, k -> new ArrayList<>()).add(e.site());
    }
    assertEquals(20, sitesByKey.size(), sitesByKey.keySet().toString());
    sitesByKey.forEach((id, sites) -> assertEquals(List.of("S01", "S04", "S05", "S06", "S07"), sites, id));

    String noEarlySession = "no session within the early window (sessions 1-6)";
    String noPatientRating = "no session rated by the patient within the early window (sessions 1-6)";
    for (String id : List.of("resolution_outcome|patient|IIP", "resolution_retention|patient|null",
        "resolution_retention|patient|null|log_or", "resolution_quality|patient|null",
        "treatment_difference|patient|null")) {
      assertNoPatient(bySite.get(id + "|S04"), "no session ratings");
      assertNoPatient(bySite.get(id + "|S05"), noEarlySession);
      assertNoPatient(bySite.get(id + "|S06"), noEarlySession);
      assertNoPatient(bySite.get(id + "|S07"), noPatientRating);
    }
    assertNoPatient(bySite.get("rater_difference|therapist-patient|null|S01"),
        "no session rated by the therapist within the early window (sessions 1-6)");
    assertNoPatient(bySite.get("rater_difference|therapist-patient|null|S07"), noPatientRating);
    assertNoPatient(bySite.get("rater_difference|therapist-patient|null|S05"), noEarlySession);
    // S07's therapists rated early sessions: a site with the ratings is excluded for what its patients lack
    assertEquals("n=2 below min_site_n=10; Pearson correlation needs at least 4 complete pairs (its confidence "
        + "interval uses n - 3), got 2", bySite.get("resolution_outcome|therapist|IIP|S07").excludedReason());
    // an analysis of no session rating: S04 and S06 have its data, S05 has no patient record or outcome
    assertEquals(2, bySite.get("training_effect|null|IIP|S04").n());
    assertNoPatient(bySite.get("training_effect|null|IIP|S05"),
        "no patient in either group of therapist_training_phase (post vs pre) with improvement on IIP");
    assertTrue(Files.readAllLines(work.resolve("sessions/out/results/site_effects.csv")).stream().anyMatch(
        l -> l.startsWith("resolution_outcome,") && l.contains(",patient,S05,r,0,") && l.endsWith("," + noEarlySession)),
        "S05's row reaches site_effects.csv");
  }

  /** Three sessions of one patient and rater from session {@code first} on, a rupture rated in each. */
  private static String ratedSessions(String site, String patient, String rater, int first) {
    StringBuilder rows = new StringBuilder();
    for (int s = first; s < first + 3; s++) {
      rows.append(s > first ? ", " : "").append(String.format(java.util.Locale.ROOT,
          "('%s', '%s', '%s', %d, %.1fD, %.1fD, %.1fD, %.1fD)", site, patient, rater, s, 1.0 + s % 3, 2.0 + s % 2,
          4.0 + s % 3 / 2.0, 3.0 + s % 2));
    }
    return rows.toString();
  }

  /**
   * A tiny cohort of three sites, written as curated tables under {@code <work>/<name>/curated} (returned as
   * a URI): S01 complete, S02 with every session_quality empty and every outcome NA, S03 with one patient
   * rated in one session. Only patients rate sessions; IIP is the only measure.
   */
  private static String gapCohort(String name) {
    String curated = work.resolve(name + "/curated").toUri().toString();
    String sessions = "SELECT site, patient_key, CONCAT(site, '-t1') AS therapist_key, 'CBT' AS treatment, "
        + "session_number, DATE '2025-01-06' AS session_date, 'patient' AS rater, true AS rupture_present, "
        + "rupture_intensity, rupture_resolution, alliance, session_quality, " + inlineLineage() + " FROM VALUES "
        + gapSessions("S01", "p1", 1.0, 2.0, false) + ", " + gapSessions("S01", "p2", 2.0, 1.0, false) + ", "
        + gapSessions("S01", "p3", 3.0, 3.0, false) + ", " + gapSessions("S02", "q1", 1.0, 2.0, true) + ", "
        + gapSessions("S02", "q2", 2.0, 1.0, true) + ", "
        + "('S03', 'r1', 1, 2.0D, 3.0D, 4.0D, CAST(5.0 AS DOUBLE)) "
        + "AS t(site, patient_key, session_number, rupture_intensity, rupture_resolution, alliance, session_quality)";
    String patients = "SELECT site, patient_key, CONCAT(site, '-t1') AS therapist_key, treatment, false AS dropout, "
        + "12 AS sessions_attended, phase AS therapist_training_phase, " + inlineLineage() + " FROM VALUES "
        + "('S01', 'p1', 'CBT', 'pre'), ('S01', 'p2', 'BRT', 'post'), ('S01', 'p3', 'CBT', 'post'), "
        + "('S02', 'q1', 'CBT', 'pre'), ('S02', 'q2', 'BRT', 'post'), ('S03', 'r1', 'BRT', 'pre') "
        + "AS t(site, patient_key, treatment, phase)";
    String outcomes = "SELECT site, patient_key, 'IIP' AS measure, timepoint, score, 'lower_is_better' AS direction, "
        + inlineLineage() + " FROM VALUES "
        + "('S01', 'p1', 'baseline', 2.0D), ('S01', 'p1', 'termination', 1.5D), "
        + "('S01', 'p2', 'baseline', 2.2D), ('S01', 'p2', 'termination', 1.4D), "
        + "('S01', 'p3', 'baseline', 1.8D), ('S01', 'p3', 'termination', 1.6D), "
        + "('S02', 'q1', 'baseline', CAST(NULL AS DOUBLE)), ('S02', 'q1', 'termination', CAST(NULL AS DOUBLE)), "
        + "('S02', 'q2', 'baseline', CAST(NULL AS DOUBLE)), ('S02', 'q2', 'termination', CAST(NULL AS DOUBLE)), "
        + "('S03', 'r1', 'baseline', 2.0D), ('S03', 'r1', 'termination', 1.0D) "
        + "AS t(site, patient_key, timepoint, score)";
    for (Map.Entry<String, String> table : Map.of("session_ratings", sessions, "patients", patients, "outcomes",
        outcomes).entrySet()) {
      spark().sql(table.getValue()).repartition(1).write().partitionBy("site").parquet(curated + "/" + table.getKey());
    }
    return curated;
  }

  /** One patient's three early-window sessions (rupture rated in each); its quality left empty when asked. */
  private static String gapSessions(String site, String patient, double a, double b, boolean noQuality) {
    StringBuilder rows = new StringBuilder();
    for (int s = 1; s <= 3; s++) {
      double x = a + s;
      double y = b + (s % 2) * s;
      rows.append(s > 1 ? ", " : "").append(String.format(java.util.Locale.ROOT,
          "('%s', '%s', %d, %.1fD, %.1fD, %.1fD, %s)", site, patient, s, x, y, 3.0 + y / 10,
          noQuality ? "CAST(NULL AS DOUBLE)" : String.format(java.util.Locale.ROOT, "%.1fD", 4.0 - x / 10)));
    }
    return rows.toString();
  }

  private static String inlineLineage() {
    return "'inline.csv' AS source_file, CAST(1 AS BIGINT) AS source_row, '2026-01-05' AS delivery, 'inline' AS run_id";
  }

  /** A site with no patient for the analysis: n = 0, no estimate, not pooled, and the reason. */
  private static void assertNoPatient(SiteEffect e, String reason) {
    assertNotNull(e, "no row for the site");
    assertEquals(0, e.n(), e.toString());
    assertNull(e.estimate(), e.toString());
    assertFalse(e.pooled(), e.toString());
    assertEquals(reason, e.excludedReason());
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
