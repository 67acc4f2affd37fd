package org.rupture.pipeline.cli;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rupture.pipeline.config.PipelineConfigLoader;
import org.rupture.pipeline.config.SparkSettings;

/** Options of the pipeline commands (run, ingest, analyze, validate-config). */
record JobOptions(String configFile, PipelineConfigLoader.Overrides overrides, boolean verbose, boolean dryRun) {

  static JobOptions parse(List<String> args) {
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
        default -> throw new UsageException("unknown option '" + a + "'");
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
