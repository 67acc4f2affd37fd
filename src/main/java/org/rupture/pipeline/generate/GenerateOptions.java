package org.rupture.pipeline.generate;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.rupture.pipeline.cli.UsageException;
import org.rupture.pipeline.config.ConfigNode;

/**
 * The options of {@code generate}, parsed and checked.
 *
 * @param allDialects true for {@code --dialects all} (sites cycle through long, wide, survey)
 */
record GenerateOptions(Path output, int sites, int patientsPerSite, int sessions, long seed,
    boolean allDialects, int deliveries) {

  static final String USAGE = "usage: generate --output DIR [--sites N] [--patients-per-site N]"
      + " [--sessions N] [--seed S] [--dialects long|all] [--deliveries N]";

  private static final List<String> OPTIONS = List.of("--output", "--sites", "--patients-per-site", "--sessions",
      "--seed", "--dialects", "--deliveries");

  /**
   * Parses {@code --name value} or {@code --name=value} options.
   *
   * @return null when help was asked for
   * @throws UsageException naming the offending option and what is allowed
   */
  static GenerateOptions parse(List<String> args) {
    Path output = null;
    int sites = 8;
    int patients = 40;
    int sessions = 12;
    long seed = 1;
    boolean all = false;
    int deliveries = 1;
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--help") || arg.equals("-h")) {
        return null;
      }
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "' (options start with --)");
      }
      String name = arg;
      String value;
      int eq = arg.indexOf('=');
      if (eq > 0) {
        name = arg.substring(0, eq);
      }
      if (!OPTIONS.contains(name)) { // before looking for its value: an unknown option last is still unknown
        String hint = ConfigNode.nearest(name, OPTIONS);
        throw new UsageException("unknown option " + name + (hint == null ? "" : "; did you mean " + hint + "?"));
      }
      if (eq > 0) {
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        throw new UsageException("option " + name + " needs a value");
      }
      if (!seen.add(name)) {
        throw new UsageException("option " + name + " is given twice");
      }
      switch (name) {
        case "--output" -> {
          if (value.isBlank()) {
            throw new UsageException("--output needs a folder name");
          }
          output = Path.of(value);
        }
        case "--sites" -> sites = intValue(name, value, 1, 100_000);
        case "--patients-per-site" -> patients = intValue(name, value, 1, 1_000_000);
        case "--sessions" -> sessions = intValue(name, value, 1, 100);
        case "--deliveries" -> deliveries = intValue(name, value, 1, 50);
        case "--seed" -> {
          try {
            seed = Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw new UsageException("--seed must be an integer, got '" + value + "'");
          }
        }
        case "--dialects" -> {
          if (!value.equals("long") && !value.equals("all")) {
            throw new UsageException("--dialects must be 'long' or 'all', got '" + value + "'");
          }
          all = value.equals("all");
        }
        default -> throw new UsageException("unknown option " + name);
      }
    }
    if (output == null) {
      throw new UsageException("--output DIR is required");
    }
    return new GenerateOptions(output, sites, patients, sessions, seed, all, deliveries);
  }

  private static int intValue(String name, String value, int min, int max) {
    int v;
    try {
      v = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new UsageException(name + " must be a whole number, got '" + value + "'");
    }
    if (v < min || v > max) {
      throw new UsageException(name + " must be between " + min + " and " + max + ", got " + v);
    }
    return v;
  }
}
