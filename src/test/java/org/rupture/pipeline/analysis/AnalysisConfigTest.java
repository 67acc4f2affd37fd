package org.rupture.pipeline.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rupture.pipeline.config.ConfigException;
import org.rupture.pipeline.stats.meta.SignificanceTest;
import org.rupture.pipeline.stats.meta.TauEstimator;

class AnalysisConfigTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static JsonNode yaml(String text) throws Exception {
    return YAML.readTree(text);
  }

  private static ConfigException error(String analysisSection) throws Exception {
    return assertThrows(ConfigException.class,
        () -> AnalysisConfig.parse(yaml(analysisSection).get("analysis"), "pipeline.yaml"));
  }

  @Test
  void defaultsEqualTheDocumentedSection() throws Exception {
    JsonNode documented = YAML.readTree(Files.readString(Path.of("conf/pipeline.yaml"))).get("analysis");
    assertEquals(AnalysisConfig.defaults(), AnalysisConfig.parse(documented, "conf/pipeline.yaml"));
  }

  @Test
  void defaultsFollowSpecSeven() {
    AnalysisConfig config = AnalysisConfig.defaults();
    assertEquals(6, config.window());
    assertEquals(10, config.minSiteN());
    assertEquals(4.0, config.repairThreshold());
    assertEquals("CBT", config.treatmentArm());
    assertEquals(TauEstimator.REML, config.method());
    assertEquals(SignificanceTest.Z, config.test());
    assertEquals(List.of("resolution_outcome", "intensity_outcome", "resolution_retention", "intensity_alliance",
        "resolution_alliance", "intensity_quality", "resolution_quality", "rater_difference", "treatment_difference",
        "training_effect"), config.analyses().stream().map(AnalysisSpec::id).toList());
    AnalysisSpec treatment = config.analyses().get(8);
    assertEquals("CBT", treatment.arm());
    assertEquals(-1, treatment.expectedSign());
    AnalysisSpec training = config.analyses().get(9);
    assertEquals(List.of(), training.raters(), "training_effect is per measure, not per rater");
    assertEquals(new PublishedEffect(
        "Safran, Muran & Eubanks-Carter (2011), Psychotherapy 48(1), training pre-post, k = 8, N = 376", "r", 0.65,
        0.46, 0.78), training.published().get(0));
    assertEquals(List.of("therapist", "patient"), config.analyses().get(7).raters());
  }

  /** The predictor and outcome columns of site_effects, pooled and leave_one_out are SPEC 7's table's. */
  @Test
  void resultTablesNamePredictorAndOutcomeAsSpecSeven() {
    java.util.Map<String, List<String>> labels = new java.util.LinkedHashMap<>();
    for (AnalysisSpec spec : AnalysisConfig.defaults().analyses()) {
      labels.put(spec.id(), java.util.Arrays.asList(spec.predictorColumn(), spec.outcomeColumn()));
    }
    assertEquals(java.util.Arrays.asList("mean_resolution", "improvement"), labels.get("resolution_outcome"));
    assertEquals(java.util.Arrays.asList("mean_resolution", "retained"), labels.get("resolution_retention"));
    assertEquals(java.util.Arrays.asList("rupture_rate", null), labels.get("rater_difference"));
    // SPEC 7: predictor "rupture_rate, CBT vs others", outcome "-"
    assertEquals(java.util.Arrays.asList("rupture_rate (CBT vs others)", null), labels.get("treatment_difference"));
    // SPEC 7: predictor "training phase post vs pre", outcome improvement
    assertEquals(java.util.Arrays.asList("therapist_training_phase (post vs pre)", "improvement"),
        labels.get("training_effect"));
  }

  @Test
  void anEmptySectionMeansDefaultsAndKeysOverrideThem() throws Exception {
    assertEquals(AnalysisConfig.defaults(), AnalysisConfig.parse(null, "pipeline.yaml"));
    AnalysisConfig config = AnalysisConfig.parse(yaml("""
        window: 4
        min_site_n: 5
        measures: [IIP]
        meta: {method: dl, test: knha}
        analyses:
          - id: disclosure_alliance
            kind: repeated_measures_correlation
            predictor: self_disclosure
            outcome: alliance
            expected_sign: "+"
            claim: Self-disclosure goes with a stronger alliance.
        process_variables: [self_disclosure]
        """), "pipeline.yaml");
    assertEquals(4, config.window());
    assertEquals(TauEstimator.DL, config.method());
    assertEquals(SignificanceTest.KNHA, config.test());
    assertEquals(List.of("patient", "therapist"), config.analyses().get(0).raters());
    assertTrue(config.catalog().processFeatures().contains("mean_self_disclosure"));
  }

  @Test
  void mistakesNameFileKeyAndFix() throws Exception {
    ConfigException kind = error("""
        analysis:
          analyses:
            - {id: a, kind: regression, predictor: mean_resolution, outcome: improvement, expected_sign: "+", claim: c}
        """);
    assertEquals("analysis.analyses[0].kind", kind.key());
    assertEquals("pipeline.yaml", kind.file());
    assertTrue(kind.getMessage().contains("unknown kind 'regression'; use one of correlation, "
        + "repeated_measures_correlation, paired_difference, smd, retention"), kind.getMessage());

    ConfigException variable = error("""
        analysis:
          analyses:
            - {id: a, kind: correlation, predictor: mean_resolutoin, outcome: improvement, expected_sign: "+", claim: c}
        """);
    assertEquals("analysis.analyses[0].predictor", variable.key());
    assertTrue(variable.getMessage().contains("unknown variable 'mean_resolutoin'")
        && variable.getMessage().contains("mean_resolution"), variable.getMessage());

    ConfigException method = error("analysis: {meta: {method: BAYES}}");
    assertEquals("analysis.meta.method", method.key());
    assertTrue(method.getMessage().contains("REML, DL, PM, ML, HS, SJ, HE, EB, FE"), method.getMessage());

    ConfigException typo = error("analysis: {windw: 6}");
    assertEquals("analysis.windw", typo.key());
    assertTrue(typo.getMessage().contains("did you mean 'window'?"), typo.getMessage());
    ConfigException minSiteN = error("analysis: {min_site_n: 2}");
    assertEquals("analysis.min_site_n", minSiteN.key());
    assertTrue(minSiteN.getMessage().endsWith("expected a whole number of at least 4, found 2"), minSiteN.getMessage());
    assertEquals("analysis.measures[1]", error("analysis: {measures: [IIP, \" \"]}").key());
    assertEquals("analysis.repair_threshold", error("analysis: {repair_threshold: 7}").key());
    assertEquals("analysis.process_variables[0]", error("analysis: {process_variables: [alliance]}").key());
  }

  @Test
  void aSingleValueWhereAListBelongsIsRejectedWithTheListToWrite() throws Exception {
    ConfigException measures = error("analysis: {measures: IIP}");
    assertEquals("analysis.measures", measures.key());
    assertTrue(measures.getMessage().endsWith("expected a list, found 'IIP'; write [IIP]"), measures.getMessage());
    assertEquals("analysis.process_variables", error("analysis: {process_variables: self_disclosure}").key());
    ConfigException raters = error("""
        analysis:
          analyses:
            - {id: a, kind: correlation, predictor: mean_resolution, outcome: improvement, raters: patient,
               expected_sign: "+", claim: c}
        """);
    assertEquals("analysis.analyses[0].raters", raters.key());
    assertTrue(raters.getMessage().endsWith("write [patient]"), raters.getMessage());
  }

  @Test
  void anEmptyRaterListIsAnErrorNotTheDefaults() throws Exception {
    ConfigException raters = error("""
        analysis:
          analyses:
            - {id: a, kind: correlation, predictor: mean_resolution, outcome: improvement, raters: [],
               expected_sign: "+", claim: c}
        """);
    assertEquals("analysis.analyses[0].raters", raters.key());
    assertTrue(raters.getMessage().contains("e.g. [patient, therapist]")
        && raters.getMessage().contains("remove the key"), raters.getMessage());
    // an empty list of measures (every measure) or of process variables (none) says something
    assertEquals(List.of(), AnalysisConfig.parse(yaml("{measures: [], process_variables: []}"), "p.yaml").measures());
  }

  @Test
  void aMeasureOrProcessVariableListedTwiceIsAnError() throws Exception {
    ConfigException measures = error("analysis: {measures: [IIP, OQ45, IIP]}");
    assertEquals("analysis.measures[2]", measures.key());
    assertTrue(measures.getMessage().contains("'IIP' is listed twice"), measures.getMessage());
    assertEquals("analysis.process_variables[1]",
        error("analysis: {process_variables: [self_disclosure, self_disclosure]}").key());
  }

  private static ConfigException published(String kind, String effect) throws Exception {
    String analysis = kind.equals("smd")
        ? "{id: a, kind: smd, predictor: therapist_training_phase, arm: post, comparison: pre, outcome: improvement,"
        : "{id: a, kind: correlation, predictor: mean_resolution, outcome: improvement,";
    return error("analysis:\n  analyses:\n    - " + analysis + " expected_sign: \"+\", claim: c,\n"
        + "       published: [{source: s, " + effect + "}]}\n");
  }

  @Test
  void aPublishedEffectMustBeAPossibleValueInsideItsOwnInterval() throws Exception {
    ConfigException r = published("correlation", "effect: r, estimate: 1.5, ci: [0.1, 0.47]");
    assertEquals("analysis.analyses[0].published[0].estimate", r.key());
    assertTrue(r.getMessage().contains("a correlation r lies from -1 to 1, found 1.5"), r.getMessage());
    ConfigException ci = published("correlation", "effect: r, estimate: 0.5, ci: [0.1, 1.2]");
    assertEquals("analysis.analyses[0].published[0].ci", ci.key());
    assertTrue(ci.getMessage().contains("from -1 to 1"), ci.getMessage());
    ConfigException outside = published("correlation", "effect: r, estimate: 0.6, ci: [0.1, 0.47]");
    assertEquals("analysis.analyses[0].published[0].estimate", outside.key());
    assertTrue(outside.getMessage().contains("0.6 is outside its own confidence interval [0.1, 0.47]"),
        outside.getMessage());
    ConfigException smd = published("smd", "effect: smd, estimate: -0.2, ci: [0.1, 0.5]");
    assertEquals("analysis.analyses[0].published[0].estimate", smd.key());
    // an smd is not bounded by 1, and an interval's bounds may equal the estimate
    AnalysisConfig fine = AnalysisConfig.parse(yaml("""
        analyses:
          - id: a
            kind: smd
            predictor: therapist_training_phase
            arm: post
            comparison: pre
            outcome: improvement
            expected_sign: "+"
            claim: c
            published:
              - {source: s, effect: smd, estimate: 1.5, ci: [1.2, 1.8]}
              - {source: t, effect: r, estimate: 0.1, ci: [0.1, 0.3]}
        """), "p.yaml");
    assertEquals(2, fine.analyses().get(0).published().size());
  }

  /** What the sample's site mappings define: two measures, three treatments, one extra session variable. */
  private static final MappingDefinitions DEFINED = new MappingDefinitions("conf/sites", List.of("IIP", "WHO5"),
      List.of("BRT", "CBT", "STDP"), List.of("self_disclosure"));

  private static ConfigException errorAgainstMappings(String analysisSection) throws Exception {
    return assertThrows(ConfigException.class,
        () -> AnalysisConfig.parse(yaml(analysisSection).get("analysis"), "pipeline.yaml", DEFINED));
  }

  private static final String TREATMENT_ANALYSIS =
      "{id: t, kind: smd, predictor: treatment, outcome: rupture_rate, expected_sign: \"-\", claim: c";

  @Test
  void namesNoSiteMappingDefinesAreErrorsListingWhatTheyDefine() throws Exception {
    ConfigException measure = errorAgainstMappings("analysis: {measures: [IIP, PHQ9]}");
    assertEquals("pipeline.yaml", measure.file());
    assertEquals("analysis.measures[1]", measure.key());
    assertTrue(measure.getMessage().contains("'PHQ9' is no outcome measure of any site mapping")
        && measure.getMessage().contains("patients.outcomes in conf/sites")
        && measure.getMessage().contains("IIP, WHO5"), measure.getMessage());
    // the measure names are the mappings' own: no case folding
    assertEquals("analysis.measures[0]", errorAgainstMappings("analysis: {measures: [iip]}").key());

    ConfigException arm = errorAgainstMappings("analysis:\n  analyses:\n    - " + TREATMENT_ANALYSIS + ", arm: CBX}\n");
    assertEquals("analysis.analyses[0].arm", arm.key());
    assertTrue(arm.getMessage().contains("'CBX' is no treatment")
        && arm.getMessage().contains("treatment_codes") && arm.getMessage().contains("BRT, CBT, STDP"), arm.getMessage());
    assertEquals("analysis.analyses[0].comparison", errorAgainstMappings(
        "analysis:\n  analyses:\n    - " + TREATMENT_ANALYSIS + ", arm: CBT, comparison: PDT}\n").key());
    assertEquals("analysis.treatment_arm", errorAgainstMappings("analysis: {treatment_arm: CBX}").key());

    ConfigException variable = errorAgainstMappings("analysis: {process_variables: [self_disclosur]}");
    assertEquals("analysis.process_variables[0]", variable.key());
    assertTrue(variable.getMessage().contains("sessions.extra") && variable.getMessage().contains("self_disclosure"),
        variable.getMessage());
  }

  @Test
  void namesTheMappingsDefineAreAccepted() throws Exception {
    AnalysisConfig config = AnalysisConfig.parse(yaml("""
        measures: [WHO5]
        process_variables: [self_disclosure]
        treatment_arm: STDP
        analyses:
          - {id: t, kind: smd, predictor: treatment, outcome: rupture_rate, expected_sign: "-", claim: c}
          - {id: u, kind: smd, predictor: treatment, arm: CBT, comparison: BRT, outcome: rupture_rate,
             expected_sign: "-", claim: c}
        """), "pipeline.yaml", DEFINED);
    assertEquals("STDP", config.analyses().get(0).arm());
    // the built-in analyses are not the user's to fix: a network without CBT still validates
    MappingDefinitions noTreatments = new MappingDefinitions("s", List.of(), List.of(), List.of());
    assertEquals(AnalysisConfig.defaults(), AnalysisConfig.parse(null, "(built-in analysis defaults)", noTreatments));
  }

  @Test
  void anAnalysisWithoutArmIsCheckedWithTheDefaultArm() throws Exception {
    ConfigException e = assertThrows(ConfigException.class, () -> AnalysisConfig.parse(
        yaml("analysis:\n  analyses:\n    - " + TREATMENT_ANALYSIS + "}\n").get("analysis"), "pipeline.yaml",
        new MappingDefinitions("s", List.of(), List.of("BRT", "PDT"), List.of())));
    assertEquals("analysis.analyses[0].arm", e.key());
    assertTrue(e.getMessage().contains("treatment_arm 'CBT'") && e.getMessage().contains("BRT, PDT"), e.getMessage());
  }

  @Test
  void analysesAreCheckedAgainstTheirKind() throws Exception {
    assertEquals("analysis.analyses[0].raters", error("""
        analysis:
          analyses:
            - {id: a, kind: paired_difference, predictor: rupture_rate, raters: [therapist, patient, observer],
               expected_sign: "+", claim: c}
        """).key());
    assertEquals("analysis.analyses[0].raters[1]", error("""
        analysis:
          analyses:
            - {id: a, kind: correlation, predictor: mean_resolution, outcome: improvement, raters: [patient, client],
               expected_sign: "+", claim: c}
        """).key());
    assertEquals("analysis.analyses[0].raters", error("""
        analysis:
          analyses:
            - {id: a, kind: smd, predictor: therapist_training_phase, arm: post, outcome: improvement,
               raters: [patient], expected_sign: "+", claim: c}
        """).key());
    assertEquals("analysis.analyses[0].arm", error("""
        analysis:
          analyses:
            - {id: a, kind: smd, predictor: therapist_training_phase, outcome: improvement, expected_sign: "+", claim: c}
        """).key());
    assertEquals("analysis.analyses[0].outcome", error("""
        analysis:
          analyses:
            - {id: a, kind: retention, predictor: mean_resolution, outcome: improvement, expected_sign: "+", claim: c}
        """).key());
    assertEquals("analysis.analyses[0].expected_sign", error("""
        analysis:
          analyses:
            - {id: a, kind: correlation, predictor: mean_resolution, outcome: improvement, expected_sign: up, claim: c}
        """).key());
    assertEquals("analysis.analyses[1].id", error("""
        analysis:
          analyses:
            - {id: a, kind: correlation, predictor: mean_resolution, outcome: improvement, expected_sign: "+", claim: c}
            - {id: a, kind: correlation, predictor: mean_intensity, outcome: improvement, expected_sign: "-", claim: c}
        """).key());
    assertEquals("analysis.analyses[0].published[0].ci", error("""
        analysis:
          analyses:
            - id: a
              kind: correlation
              predictor: mean_resolution
              outcome: improvement
              expected_sign: "+"
              claim: c
              published: [{source: s, effect: r, estimate: 0.3, ci: [0.5, 0.1]}]
        """).key());
  }

  /** A training phase other than pre or post matches no patient: every site would be excluded without a word. */
  @Test
  void aTrainingPhaseComparisonNamesTheCanonicalPhases() throws Exception {
    ConfigException arm = error("""
        analysis:
          analyses:
            - {id: a, kind: smd, predictor: therapist_training_phase, arm: later, outcome: improvement,
               expected_sign: "+", claim: c}
        """);
    assertEquals("analysis.analyses[0].arm", arm.key());
    assertTrue(arm.getMessage().contains("'later' is no therapist training phase; use pre or post"), arm.getMessage());
    assertEquals("analysis.analyses[0].comparison", error("""
        analysis:
          analyses:
            - {id: a, kind: smd, predictor: therapist_training_phase, arm: post, comparison: Pre, outcome: improvement,
               expected_sign: "+", claim: c}
        """).key());
  }
}
