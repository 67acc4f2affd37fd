package org.rupture.pipeline.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.sql.SparkSession;
import org.rupture.pipeline.config.ConfigException;
import org.rupture.pipeline.config.PipelineConfig;
import org.rupture.pipeline.config.PipelineConfigLoader;
import org.rupture.pipeline.ingest.DataQualityException;
import org.rupture.pipeline.ingest.LandingInventory;
import org.rupture.pipeline.ingest.LandingScanner;
import org.rupture.pipeline.job.PipelineJob;
import org.rupture.pipeline.job.RunLockedException;
import org.rupture.pipeline.job.SparkSessions;
import org.rupture.pipeline.job.StageTimings;

/**
 * Command-line entry point (SPEC section 2). Parses the command and its options, hands them to the
 * job, and maps outcomes to exit codes: 0 success, 2 usage or configuration, 3 data-quality gate,
 * 4 another run holds the output's lock (retry later), 1 anything else. Users never see a stack trace;
 * {@code --verbose} logs it.
 */
public final class Main {
  private static final Logger LOG = LogManager.getLogger(Main.class);
  static final String USAGE = String.join("\n",
      "usage: rupture <command> [options]",
      "  run             ingest + analyze, published as a new run under <output>/runs/, named by <output>/CURRENT",
      "                  [--config FILE] [--input DIR] [--output DIR] [--run-date YYYY-MM-DD] [--run-id ID]",
      "                  [--full-refresh] [--conf spark.k=v ...] [--verbose]",
      "  ingest          landing -> curated Parquet, quarantine, manifest (same options; --dry-run = validate-config)",
      "  analyze         the published run's curated data -> features -> results, as a new run (same options but",
      "                  --full-refresh)",
      "  validate-config check every site mapping against its files' headers, without Spark",
      "                  [--config FILE] [--input DIR] [--verbose]",
      "  meta            --input FILE.csv [--method REML|DL|PM|ML|HS|SJ|HE|EB|FE] [--test z|knha] [--format json|table]",
      "  generate        --output DIR [--sites N] [--patients-per-site N] [--sessions N] [--seed S] [--dialects long|all]",
      "                  [--deliveries N]");

  private Main() {}

  public static void main(String[] args) {
    // set first among the shutdown hooks' effects that matter here: Spark's own hook stops the SparkContext,
    // and the job then fails with messages about a stopped context that say nothing about why
    Thread interrupted = new Thread(() -> {
      shuttingDown = true;
      // what Spark logs while it is stopped under running tasks (rejected tasks, with their stack traces) is
      // the stop itself, not a fault
      Configurator.setLevel("org.apache.spark", Level.OFF);
      // said here: the JVM halts once the hooks have run, maybe before the command's own failure is caught
      System.err.println(failureMessage(null, true));
    }, "rupture-interrupted");
    Runtime.getRuntime().addShutdownHook(interrupted);
    int code = run(Arrays.asList(args), System.out, System.err);
    try {
      Runtime.getRuntime().removeShutdownHook(interrupted); // the command ended: exiting is no interruption
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook runs or has run; it has said why
    }
    System.exit(code);
  }

  /** True once the JVM shuts down (SIGTERM from a scheduler's timeout, Ctrl-C) while a command runs. */
  private static volatile boolean shuttingDown;

  /** The one line printed for an unexpected failure; a failure during shutdown is said to be an interruption. */
  static String failureMessage(Throwable e, boolean shuttingDown) {
    if (shuttingDown) {
      return "interrupted: the JVM was asked to stop (SIGTERM, e.g. a scheduler's timeout, or Ctrl-C) before the "
          + "command ended; CURRENT names the last run that was published, and the next run removes what this one "
          + "left";
    }
    return "error: " + describe(e) + " (run with --verbose for details)";
  }

  /** Runs a command and returns its exit code (never exits the JVM; tests call this). */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h")) {
      (args.isEmpty() ? err : out).println(USAGE);
      return args.isEmpty() ? 2 : 0;
    }
    String command = args.get(0);
    List<String> rest = args.subList(1, args.size());
    try {
      return switch (command) {
        case "run", "ingest", "analyze", "validate-config" -> {
          if (rest.contains("--help") || rest.contains("-h")) {
            out.println(USAGE);
            yield 0;
          }
          yield pipeline(command, JobOptions.parse(command, rest), out, err);
        }
        case "meta" -> MetaCommand.run(rest, out, err);
        case "generate" -> org.rupture.pipeline.generate.GenerateCommand.run(rest, out, err);
        default -> throw new UsageException("unknown command '" + command + "'");
      };
    } catch (UsageException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (DataQualityException e) {
      err.println("rejected: " + e.getMessage());
      return 3;
    } catch (RunLockedException e) {
      err.println("locked: " + e.getMessage());
      return 4;
    } catch (Exception e) { // Spark's Scala code throws checked exceptions undeclared
      LOG.debug("failure", e);
      if (!shuttingDown) { // else the shutdown hook has said it
        err.println(failureMessage(e, false));
      }
      return 1;
    }
  }

  private static int pipeline(String command, JobOptions o, PrintStream out, PrintStream err) {
    if (o.verbose()) {
      Configurator.setLevel("org.rupture", Level.DEBUG);
      Configurator.setLevel("org.apache.spark", Level.INFO);
    }
    PipelineConfig config = PipelineConfigLoader.load(o.configFile(), o.overrides());
    PipelineJob job = new PipelineJob(config, out, err);
    if (command.equals("validate-config") || o.dryRun()) {
      LandingInventory inv = job.validate(new org.apache.hadoop.conf.Configuration());
      out.printf("ok: %d mapping(s), %d file(s) fit their mappings%n", config.mappings().size(), inv.files().size());
      // warnings go to standard error, like every command's: standard output holds the result alone
      inv.unmappedSites().forEach(s -> err.println("warning: site folder '" + s + "' is claimed by no mapping"
          + withHint(LandingScanner.unmappedHint(s, inv, config.mappings()))));
      LandingScanner.unmatchedPatterns(inv, config.mappings()).forEach(w -> err.println("warning: " + w));
      inv.unclaimedFiles().forEach(f -> err.println("warning: file " + f + " "
          + LandingScanner.unclaimedReason(f, config.mappings())));
      return 0;
    }
    if (!command.equals("analyze")) {
      job.secret(new org.apache.hadoop.conf.Configuration()); // fail fast, before Spark starts
    }
    job.prepareOutput(new org.apache.hadoop.conf.Configuration());
    // An embedding application (or a test) may already own a session: use it and leave it running.
    boolean ownSession = SparkSession.getDefaultSession().isEmpty();
    SparkSession spark = SparkSessions.create("rupture-pipeline " + command, config.sparkConf());
    try {
      StageTimings timings = new StageTimings(out);
      switch (command) {
        case "ingest" -> job.ingest(spark, timings);
        case "analyze" -> job.analyze(spark, timings);
        default -> job.run(spark, timings);
      }
      return 0;
    } finally {
      if (ownSession) {
        spark.stop();
      }
    }
  }

  private static String withHint(String hint) {
    return hint.isEmpty() ? "" : "; " + hint;
  }

  /**
   * The most specific message of a failure, without class names users cannot act on, on one line.
   * Every line of the message is kept: Spark's error messages end their first line with "...due to the
   * upgrading to Spark >= 3.0:" and give the cause on the next ones, so the first line alone says nothing.
   * What follows the message proper is not for users and is left out: a query context ("== SQL ... ==",
   * our generated expressions) and the stack traces a job failure's message can carry ("\tat ...",
   * "Driver stacktrace:").
   */
  static String describe(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String msg = t.getMessage() == null ? "" : t.getMessage();
    StringBuilder out = new StringBuilder();
    for (String line : msg.split("\\R")) {
      if (NOT_FOR_USERS.matcher(line).matches()) {
        break;
      }
      if (!line.isBlank()) {
        out.append(out.length() == 0 ? "" : " ").append(line.strip());
      }
    }
    return out.length() == 0 ? t.getClass().getSimpleName() : out.toString();
  }

  /** A stack frame, the driver's stack trace header or the header of a Spark query context. */
  private static final Pattern NOT_FOR_USERS = Pattern.compile(
      "\\s+at \\S.*|\\s*Driver stacktrace:.*|\\s*== .* ==\\s*");
}
