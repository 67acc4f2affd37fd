package org.rupture.pipeline.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.rupture.pipeline.config.ConfigException;
import org.rupture.pipeline.config.ConfigNode;
import org.rupture.pipeline.features.FeatureCatalog;
import org.rupture.pipeline.stats.meta.SignificanceTest;
import org.rupture.pipeline.stats.meta.TauEstimator;

/**
 * The {@code analysis:} section of the pipeline configuration, typed and checked. Every key has a default;
 * when {@code analyses} is absent the default analyses (one per published claim, SPEC 7) are used. The
 * documented default section is the {@code analysis:} section of {@code conf/pipeline.yaml}; {@link #defaults()} equals it.
 *
 * @param window           sessions 1..window form the early window
 * @param repairThreshold  a rupture with resolution at least this counts as repaired
 * @param minSiteN         sites with fewer patients are reported but not pooled
 * @param treatmentArm     focal arm of comparisons by treatment unless an analysis names its own
 * @param measures         outcome measures to analyse (empty = every measure present)
 * @param processVariables extra session-level columns analysable like the core process variables
 * @param method           between-site variance estimator of the random-effects model
 * @param test             test and confidence interval of the pooled estimate
 * @param ipdRandomSlope   one-stage linear models add an uncorrelated random slope of the predictor
 * @param analyses         the analyses, in output order
 */
public record AnalysisConfig(int window, double repairThreshold, int minSiteN, String treatmentArm,
    List<String> measures, List<String> processVariables, TauEstimator method, SignificanceTest test,
    boolean ipdRandomSlope, List<AnalysisSpec> analyses) {

  /** Resource holding the default list of analyses (the {@code analyses} key of conf/pipeline.yaml's analysis section). */
  static final String DEFAULT_ANALYSES_RESOURCE = "default-analyses.yaml";

  private static final int DEFAULT_WINDOW = 6;
  private static final double DEFAULT_REPAIR_THRESHOLD = 4.0;
  private static final int DEFAULT_MIN_SITE_N = 10;
  private static final String DEFAULT_TREATMENT_ARM = "CBT";
  /** The smallest site any effect can be estimated at (a correlation's Fisher-z CI needs n >= 4). */
  private static final int SMALLEST_MIN_SITE_N = 4;

  private static final Set<String> SECTION_KEYS = Set.of("window", "repair_threshold", "min_site_n",
      "treatment_arm", "measures", "process_variables", "meta", "ipd", "analyses");
  private static final Set<String> META_KEYS = Set.of("method", "test");
  private static final Set<String> IPD_KEYS = Set.of("random_slope");
  private static final Set<String> ANALYSIS_KEYS = Set.of("id", "kind", "predictor", "outcome", "raters", "arm",
      "comparison", "expected_sign", "claim", "published");
  private static final Set<String> PUBLISHED_KEYS = Set.of("source", "effect", "estimate", "ci");

  public AnalysisConfig {
    measures = List.copyOf(measures);
    processVariables = List.copyOf(processVariables);
    analyses = List.copyOf(analyses);
  }

  /** The configuration used when the pipeline configuration has no {@code analysis:} section. */
  public static AnalysisConfig defaults() {
    return parse(null, "(built-in analysis defaults)");
  }

  /** The variables analyses may use under this configuration. */
  public FeatureCatalog catalog() {
    return new FeatureCatalog(processVariables);
  }

  /**
   * Reads and checks the {@code analysis:} section on its own, without the site mappings (see
   * {@link #parse(JsonNode, String, MappingDefinitions)}).
   *
   * @param analysisSection the section's node (null or missing = all defaults)
   * @param sourceFile      the file it came from, for error messages
   * @throws ConfigException naming file, key and problem for any mistake
   */
  public static AnalysisConfig parse(JsonNode analysisSection, String sourceFile) {
    return parse(analysisSection, sourceFile, null);
  }

  /**
   * Reads and checks the {@code analysis:} section, and checks the measures, treatments and process variables
   * it names against what the site mappings define. What the section leaves to the built-in defaults is not
   * checked against the mappings: with no {@code analyses} key, a network without CBT still validates, and the
   * treatment comparison reports every site excluded.
   *
   * @param analysisSection the section's node (null or missing = all defaults)
   * @param sourceFile      the file it came from, for error messages
   * @param defined         what the site mappings define; null = check the section on its own
   * @throws ConfigException naming file, key and problem for any mistake
   */
  public static AnalysisConfig parse(JsonNode analysisSection, String sourceFile, MappingDefinitions defined) {
    JsonNode node = analysisSection == null || analysisSection.isMissingNode() || analysisSection.isNull()
        ? null : analysisSection;
    ConfigNode section = new ConfigNode(node, sourceFile, "analysis").allowOnly(SECTION_KEYS);
    int window = section.integer("window", DEFAULT_WINDOW, 1);
    double repairThreshold = section.number("repair_threshold", DEFAULT_REPAIR_THRESHOLD, 1, 5);
    int minSiteN = section.integer("min_site_n", DEFAULT_MIN_SITE_N, SMALLEST_MIN_SITE_N);
    String treatmentArm = section.text("treatment_arm", DEFAULT_TREATMENT_ARM);
    List<String> measures = section.textList("measures");
    requireDistinct(section, "measures", measures);
    List<String> processVariables = section.textList("process_variables");
    requireDistinct(section, "process_variables", processVariables);
    FeatureCatalog catalog = new FeatureCatalog(processVariables);
    checkProcessVariables(section, processVariables);
    if (defined != null) {
      checkAgainstMappings(section, measures, processVariables, defined);
    }

    ConfigNode meta = section.child("meta").allowOnly(META_KEYS);
    TauEstimator method = parseEnum(meta, "method", TauEstimator.class, TauEstimator.REML);
    SignificanceTest test = parseEnum(meta, "test", SignificanceTest.class, SignificanceTest.Z);
    boolean randomSlope = section.child("ipd").allowOnly(IPD_KEYS).bool("random_slope", false);

    boolean ownAnalyses = section.has("analyses");
    List<ConfigNode> entries = ownAnalyses ? section.list("analyses") : defaultAnalyses().list("analyses");
    if (entries.isEmpty()) {
      throw section.error("analyses", "is empty; list at least one analysis or remove the key for the defaults");
    }
    List<AnalysisSpec> analyses = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (ConfigNode entry : entries) {
      AnalysisSpec spec = parseAnalysis(entry,
          new ValidationContext(catalog, treatmentArm, entry, ownAnalyses ? defined : null));
      if (!ids.add(spec.id())) {
        throw entry.error("id", "'" + spec.id() + "' is used by an earlier analysis; ids must be unique");
      }
      analyses.add(spec);
    }
    return new AnalysisConfig(window, repairThreshold, minSiteN, treatmentArm, measures, processVariables, method,
        test, randomSlope, analyses);
  }

  private static void checkAgainstMappings(ConfigNode section, List<String> measures, List<String> processVariables,
      MappingDefinitions defined) {
    for (int i = 0; i < measures.size(); i++) {
      if (!defined.measures().contains(measures.get(i))) {
        throw section.error("measures[" + i + "]", "'" + measures.get(i) + "' is no outcome measure of any site mapping"
            + " (patients.outcomes in " + defined.sitesDir() + "; they define: "
            + MappingDefinitions.listed(defined.measures()) + "); list defined measures, or write [] for every measure");
      }
    }
    for (int i = 0; i < processVariables.size(); i++) {
      if (!defined.extras().contains(processVariables.get(i))) {
        throw section.error("process_variables[" + i + "]", "'" + processVariables.get(i) + "' is no extra session"
            + " variable of any site mapping (sessions.extra in " + defined.sitesDir() + "; they define: "
            + MappingDefinitions.listed(defined.extras()) + "), so session_ratings has no such column; map it under"
            + " sessions.extra of the mappings or remove it");
      }
    }
    if (section.has("treatment_arm")) {
      String arm = section.text("treatment_arm", null);
      if (!defined.treatments().contains(arm)) {
        throw section.error("treatment_arm", "'" + arm + "' " + ValidationContext.noTreatment(defined));
      }
    }
  }

  private static void requireDistinct(ConfigNode section, String key, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      if (values.indexOf(values.get(i)) < i) {
        throw section.error(key + "[" + i + "]", "'" + values.get(i) + "' is listed twice; remove one");
      }
    }
  }

  private static void checkProcessVariables(ConfigNode section, List<String> processVariables) {
    List<String> reserved = new FeatureCatalog(List.of()).sessionVariables();
    for (int i = 0; i < processVariables.size(); i++) {
      String name = processVariables.get(i);
      if (reserved.contains(name) || !name.matches("[a-z][a-z0-9_]*")) {
        throw section.error("process_variables[" + i + "]", "'" + name + "' must be the lower-case snake_case name"
            + " of an extra session_ratings column, other than " + String.join(", ", reserved));
      }
    }
  }

  private static AnalysisSpec parseAnalysis(ConfigNode entry, ValidationContext context) {
    entry.allowOnly(ANALYSIS_KEYS);
    String id = entry.requiredText("id", "a unique name of letters, digits and _, e.g. resolution_outcome");
    if (!id.matches("[A-Za-z][A-Za-z0-9_]*")) {
      throw entry.error("id", "'" + id + "' must start with a letter and hold only letters, digits and _");
    }
    String kindName = entry.requiredText("kind", "use one of " + String.join(", ", AnalysisKinds.names()));
    AnalysisKind kind = AnalysisKinds.byName(kindName);
    if (kind == null) {
      throw entry.error("kind", "unknown kind '" + kindName + "'; use one of " + String.join(", ", AnalysisKinds.names()));
    }
    String sign = entry.text("expected_sign", null);
    if (!"+".equals(sign) && !"-".equals(sign)) {
      throw entry.error("expected_sign", "expected \"+\" or \"-\" (quoted, so that YAML reads text)");
    }
    List<PublishedEffect> published = new ArrayList<>();
    for (ConfigNode p : entry.list("published")) {
      p.allowOnly(PUBLISHED_KEYS);
      String effect = p.requiredText("effect", "r or smd");
      if (!effect.equals(PublishedEffect.R) && !effect.equals(PublishedEffect.SMD)) {
        throw p.error("effect", "expected r or smd, found '" + effect + "'");
      }
      if (effect.equals(PublishedEffect.SMD) && !kind.effectType().equals("smd")) {
        throw p.error("effect", "a published smd can only be compared with an smd analysis; give r");
      }
      if (kind.effectType().equals("md")) {
        throw p.error("effect", "a raw mean difference (kind " + kind.name() + ") has no comparable published scale;"
            + " remove 'published'");
      }
      if (!p.has("estimate")) {
        throw p.error("estimate", "missing; the published point estimate");
      }
      double[] ci = p.range("ci", null);
      if (ci == null) {
        throw p.error("ci", "missing; the published 95% confidence interval [lower, upper]");
      }
      double estimate = p.number("estimate", Double.NaN);
      if (effect.equals(PublishedEffect.R)) {
        if (estimate < -1 || estimate > 1) {
          throw p.error("estimate", "a correlation r lies from -1 to 1, found " + estimate
              + "; give the published r (an smd or a Fisher z is another scale)");
        }
        if (ci[0] < -1 || ci[1] > 1) {
          throw p.error("ci", "the interval of a correlation r lies from -1 to 1, found [" + ci[0] + ", " + ci[1]
              + "]; give the published interval of r");
        }
      }
      if (estimate < ci[0] || estimate > ci[1]) {
        throw p.error("estimate", estimate + " is outside its own confidence interval [" + ci[0] + ", " + ci[1]
            + "]; check both against the source");
      }
      published.add(new PublishedEffect(p.requiredText("source", "the citation of the published effect"), effect,
          estimate, ci[0], ci[1]));
    }
    List<String> raters = entry.textList("raters");
    if (entry.has("raters") && raters.isEmpty()) {
      throw entry.error("raters", "is an empty list, which analyses no rater; list the raters, e.g. [patient, therapist],"
          + " or remove the key for the kind's default raters");
    }
    AnalysisSpec spec = new AnalysisSpec(id, kind, entry.text("predictor", null), entry.text("outcome", null),
        raters, entry.text("arm", null), entry.text("comparison", null),
        sign.equals("+") ? 1 : -1, entry.requiredText("claim", "the claim the analysis tests, in one sentence"),
        published);
    return kind.validate(spec, context);
  }

  private static <E extends Enum<E>> E parseEnum(ConfigNode section, String key, Class<E> type, E defaultValue) {
    String value = section.text(key, null);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      List<String> names = new ArrayList<>();
      for (E constant : type.getEnumConstants()) {
        names.add(constant.name());
      }
      throw section.error(key, "unknown value '" + value + "'; use one of " + String.join(", ", names));
    }
  }

  private static ConfigNode defaultAnalyses() {
    try (InputStream in = AnalysisConfig.class.getResourceAsStream(DEFAULT_ANALYSES_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + DEFAULT_ANALYSES_RESOURCE + " missing from the jar");
      }
      JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(in);
      return new ConfigNode(root, DEFAULT_ANALYSES_RESOURCE, "analysis");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
