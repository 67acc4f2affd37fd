package org.rupture.pipeline.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * The resolved run configuration. Precedence, lowest first: built-in defaults, the config file
 * ({@code --config}, default {@code conf/pipeline.yaml}), then command-line options
 * ({@code --input}, {@code --output}, {@code --run-id}, {@code --run-date}, {@code --full-refresh},
 * {@code --conf spark.k=v}).
 *
 * @param inputSetting landing folder {@code <input>/<site>/<delivery>/<files>} (a path or URI), and where it was set
 * @param outputSetting output folder (a path or URI), and where it was set
 * @param sitesDir local folder holding the site mappings
 * @param runIdSetting the run's id (null for one made from the start time), and where it was set
 * @param runDate the night the run stands for, or null for today (UTC)
 * @param operations retention, locking and incremental ingest of nightly runs
 * @param sparkConf extra Spark settings, passed through unchanged
 * @param analysis the raw {@code analysis:} section, typed by the analysis stage
 * @param configHash SHA-256 over the pipeline config and every mapping, for the manifest
 */
public record PipelineConfig(
    String configFile,
    PathSetting inputSetting,
    PathSetting outputSetting,
    String sitesDir,
    PathSetting runIdSetting,
    LocalDate runDate,
    Operations operations,
    Privacy privacy,
    Quality quality,
    Map<String, String> sparkConf,
    JsonNode analysis,
    List<SiteMapping> mappings,
    String configHash) {

  /** The landing folder (a path or URI). */
  public String input() {
    return inputSetting.value();
  }

  /** The output folder (a path or URI). */
  public String output() {
    return outputSetting.value();
  }

  /** The run's id as given (it names the run's folder under {@code runs/}), or null for one made from the start time. */
  public String runId() {
    return runIdSetting.value();
  }

  /**
   * Where the HMAC secret comes from: the environment variable, else the key file, else (only for
   * input folders carrying the {@code DEMO_DATA} marker: the committed sample, a generated cohort) a demo secret.
   */
  public record Privacy(String secretEnv, String keyFile, boolean allowDemoSecret) {}

  /**
   * Nightly operation (docs/operations.md).
   *
   * @param retentionNights published runs are kept for this many nights (the current run always)
   * @param lockStaleAfterSeconds a lock whose holder has not refreshed it for this long is taken over
   * @param incremental files ingested by the published run, unchanged, are not parsed again
   * @param verifyChecksums an unchanged file is recognised by its SHA-256 (true) or by size and
   *     modification time alone (false: no read at all)
   */
  public record Operations(int retentionNights, int lockStaleAfterSeconds, boolean incremental,
      boolean verifyChecksums) {}

  /**
   * A number as a config writes it, for messages: 0.0008 (not Java's 8.0E-4), 0.2, 1 (not 1.0), 7.5, -0.25: no
   * exponent, no trailing zeros.
   */
  public static String plain(double v) {
    return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  /**
   * Data-quality checks after the ingest (docs/operations.md "Data-quality checks").
   *
   * @param maxQuarantineShare a site whose quarantined share of records exceeds this fails the run (exit 3)
   * @param fieldIssueWarnShare a site whose share of accepted records with one field nulled for one reason
   *     exceeds this gets a warning naming the field and the mapping key to check
   * @param maxFieldIssueShare such a share above this fails the run (exit 3); null: no such gate
   * @param outOfRangeWarnShare a site (or file) whose share of accepted records with one field nulled as
   *     OUT_OF_RANGE exceeds this (a shifted source scale nulls only the values it cuts off) gets a warning naming
   *     the declared scale and the values outside it
   */
  public record Quality(double maxQuarantineShare, double fieldIssueWarnShare, Double maxFieldIssueShare,
      double outOfRangeWarnShare) {
    public static final double DEFAULT_MAX_QUARANTINE_SHARE = 0.2;
    public static final double DEFAULT_FIELD_ISSUE_WARN_SHARE = 0.2;
    /**
     * A correct scale leaves out of range only the odd typo (a few per thousand records at most), while a scale
     * declared one point off cuts off a whole answer category, which holds several percent of a rating's values:
     * 1% lies between the two.
     */
    public static final double DEFAULT_OUT_OF_RANGE_WARN_SHARE = 0.01;

    /** With the default {@code out_of_range_warn_share}. */
    public Quality(double maxQuarantineShare, double fieldIssueWarnShare, Double maxFieldIssueShare) {
      this(maxQuarantineShare, fieldIssueWarnShare, maxFieldIssueShare, DEFAULT_OUT_OF_RANGE_WARN_SHARE);
    }
  }
}
