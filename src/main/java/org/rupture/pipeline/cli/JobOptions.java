package org.rupture.pipeline.cli;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rupture.pipeline.config.ConfigNode;
import org.rupture.pipeline.config.PipelineConfigLoader;
import org.rupture.pipeline.config.SparkSettings;

/** Options of the pipeline commands (run, ingest, analyze, validate-config). */
record JobOptions(String configFile, PipelineConfigLoader.Overrides overrides, boolean verbose, boolean dryRun) {

  /** Every option of the pipeline commands, in the order the usage lists them. */
  private static final List<String> ALL = List.of("--config", "--input", "--output", "--run-date", "--run-id",
      "--full-refresh", "--conf", "--dry-run", "--verbose");

  /**
   * The options each command takes (README, "Commands"): analyze reads no landed file (no --full-refresh),
   * only ingest has --dry-run, and validate-config writes nothing and starts no Spark.
   */
  private static final Map<String, List<String>> ACCEPTED = Map.of(
      "run", ALL.stream().filter(o -> !o.equals("--dry-run")).toList(),
      "ingest", ALL,
      "analyze", ALL.stream().filter(o -> !o.equals("--dry-run") && !o.equals("--full-refresh")).toList(),
      "validate-config", List.of("--config", "--input", "--verbose"));

  static JobOptions parse(String command, List<String> args) {
    List<String> accepted = ACCEPTED.get(command);
    String config = null;
    String input = null;
    String output = null;
    String runId = null;
    LocalDate runDate = null;
    boolean fullRefresh = false;
    boolean verbose = false;
    boolean dryRun = false;
    Map<String, String> conf = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      String option = a.equals("-v") ? "--verbose" : a;
      if (ALL.contains(option) && !accepted.contains(option)) {
        throw new UsageException("option " + option + " does not apply to " + command + " (it takes "
            + String.join(", ", accepted) + ")");
      }
      switch (a) {
        case "--config" -> config = value(args, ++i, a);
        case "--input" -> input = value(args, ++i, a);
        case "--output" -> output = value(args, ++i, a);
        case "--run-id" -> runId = value(args, ++i, a);
        case "--run-date" -> runDate = runDate(value(args, ++i, a));
        case "--full-refresh" -> fullRefresh = true;
        case "--verbose", "-v" -> verbose = true;
        case "--dry-run" -> dryRun = true;
        case "--conf" -> {
          String kv = value(args, ++i, a);
          int eq = kv.indexOf('=');
          if (eq <= 0 || !kv.startsWith("spark.")) {
            throw new UsageException("--conf takes spark.key=value, found '" + kv + "'");
          }
          String problem = SparkSettings.problem(kv.substring(0, eq), kv.substring(eq + 1));
          if (problem != null) {
            throw new UsageException("--conf " + kv + ": " + problem);
          }
          conf.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        default -> {
          String hint = a.startsWith("-") ? ConfigNode.nearest(a, accepted) : null;
          throw new UsageException("unknown option '" + a + "'" + (hint == null ? "" : "; did you mean " + hint + "?"));
        }
      }
    }
    return new JobOptions(config, new PipelineConfigLoader.Overrides(input, output, runId, runDate, fullRefresh,
        Map.copyOf(conf)), verbose, dryRun);
  }

  private static LocalDate runDate(String date) {
    try {
      return LocalDate.parse(date);
    } catch (DateTimeParseException e) {
      throw new UsageException("--run-date takes a date as YYYY-MM-DD, found '" + date + "'");
    }
  }

  private static String value(List<String> args, int i, String option) {
    if (i >= args.size() || args.get(i).startsWith("--")) {
      throw new UsageException(option + " needs a value");
    }
    return args.get(i);
  }
}
