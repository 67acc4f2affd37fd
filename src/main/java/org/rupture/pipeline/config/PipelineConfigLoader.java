package org.rupture.pipeline.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/** The one place configuration is resolved; see {@link PipelineConfig} for the precedence. */
public final class PipelineConfigLoader {
  public static final String DEFAULT_CONFIG = "conf/pipeline.yaml";
  static final Set<String> TOP_KEYS = Set.of("input", "output", "sites", "run_id", "privacy", "quality",
      "retention", "lock", "incremental", "spark", "analysis");

  private PipelineConfigLoader() {}

  /** Command-line overrides; null means "not given"; {@code fullRefresh} turns incremental ingest off. */
  public record Overrides(String input, String output, String runId, LocalDate runDate, boolean fullRefresh,
      Map<String, String> sparkConf) {
    public static Overrides none() {
      return new Overrides(null, null, null, null, false, Map.of());
    }
  }

  public static PipelineConfig load(String configFile, Overrides overrides) {
    Path file = Path.of(configFile == null ? DEFAULT_CONFIG : configFile);
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(file.toString(), null,
          "config file not found; pass --config FILE or run from the project folder (default " + DEFAULT_CONFIG + ")");
    }
    JsonNode tree = Yaml.read(file);
    ConfigNode root = new ConfigNode(tree, file.toString(), "").allowOnly(TOP_KEYS);
    PathSetting input = PathSetting.resolve(root, "input", "--input", overrides.input(), null);
    if (input.value() == null) {
      throw root.error("input", "no landing folder; set 'input:' in the config or pass --input DIR");
    }
    PathSetting output = PathSetting.resolve(root, "output", "--output", overrides.output(), "out");
    PathSetting sites = PathSetting.resolve(root, "sites", null, null, "sites");
    Path sitesDir = resolveSitesDir(file, sites.value());
    ConfigNode p = root.child("privacy").allowOnly(Set.of("secret_env", "key_file", "allow_demo_secret"));
    PipelineConfig.Privacy privacy = new PipelineConfig.Privacy(
        p.string("secret_env", "RUPTURE_HMAC_SECRET"), p.string("key_file", null), p.bool("allow_demo_secret", false));
    ConfigNode q = root.child("quality")
        .allowOnly(Set.of("max_quarantine_share", "field_issue_warn_share", "max_field_issue_share",
            "out_of_range_warn_share"));
    PipelineConfig.Quality quality = new PipelineConfig.Quality(
        q.number("max_quarantine_share", PipelineConfig.Quality.DEFAULT_MAX_QUARANTINE_SHARE, 0.0, 1.0),
        q.number("field_issue_warn_share", PipelineConfig.Quality.DEFAULT_FIELD_ISSUE_WARN_SHARE, 0.0, 1.0),
        q.has("max_field_issue_share") ? q.number("max_field_issue_share", 1.0, 0.0, 1.0) : null,
        q.number("out_of_range_warn_share", PipelineConfig.Quality.DEFAULT_OUT_OF_RANGE_WARN_SHARE, 0.0, 1.0));
    Map<String, String> spark = new LinkedHashMap<>(root.stringMap("spark"));
    spark.keySet().forEach(k -> {
      if (!k.startsWith("spark.")) {
        throw root.error("spark." + k, "only spark.* settings belong here");
      }
    });
    spark.forEach((k, v) -> {
      String problem = SparkSettings.problem(k, v);
      if (problem != null) {
        throw root.error("spark." + k, problem + "; fix the value or remove the setting");
      }
    });
    spark.putAll(overrides.sparkConf());
    PipelineConfig.Operations operations = operations(root, overrides.fullRefresh());
    List<SiteMapping> mappings = SiteMappingLoader.loadAll(sitesDir, sites);
    PathSetting runId = PathSetting.resolve(root, "run_id", "--run-id", overrides.runId(), null);
    // a run id names a folder under runs/ on any file system
    if (runId.value() != null && !runId.value().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
      throw runId.error("'" + runId.value() + "' is not a usable run id: use letters, digits, '.', '_' and '-' "
          + "(it names the run's folder)", null);
    }
    return new PipelineConfig(file.toString(), input, output, sitesDir.toString(), runId, overrides.runDate(),
        operations, privacy, quality,
        Map.copyOf(spark), tree.get("analysis"), mappings, hash(file, sitesDir));
  }

  private static PipelineConfig.Operations operations(ConfigNode root, boolean fullRefresh) {
    ConfigNode retention = root.child("retention").allowOnly(Set.of("nights"));
    ConfigNode lock = root.child("lock").allowOnly(Set.of("stale_after_seconds"));
    ConfigNode incremental = root.child("incremental").allowOnly(Set.of("enabled", "verify_checksums"));
    return new PipelineConfig.Operations(
        retention.integer("nights", 7, 1, 100_000),
        lock.integer("stale_after_seconds", 1800, 10, Integer.MAX_VALUE),
        incremental.bool("enabled", true) && !fullRefresh,
        incremental.bool("verify_checksums", true));
  }

  /** Relative {@code sites:} paths resolve against the config file's folder, so configs travel together. */
  private static Path resolveSitesDir(Path configFile, String sites) {
    Path p = Path.of(sites);
    if (p.isAbsolute()) {
      return p;
    }
    Path parent = configFile.toAbsolutePath().getParent();
    return parent.resolve(p).normalize();
  }

  private static String hash(Path config, Path sitesDir) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(Files.readAllBytes(config));
      try (Stream<Path> s = Files.walk(sitesDir)) {
        for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
          md.update(sitesDir.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
          md.update(Files.readAllBytes(f));
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new ConfigException(config.toString(), null, "cannot hash the configuration: " + e.getMessage());
    }
  }
}
