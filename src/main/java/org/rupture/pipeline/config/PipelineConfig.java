package org.rupture.pipeline.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * The resolved run configuration. Precedence, lowest first: built-in defaults, the config file
 * ({@code --config}, default {@code conf/pipeline.yaml}), then command-line options
 * ({@code --input}, {@code --output}, {@code --run-id}, {@code --conf spark.k=v}).
 *
 * @param input landing folder {@code <input>/<site>/<delivery>/<files>} (a path or URI)
 * @param output output folder (a path or URI)
 * @param sitesDir local folder holding the site mappings
 * @param sparkConf extra Spark settings, passed through unchanged
 * @param analysis the raw {@code analysis:} section, typed by the analysis stage
 * @param configHash SHA-256 over the pipeline config and every mapping, for the manifest
 */
public record PipelineConfig(
    String configFile,
    String input,
    String output,
    String sitesDir,
    String runId,
    Privacy privacy,
    Quality quality,
    Map<String, String> sparkConf,
    JsonNode analysis,
    List<SiteMapping> mappings,
    String configHash) {

  /**
   * Where the HMAC secret comes from: the environment variable, else the key file, else (only for
   * input folders carrying the {@code DEMO_DATA} marker, i.e. the committed sample) a demo secret.
   */
  public record Privacy(String secretEnv, String keyFile, boolean allowDemoSecret) {}

  /** Data-quality gate: a site whose quarantined share of records exceeds this fails the run (exit 3). */
  public record Quality(double maxQuarantineShare) {}
}
