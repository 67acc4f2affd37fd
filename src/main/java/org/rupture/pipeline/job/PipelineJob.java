package org.rupture.pipeline.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.sql.SparkSession;
import org.rupture.pipeline.analysis.AnalysisConfig;
import org.rupture.pipeline.analysis.AnalysisOutcome;
import org.rupture.pipeline.analysis.AnalyzeStage;
import org.rupture.pipeline.analysis.IpdModel;
import org.rupture.pipeline.analysis.MappingDefinitions;
import org.rupture.pipeline.config.ConfigException;
import org.rupture.pipeline.config.PipelineConfig;
import org.rupture.pipeline.config.SiteMapping;
import org.rupture.pipeline.curated.CuratedCopy;
import org.rupture.pipeline.curated.CuratedLayout;
import org.rupture.pipeline.curated.RunningTasks;
import org.rupture.pipeline.ingest.FileCounts;
import org.rupture.pipeline.ingest.HeaderCheck;
import org.rupture.pipeline.ingest.IngestResult;
import org.rupture.pipeline.ingest.IngestStage;
import org.rupture.pipeline.ingest.IngestState;
import org.rupture.pipeline.ingest.KeyHasher;
import org.rupture.pipeline.ingest.LandingInventory;
import org.rupture.pipeline.ingest.LandingScanner;
import org.rupture.pipeline.ingest.SecretResolver;
import org.rupture.pipeline.report.ManifestWriter;
import org.rupture.pipeline.report.RunHistory;

/**
 * The job's actions (ingest, analyze, run, validate-config) over one resolved configuration. Each
 * returns a typed result; the CLI only parses arguments and maps outcomes to exit codes.
 *
 * <p>Every action that writes makes a new run and publishes it atomically (docs/operations.md): it takes the
 * output's lock, writes only under {@code <output>/runs/<run_id>/}, adds itself to the history, writes its
 * manifest, and only then replaces {@code <output>/CURRENT}. A run that fails, is rejected by the
 * data-quality gate, or is killed leaves CURRENT, and so what readers see, unchanged; its folder is removed
 * (a killed run's by the next run). After publishing, run folders older than {@code retention.nights} nights
 * are deleted, except the one published just before (a reader may still be reading it).
 */
public final class PipelineJob {
  private static final Logger LOG = LogManager.getLogger(PipelineJob.class);
  private static final DateTimeFormatter RUN_ID =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final PipelineConfig config;
  private final PrintStream out;
  private final PrintStream err;
  private final Instant started = Instant.now();
  private final LocalDate runDate;
  private final AnalysisConfig analysisConfig;
  private String runId;
  private boolean lastSecretWasDemo;

  /**
   * What one run produced; either part is null when the command does not run that stage. {@code carried}:
   * for a run that copies a published run's curated data instead of ingesting, that run's manifest, whose
   * ingest facts (files and counts) describe the copied data; null otherwise.
   */
  private record Produced(IngestResult ingest, AnalysisOutcome analysis, ObjectNode carried) {
    Produced(IngestResult ingest, AnalysisOutcome analysis) {
      this(ingest, analysis, null);
    }
  }

  /** @param out progress lines; @param err warnings meant for the person running the job */
  public PipelineJob(PipelineConfig config, PrintStream out, PrintStream err) {
    this.config = config;
    this.out = out;
    this.err = err;
    // parsed here, with the site mappings, so that a mistake in the analysis section fails before Spark starts
    // in every command (validate-config, ingest, analyze, run)
    this.analysisConfig = AnalysisConfig.parse(config.analysis(), config.configFile(),
        MappingDefinitions.of(config.mappings(), config.sitesDir()));
    this.runDate = config.runDate() != null ? config.runDate() : LocalDate.ofInstant(started, ZoneOffset.UTC);
    this.runId = config.runId() != null ? config.runId() : RUN_ID.format(started);
  }

  /**
   * The HMAC secret; resolved (and a missing one reported) before Spark starts. The input folder is checked
   * first: whether the demo secret may be used depends on a marker in it.
   */
  public SecretResolver.Secret secret(Configuration hadoopConf) {
    LandingScanner.requireInputFolder(hadoopConf, config.inputSetting());
    return SecretResolver.resolve(config, hadoopConf, System::getenv);
  }

  /**
   * Creates the output folder when it is on the local file system, before Spark starts, so that one that cannot
   * be created (a path under a file, a read-only place) is a usage error at once. On other file systems (hdfs:,
   * s3a:) the folder is created when the run takes the output's lock, and a refusal is reported the same way.
   */
  public void prepareOutput(Configuration hadoopConf) {
    Path output = new Path(config.output());
    if (!isLocal(output, hadoopConf)) {
      return;
    }
    java.nio.file.Path folder = java.nio.file.Path.of(output.toUri().getPath()).toAbsolutePath().normalize();
    java.nio.file.Path existing = folder;
    while (existing != null && !java.nio.file.Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing != null && !java.nio.file.Files.isDirectory(existing)) {
      throw outputRefused("cannot be created (" + (existing.equals(folder) ? "it is a file" : existing + " is a file")
          + ")");
    }
    if (existing != null && existing.equals(folder)) {
      if (!java.nio.file.Files.isWritable(folder)) {
        throw outputRefused("cannot be written (no write permission)");
      }
      return;
    }
    try {
      java.nio.file.Files.createDirectories(folder);
    } catch (java.nio.file.AccessDeniedException e) {
      throw outputRefused("cannot be created (no permission to create folders in " + existing + ")");
    } catch (java.nio.file.NoSuchFileException e) {
      throw outputRefused("cannot be created (" + existing + " does not take new folders)");
    } catch (java.nio.file.FileSystemException e) {
      throw outputRefused("cannot be created (" + (e.getReason() != null ? e.getReason() : e.getMessage()) + ")");
    } catch (IOException e) {
      throw outputRefused("cannot be created (" + e.getMessage() + ")");
    }
  }

  /** Whether a path is on the local file system: a file: URI, or no scheme with a local default file system. */
  private boolean isLocal(Path path, Configuration hadoopConf) {
    String scheme = path.toUri().getScheme();
    if (scheme == null) {
      // Spark passes spark.hadoop.* settings (the config's, or spark-submit's as system properties) to Hadoop
      String key = "spark.hadoop." + FileSystem.FS_DEFAULT_NAME_KEY;
      String defaultFs = config.sparkConf().getOrDefault(key, System.getProperty(key));
      scheme = defaultFs != null ? new Path(defaultFs).toUri().getScheme() : FileSystem.getDefaultUri(hadoopConf).getScheme();
    }
    return "file".equals(scheme);
  }

  private ConfigException outputRefused(String why) {
    return config.outputSetting().error("output folder " + config.output() + " " + why, "a writable folder");
  }

  /** Checks every mapping against its files' headers without starting Spark. */
  public LandingInventory validate(Configuration hadoopConf) {
    LandingScanner.requireInputFolder(hadoopConf, config.inputSetting());
    LandingInventory inventory = LandingScanner.scan(hadoopConf, config.input(), config.mappings());
    HeaderCheck.require(inventory, byId(), hadoopConf);
    return inventory;
  }

  /** Landing to curated Parquet, quarantine and manifest; publishes a run without results. */
  public IngestResult ingest(SparkSession spark, StageTimings timings) {
    return publishing(spark, "ingest", timings,
        (run, previous) -> new Produced(ingestInto(spark, timings, run, previous), null)).ingest();
  }

  /** Ingest, then analysis; publishes the run. */
  public AnalysisOutcome run(SparkSession spark, StageTimings timings) {
    return publishing(spark, "run", timings, (run, previous) -> {
      IngestResult ingested = ingestInto(spark, timings, run, previous);
      return new Produced(ingested, analyzeInto(spark, timings, run, "just ingested"));
    }).analysis();
  }

  /**
   * Analyses the published run's curated data again (e.g. after the analysis section changed) and publishes
   * the result as a new run that carries a copy of that curated data.
   */
  public AnalysisOutcome analyze(SparkSession spark, StageTimings timings) {
    return publishing(spark, "analyze", timings, (run, previous) -> {
      if (previous.isEmpty()) {
        throw config.outputSetting().error("no published run under " + config.output()
            + " to analyse; run `ingest` or `run` first", null);
      }
      CuratedLayout published = new CuratedLayout(previous.get());
      Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
      copyCurated(spark, published, run);
      ObjectNode carried = ManifestWriter.read(published.manifest(), hadoopConf);
      return new Produced(null, analyzeInto(spark, timings, run,
          "of published run " + new Path(published.root()).getName()), carried);
    }).analysis();
  }

  /**
   * The publishing protocol around a command's stages: lock, clean up what killed runs left, write the run,
   * history and manifest, publish, apply retention, unlock.
   *
   * @param body writes the stages into the run's layout, given the published run's folder (if any)
   */
  private Produced publishing(SparkSession spark, String command, StageTimings timings,
      BiFunction<CuratedLayout, Optional<String>, Produced> body) {
    Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
    RunStore store = new RunStore(config.output(), hadoopConf);
    RunHistory history = new RunHistory(spark);
    RunLock locked;
    try {
      locked = store.lock(runId, Duration.ofSeconds(config.operations().lockStaleAfterSeconds()));
    } catch (RunStore.OutputFolderException e) {
      LOG.debug("output folder refused", e);
      throw config.outputSetting().error(e.getMessage(), "a writable folder");
    }
    try (RunLock lock = locked) {
      if (lock.takenOver() != null) {
        err.println("WARNING: took over the stale lock of " + lock.takenOver());
      }
      Optional<String> previousId = store.current();
      Optional<String> previousDir = previousId.map(store::runDir);
      // folders of runs that failed or were killed, and runs past retention
      List<String> swept = store.deleteAllBut(retained(
          previousDir.map(d -> history.nights(new CuratedLayout(d).history())).orElse(List.of()),
          previousId.orElse(null), null));
      swept.forEach(id -> LOG.info("removed run folder {} (unpublished or past retention)", id));
      chooseFreshRunId(store);
      CuratedLayout run = new CuratedLayout(store.runDir(runId));
      Produced produced;
      List<List<String>> nights;
      RunningTasks tasks = new RunningTasks();
      spark.sparkContext().addSparkListener(tasks);
      try {
        produced = body.apply(run, previousDir);
        nights = history.write(previousDir.map(d -> new CuratedLayout(d).history()).orElse(null),
            produced.analysis() == null ? null : run.results() + "/pooled", run.history(),
            night(command, previousId.orElse(null), produced));
        writeManifest(spark, command, previousId.orElse(null), produced, timings, run);
        lock.verify();
        store.publish(runId);
      } catch (Exception e) { // Spark fails a job with SparkException, a checked exception its Scala code throws
        // undeclared: catching only RuntimeException left the failed run's folder behind (rethrown as is)
        awaitTasksEnded(spark, tasks);
        deleteQuietly(store);
        throw e;
      } finally {
        spark.sparkContext().removeSparkListener(tasks);
      }
      out.println("published: run " + runId + " (night " + runDate + ") in " + run.root());
      try {
        List<String> expired = store.deleteAllBut(retained(nights, runId, previousId.orElse(null)));
        if (!expired.isEmpty()) {
          out.println("retention: removed " + expired.size() + " run(s) older than "
              + config.operations().retentionNights() + " night(s): " + String.join(", ", expired));
        }
      } catch (UncheckedIOException e) {
        // the run is published; old folders are removed by the next run
        err.println("WARNING: could not remove old runs (" + e.getMessage() + "); the next run tries again");
      }
      return produced;
    }
  }

  /**
   * The runs of the last {@code retention.nights} nights (a night's last run and, when that one has no results,
   * its last run with results), the published run and the one published before it.
   */
  private Set<String> retained(List<List<String>> nights, String current, String previous) {
    Set<String> keep = new LinkedHashSet<>();
    nights.subList(Math.max(0, nights.size() - config.operations().retentionNights()), nights.size())
        .forEach(keep::addAll);
    if (current != null) {
      keep.add(current);
    }
    if (previous != null) {
      keep.add(previous);
    }
    return keep;
  }

  /**
   * A run id names a new folder: an id given with --run-id must not name a kept run; a generated one gets a
   * suffix when two runs start within one second.
   */
  private void chooseFreshRunId(RunStore store) {
    if (!store.exists(runId)) {
      return;
    }
    if (config.runId() != null) {
      throw config.runIdSetting().error("run '" + runId + "' already exists under " + config.output()
          + "/runs (a published or retained run); give a new run id, or leave it out", null);
    }
    String base = runId;
    for (int i = 2; store.exists(runId); i++) {
      runId = base + "-" + i;
    }
  }

  private RunHistory.Night night(String command, String previousRun, Produced produced) {
    IngestResult ingest = produced.ingest();
    long parsed = ingest == null ? 0 : ingest.files().stream().filter(FileCounts::parsed).count();
    long reused = ingest == null ? 0 : ingest.files().size() - parsed;
    return new RunHistory.Night(runId, runDate, Instant.now(), command, previousRun, parsed, reused,
        ingest == null ? 0 : ingest.sessionRows(), ingest == null ? 0 : ingest.quarantined(),
        produced.analysis() == null ? 0 : produced.analysis().pooled().size());
  }

  /**
   * Waits (for at most two minutes) until no Spark task of the failed run still runs, so that none writes
   * into the run's folder as it is removed: Spark reports a failed job before the job's other tasks,
   * killed, have ended, and a killed writer task still closes its files ({@link RunningTasks}).
   */
  private void awaitTasksEnded(SparkSession spark, RunningTasks tasks) {
    try {
      if (!tasks.awaitIdle(spark.sparkContext(), RunningTasks.KILLED_TASKS_TIMEOUT_MILLIS)) {
        LOG.warn("Spark tasks of the failed run still ran {} s after the failure; files they write into {} "
            + "are removed by the next run", RunningTasks.KILLED_TASKS_TIMEOUT_MILLIS / 1000, runId);
      }
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void deleteQuietly(RunStore store) {
    try {
      store.delete(runId);
    } catch (UncheckedIOException e) {
      LOG.warn("could not remove the failed run's folder {}: {}", store.runDir(runId), e.getMessage());
    }
  }

  private IngestResult ingestInto(SparkSession spark, StageTimings timings, CuratedLayout run,
      Optional<String> previousRun) {
    Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
    SecretResolver.Secret secret = secret(hadoopConf);
    if (secret.demo()) {
      err.println("WARNING: using the built-in DEMO secret for patient/therapist keys. Keys are NOT "
          + "private. Set " + config.privacy().secretEnv() + " for real data.");
    }
    LandingInventory inventory = LandingScanner.scan(hadoopConf, config.input(), config.mappings());
    reportUnclaimed(inventory);
    IngestState previous = config.operations().incremental() && previousRun.isPresent()
        ? IngestState.load(new CuratedLayout(previousRun.get()).ingestState(), hadoopConf)
        : IngestState.none();
    IngestStage stage = new IngestStage(spark, config.mappings(), new KeyHasher(secret.bytes()), runId,
        config.quality());
    IngestResult result = timings.time("ingest",
        () -> stage.run(inventory, run, previous, config.operations().verifyChecksums()), IngestResult::sessionRows,
        r -> String.format("%d files (%d parsed, %d unchanged), %d patients, %d quarantined, %d field issues",
            r.files().size(), r.files().stream().filter(FileCounts::parsed).count(),
            r.files().stream().filter(f -> !f.parsed()).count(), r.patientRows(), r.quarantined(), r.fieldIssues()));
    lastSecretWasDemo = secret.demo();
    reportFieldIssues(result);
    return result;
  }

  /**
   * A warning per site and field nulled in more than {@code quality.field_issue_warn_share} of the site's
   * accepted records (most likely a mapping mistake, e.g. a date format), and per file of a site below it that
   * is above it itself (a new delivery in a new format), and per field whose values out of the declared scale
   * point to a shifted scale ({@code quality.out_of_range_warn_share}); every site's counts in the log. The
   * manifest records
   * both ({@code field_issue_shares}).
   */
  private void reportFieldIssues(IngestResult result) {
    result.fieldIssueShares().shares().forEach(s -> LOG.info("field issues: {} {}.{} {}: {} of {} records ({})",
        s.site(), s.table(), s.field(), s.reason(), s.records(), s.accepted(), String.format("%.1f%%", 100 * s.share())));
    result.fieldIssueShares().warnings().forEach(w -> err.println("WARNING: " + w));
    result.fileWarnings().forEach(w -> err.println("WARNING: " + w.message()));
  }

  /** Curated to features and results; prints the compact pooled table. */
  /** @param curatedOrigin where the run's curated data comes from, in words, for error messages */
  private AnalysisOutcome analyzeInto(SparkSession spark, StageTimings timings, CuratedLayout run,
      String curatedOrigin) {
    AnalysisOutcome outcome = timings.time("analyze",
        () -> AnalyzeStage.run(spark, analysisConfig, config.configFile(), curatedOrigin, run.curated(), run.root()),
        o -> o.siteEffects().size(),
        o -> String.format("%d site effects, %d of %d pooled, %d IPD models%s", o.siteEffects().size(),
            o.pooled().stream().filter(p -> p.result() != null).count(), o.pooled().size(), o.ipdModels().size(),
            notFitted(o.ipdModels())));
    outcome.notes().forEach(n -> err.println("note: " + n));
    out.println();
    outcome.summaryLines().forEach(out::println);
    out.println("results: " + run.results());
    return outcome;
  }

  /** " (n not fitted)" for the stage's summary line, or nothing when every one-stage model was fitted. */
  private static String notFitted(List<IpdModel> models) {
    long n = models.stream().filter(m -> m.notFitted() != null).count();
    return n == 0 ? "" : " (" + n + " not fitted)";
  }

  /**
   * Copies the curated tables and the restricted folder of a published run into a new run, the files in the
   * executors ({@link CuratedCopy}).
   */
  private static void copyCurated(SparkSession spark, CuratedLayout from, CuratedLayout to) {
    CuratedCopy.copy(spark, List.of(from.sessionRatings(), from.patients(), from.outcomes(), from.restricted()),
        List.of(to.sessionRatings(), to.patients(), to.outcomes(), to.restricted()));
  }

  private void writeManifest(SparkSession spark, String command, String previousRun, Produced produced,
      StageTimings timings, CuratedLayout run) {
    ManifestWriter.RunInfo info = new ManifestWriter.RunInfo(runId, runDate, command, previousRun, started,
        config.configFile(), config.configHash(), config.input(), config.output(), spark.version(), lastSecretWasDemo);
    ObjectNode manifest = produced.carried() != null
        ? ManifestWriter.buildCarrying(info, produced.carried(), timings.stages())
        : ManifestWriter.build(info, produced.ingest(), timings.stages());
    ManifestWriter.write(manifest, run.manifest(), spark.sparkContext().hadoopConfiguration());
  }

  /** Warns of what the landing holds that is not ingested: site folders, file patterns, files. */
  void reportUnclaimed(LandingInventory inventory) {
    for (String site : inventory.unmappedSites()) {
      String hint = LandingScanner.unmappedHint(site, inventory, config.mappings());
      err.println("WARNING: site folder '" + site + "' is claimed by no mapping in " + config.sitesDir()
          + "; its files are not ingested " + (hint.isEmpty() ? "(add conf/sites/" + site + ".yaml)" : "(" + hint + ")"));
    }
    LandingScanner.unmatchedPatterns(inventory, config.mappings()).forEach(w -> err.println("WARNING: " + w));
    for (String file : inventory.unclaimedFiles()) {
      LOG.warn("file {} {}; not ingested", file, LandingScanner.unclaimedReason(file, config.mappings()));
    }
    if (!inventory.unclaimedFiles().isEmpty()) {
      err.println("WARNING: " + inventory.unclaimedFiles().size()
          + " landed file(s) match no file pattern; listed in manifest.json under unclaimed_files");
    }
  }

  private Map<String, SiteMapping> byId() {
    Map<String, SiteMapping> m = new HashMap<>();
    config.mappings().forEach(x -> m.put(x.id(), x));
    return m;
  }
}
