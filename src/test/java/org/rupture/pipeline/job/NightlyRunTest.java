package org.rupture.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rupture.pipeline.testing.PublishedRuns.assertSameData;
import static org.rupture.pipeline.testing.PublishedRuns.current;
import static org.rupture.pipeline.testing.PublishedRuns.currentId;
import static org.rupture.pipeline.testing.PublishedRuns.runIds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rupture.pipeline.cli.Main;
import org.rupture.pipeline.testing.PublishedRuns;
import org.rupture.pipeline.testing.SparkTestBase;

/**
 * Nightly operation through the CLI, on two sites of the committed sample: incremental ingest (a late
 * delivery is parsed alone, a re-delivered unchanged file is not parsed again, a changed one is), the same
 * night run twice, a rejected run, a held lock, a changed mapping, retention and the history. Every published
 * result of an incremental run is compared with a run from scratch over the same landing folder.
 *
 * <p>The first night (the latest delivery of each site) is published once; each test works on its own copy.
 */
class NightlyRunTest extends SparkTestBase {
  static final Path SAMPLE = Path.of("sample/landing");
  static final String FIRST_NIGHT = "2026-01-01";
  static Path base;

  /** One test's landing folder, site mappings, output and config file. */
  record Setup(Path landing, Path sites, Path output, Path config) {}

  /** What a CLI call returned. */
  record Result(int exit, String out, String err) {}

  @BeforeAll
  static void publishFirstNight() throws IOException {
    spark(); // the shared session; the job uses it
    base = Files.createTempDirectory("rupture-nightly-base");
    Files.createDirectories(base.resolve("landing"));
    Files.copy(SAMPLE.resolve("DEMO_DATA"), base.resolve("landing/DEMO_DATA"));
    copyTree(SAMPLE.resolve("site-001/2025-03-04"), base.resolve("landing/site-001/2025-03-04"));
    copyTree(SAMPLE.resolve("site-002/2025-03-04"), base.resolve("landing/site-002/2025-03-04"));
    Setup s = setup(base, base.resolve("landing"), Path.of("conf/sites").toAbsolutePath(), 0.2);
    Result r = run(s, "--run-date", FIRST_NIGHT);
    assertEquals(0, r.exit(), r.err());
  }

  /** The shared run outlives each test, not the class: no run folders left behind in the temp folder. */
  @AfterAll
  static void removeSharedRun() throws IOException {
    org.apache.commons.io.FileUtils.deleteDirectory(base.toFile());
  }

  @Test
  void lateDeliveryIsParsedAloneRedeliveryIsNotParsedAgainAndTheResultEqualsARunFromScratch(@TempDir Path dir)
      throws IOException {
    Setup s = copyOfFirstNight(dir, 0.2);
    String firstRun = currentId(s.output());

    // night 2: site-001's delivery of 2024-07-03 arrives after the one of 2025-03-04
    copyTree(SAMPLE.resolve("site-001/2024-07-03"), s.landing().resolve("site-001/2024-07-03"));
    Result night2 = run(s, "--run-date", "2026-01-02");
    assertEquals(0, night2.exit(), night2.err());
    assertEquals(Set.of("site-001/2024-07-03/patients.csv", "site-001/2024-07-03/sessions.csv"), parsed(s.output()));
    JsonNode late = fileEntry(s.output(), "site-001/2024-07-03/sessions.csv");
    assertTrue(late.get("superseded").asLong() > 0, "keys the later delivery also holds are superseded: " + late);
    assertTrue(late.get("reconciled").asBoolean(), late.toString());
    Path night2Run = current(s.output());

    // night 3: the same delivery is delivered again (same bytes, new modification time)
    for (String name : List.of("patients.csv", "sessions.csv")) {
      Path f = s.landing().resolve("site-001/2024-07-03").resolve(name);
      Files.write(f, Files.readAllBytes(f));
    }
    Result night3 = run(s, "--run-date", "2026-01-03");
    assertEquals(0, night3.exit(), night3.err());
    assertEquals(Set.of(), parsed(s.output()));
    assertSameData(spark(), night2Run, current(s.output()));
    String night3Id = currentId(s.output());

    // night 4: a corrected re-delivery (its last row withdrawn) is parsed again, and only it
    Path sessions = s.landing().resolve("site-001/2024-07-03/sessions.csv");
    List<String> lines = new ArrayList<>(Files.readAllLines(sessions, StandardCharsets.UTF_8));
    lines.remove(lines.size() - 1);
    Files.write(sessions, lines, StandardCharsets.UTF_8);
    Result night4 = run(s, "--run-date", "2026-01-04");
    assertEquals(0, night4.exit(), night4.err());
    assertEquals(Set.of("site-001/2024-07-03/sessions.csv"), parsed(s.output()));

    Setup scratch = setup(dir.resolve("scratch"), s.landing(), s.sites(), 0.2);
    assertEquals(0, run(scratch, "--run-date", "2026-01-04").exit());
    assertEquals(6, parsed(scratch.output()).size(), "the run from scratch parses every file");
    assertSameData(spark(), current(scratch.output()), current(s.output()));

    // retention.nights = 2: the runs of nights 3 and 4 remain, the first two are gone
    assertEquals(new TreeSet<>(List.of(night3Id, currentId(s.output()))), new TreeSet<>(runIds(s.output())));
    assertFalse(runIds(s.output()).contains(firstRun));
    assertTrue(night4.out().contains("retention: removed"), night4.out());

    // the history: one row per night, and per night every pooled estimate
    List<String> nights = Files.readAllLines(current(s.output()).resolve("history/runs.csv"));
    assertEquals(List.of("2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"),
        nights.stream().skip(1).map(l -> l.split(",")[1]).toList());
    long pooled = Files.readAllLines(current(s.output()).resolve("results/pooled.csv")).size() - 1;
    assertEquals(4 * pooled, Files.readAllLines(current(s.output()).resolve("history/pooled.csv")).size() - 1);
  }

  @Test
  void sameNightTwiceGivesIdenticalResultsAndNoDuplicatedRows(@TempDir Path dir) throws IOException {
    Setup copy = copyOfFirstNight(dir, 0.2);
    // input and output given as file: URIs, as on a cluster they are hdfs: or s3a: URIs
    Setup s = setup(dir, copy.landing(), copy.sites(), 0.2, true);
    Path first = current(s.output());
    Result again = run(s, "--run-date", FIRST_NIGHT);
    assertEquals(0, again.exit(), again.err());
    assertEquals(Set.of(), parsed(s.output()), "nothing is parsed twice");
    assertSameData(spark(), first, current(s.output()));
    long rows = spark().read().parquet(current(s.output()).resolve("curated/session_ratings").toString()).count();
    long keys = spark().read().parquet(current(s.output()).resolve("curated/session_ratings").toString())
        .select("site", "patient_key", "session_number", "rater").distinct().count();
    assertEquals(keys, rows, "one row per key");
    List<String> nights = Files.readAllLines(current(s.output()).resolve("history/runs.csv"));
    assertEquals(2, nights.size(), "one night in the history: " + nights);
    assertEquals(Files.readAllLines(first.resolve("results/pooled.csv")).size(),
        Files.readAllLines(current(s.output()).resolve("history/pooled.csv")).size());
    // the run published before stays for readers that resolved CURRENT just before the switch
    assertEquals(2, runIds(s.output()).size());
  }

  @Test
  void rejectedRunPublishesNothingAndReleasesTheLock(@TempDir Path dir) throws IOException {
    Setup s = copyOfFirstNight(dir, 0.0);
    String published = currentId(s.output());
    Result rejected = run(s, "--run-date", "2026-01-02");
    assertEquals(3, rejected.exit(), rejected.err());
    assertTrue(rejected.err().contains("rejected: quarantine share above"), rejected.err());
    assertEquals(published, currentId(s.output()));
    assertEquals(List.of(published), runIds(s.output()), "the rejected run's folder is removed");
    assertFalse(Files.exists(s.output().resolve(RunStore.LOCK)));
  }

  @Test
  void aLockHeldByALiveRunStopsTheRunWithExitCode4(@TempDir Path dir) throws IOException {
    Setup s = copyOfFirstNight(dir, 0.2);
    String published = currentId(s.output());
    String lock = "{\"run_id\":\"other\",\"host\":\"" + InetAddress.getLocalHost().getHostName() + "\",\"pid\":"
        + ProcessHandle.current().pid() + ",\"heartbeat\":\"" + Instant.now() + "\"}";
    Files.writeString(s.output().resolve(RunStore.LOCK), lock);
    Result locked = run(s, "--run-date", "2026-01-02");
    assertEquals(4, locked.exit(), locked.err());
    assertTrue(locked.err().contains("locked: another run holds the lock") && locked.err().contains("run other"),
        locked.err());
    assertEquals(published, currentId(s.output()));
    assertEquals(lock, Files.readString(s.output().resolve(RunStore.LOCK)), "another run's lock is left alone");
  }

  @Test
  void aChangedMappingReparsesTheFilesOfItsSitesOnly(@TempDir Path dir) throws IOException {
    Setup s = copyOfFirstNight(dir, 0.2);
    Path sites = dir.resolve("sites");
    copyTree(Path.of("conf/sites"), sites);
    Path wide = sites.resolve("wide-export-sites.yaml");
    Files.writeString(wide, Files.readString(wide).replace("  - site-008\n", "  - site-008\n  - site-099\n"));
    Setup changed = setup(dir, s.landing(), sites, 0.2);
    Result r = run(changed, "--run-date", "2026-01-02");
    assertEquals(0, r.exit(), r.err());
    assertEquals(Set.of("site-002/2025-03-04/patients.csv", "site-002/2025-03-04/sessions_wide.csv"),
        parsed(s.output()));
  }

  @Test
  void ingestThenAnalyzePublishTwoRunsAndTheSecondHoldsTheSameDataAsTheRun(@TempDir Path dir) throws IOException {
    Setup s = copyOfFirstNight(dir, 0.2);
    Path first = current(s.output());
    Result ingest = command(s, "ingest", "--run-date", "2026-01-02");
    assertEquals(0, ingest.exit(), ingest.err());
    assertFalse(Files.exists(current(s.output()).resolve("results")), "an ingest run has no results");
    assertEquals(Set.of(), parsed(s.output()));
    JsonNode ingested = manifest(s.output());
    Result analyze = command(s, "analyze", "--run-date", "2026-01-02");
    assertEquals(0, analyze.exit(), analyze.err());
    assertSameData(spark(), first, current(s.output()));
    assertEquals(3, runIds(s.output()).size());
    // the analysed copy's manifest says which files and counts its curated data holds, and with which secret
    JsonNode analysed = manifest(s.output());
    assertEquals("analyze", analysed.get("command").asText());
    assertEquals(ingested.get("run_id").asText(), analysed.get("curated_from").asText());
    for (String field : List.of("files", "totals", "field_issue_shares", "demo_secret", "input")) {
      assertEquals(ingested.get(field), analysed.get(field), field);
    }
    assertTrue(ingested.get("demo_secret").asBoolean(), "the sample's runs use the demo secret");
    assertTrue(analysed.get("files").size() > 0);
  }

  /**
   * An ingest publishes a run without results. For a night that already had results it must not take them
   * out of the history, nor let retention delete the run that holds them: the night then lists both runs.
   */
  @Test
  void anIngestForANightWithResultsKeepsThatNightsResultsInTheHistoryAndItsRun(@TempDir Path dir) throws IOException {
    Setup s = copyOfFirstNight(dir, 0.2);
    String withResults = currentId(s.output());
    List<String> pooledBefore = Files.readAllLines(current(s.output()).resolve("history/pooled.csv"));
    Result ingest = command(s, "ingest", "--run-date", FIRST_NIGHT);
    assertEquals(0, ingest.exit(), ingest.err());
    String ingestOnly = currentId(s.output());
    Result night2 = run(s, "--run-date", "2026-01-02");
    assertEquals(0, night2.exit(), night2.err());

    List<String> pooled = Files.readAllLines(current(s.output()).resolve("history/pooled.csv"));
    List<String> firstNight = pooled.stream().filter(l -> l.contains("," + FIRST_NIGHT + ",")).toList();
    assertEquals(pooledBefore.subList(1, pooledBefore.size()), firstNight, "the first night's estimates, as published");
    List<String> runs = Files.readAllLines(current(s.output()).resolve("history/runs.csv"));
    assertEquals(List.of(withResults, ingestOnly, currentId(s.output())),
        runs.subList(1, runs.size()).stream().map(l -> l.substring(0, l.indexOf(','))).toList());
    // retention.nights = 2 keeps both nights, so both runs of the first night
    assertEquals(new TreeSet<>(List.of(withResults, ingestOnly, currentId(s.output()))),
        new TreeSet<>(runIds(s.output())));
    assertTrue(Files.exists(s.output().resolve("runs").resolve(withResults).resolve("results/pooled.csv")));
  }

  @Test
  void aRunIdNamingAKeptRunIsReportedWhereItWasGiven(@TempDir Path dir) throws IOException {
    Setup s = copyOfFirstNight(dir, 0.2);
    String published = currentId(s.output());
    Result option = run(s, "--run-id", published);
    assertEquals(2, option.exit(), option.err());
    assertEquals("error: --run-id " + published + ": run '" + published + "' already exists under " + s.output()
        + "/runs (a published or retained run); give a new run id, or leave it out", option.err().strip());
    Files.writeString(s.config(), "run_id: " + published + "\n", java.nio.file.StandardOpenOption.APPEND);
    Result config = run(s);
    assertEquals(2, config.exit(), config.err());
    assertEquals("error: configuration error in " + s.config() + " at 'run_id': run '" + published + "' already "
        + "exists under " + s.output() + "/runs (a published or retained run); give a new run id, or leave it out",
        config.err().strip());
    assertEquals(List.of(published), runIds(s.output()), "nothing was written");
  }

  @Test
  void analyzeWithNothingPublishedIsAConfigurationError(@TempDir Path dir) throws IOException {
    Setup s = setup(dir, base.resolve("landing"), Path.of("conf/sites").toAbsolutePath(), 0.2);
    Result analyze = command(s, "analyze");
    assertEquals(2, analyze.exit(), analyze.err());
    assertTrue(analyze.err().contains("no published run under " + s.output() + " to analyse; run `ingest` or `run` "
        + "first"), analyze.err());
  }

  @Test
  void analyzeOfDataIngestedBeforeAProcessVariableWasMappedNamesTheConfigKeyAndThePublishedRun(@TempDir Path dir)
      throws IOException {
    Setup s = copyOfFirstNight(dir, 0.2);
    // the mappings define a new extra variable now; the published curated data has no such column
    Path sites = dir.resolve("sites");
    copyTree(Path.of("conf/sites"), sites);
    Path profile = sites.resolve("profiles/survey-psq.yaml");
    Files.writeString(profile, Files.readString(profile).replace("self_disclosure: {", "session_depth: {"));
    Files.writeString(s.config(), Files.readString(s.config()).replace("sites: " + Path.of("conf/sites").toAbsolutePath(),
        "sites: " + sites) + "  process_variables: [session_depth]\n");
    String published = currentId(s.output());
    Result analyze = command(s, "analyze");
    assertEquals(2, analyze.exit(), analyze.err());
    assertTrue(analyze.err().contains("configuration error in " + s.config() + " at 'analysis.process_variables[0]':"
        + " 'session_depth' is not a column of the curated session_ratings of published run " + published),
        analyze.err());
    assertTrue(analyze.err().contains("`run`"), analyze.err());
    assertFalse(analyze.err().contains("/runs/"), "names no run folder (the failed run's is deleted): " + analyze.err());
    assertFalse(analyze.err().contains("\tat "), analyze.err());
  }

  @Test
  void anAnalyzeWhoseSparkJobFailsRemovesItsFolderAndSaysOneLine(@TempDir Path dir) throws IOException {
    Setup s = copyOfFirstNight(dir, 0.2);
    String published = currentId(s.output());
    Path broken = corruptOnePatientsFile(s.output());
    Result analyze = command(s, "analyze");
    assertEquals(1, analyze.exit(), analyze.err());
    assertTrue(analyze.err().startsWith("error: ") && analyze.err().contains("is not a Parquet file"), analyze.err());
    assertEquals(1, analyze.err().strip().lines().count(), analyze.err());
    assertEquals(published, currentId(s.output()));
    // Spark fails a job with a checked exception (SparkException), thrown undeclared
    assertEquals(List.of(published), runIds(s.output()), "the failed run's folder is removed");
    assertFalse(Files.exists(s.output().resolve(RunStore.LOCK)));
    assertEquals("garbage", Files.readString(broken), "the published run is left as it was");
  }

  /**
   * What a user sees: the CLI in its own JVM with the logging config scripts/rupture gives it. A failed Spark
   * task makes Spark log ERROR lines with stack traces (Executor, TaskSetManager); by default only our one line
   * reaches standard error, with --verbose Spark's own account too.
   */
  @Test
  void aFailedSparkTaskIsOneLineOnTheConsoleUnlessVerbose(@TempDir Path dir) throws Exception {
    Setup s = copyOfFirstNight(dir, 0.2);
    corruptOnePatientsFile(s.output());
    Result quiet = commandInItsOwnJvm(s, "analyze");
    assertEquals(1, quiet.exit(), quiet.err());
    assertTrue(quiet.err().startsWith("error: ") && quiet.err().contains("is not a Parquet file"), quiet.err());
    assertEquals(1, quiet.err().strip().lines().count(), "one line, no Spark log, no stack trace:\n" + quiet.err());
    Result verbose = commandInItsOwnJvm(s, "analyze", "--verbose");
    assertEquals(1, verbose.exit(), verbose.err());
    assertTrue(verbose.err().contains("ERROR Executor") && verbose.err().contains("\tat "), verbose.err());
  }

  /** Runs a CLI command as scripts/rupture does (conf/log4j2.properties), in a JVM of its own. */
  static Result commandInItsOwnJvm(Setup s, String command, String... options) throws Exception {
    List<String> args = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g"));
    args.addAll(List.of(System.getProperty("spark.jvm.opens").trim().split("\\s+")));
    args.addAll(List.of("-Dlog4j.configurationFile=conf/log4j2.properties", "-Dspark.master=local[*]", "-cp",
        System.getProperty("java.class.path"), Main.class.getName(), command, "--config", s.config().toString()));
    args.addAll(List.of(options));
    Path out = Files.createTempFile(s.output().getParent(), "stdout", ".txt");
    Path err = Files.createTempFile(s.output().getParent(), "stderr", ".txt");
    Process p = new ProcessBuilder(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("rupture " + command + " did not end within 5 minutes");
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** Overwrites one curated patients file of the published run with bytes that are no Parquet file. */
  static Path corruptOnePatientsFile(Path output) throws IOException {
    try (Stream<Path> files = Files.walk(current(output).resolve("curated/patients"))) {
      Path parquet = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().findFirst()
          .orElseThrow();
      Files.writeString(parquet, "garbage");
      Files.deleteIfExists(parquet.resolveSibling("." + parquet.getFileName() + ".crc"));
      return parquet;
    }
  }

  /** A copy of the first night's landing folder and output, with its own config. */
  static Setup copyOfFirstNight(Path dir, double maxQuarantineShare) throws IOException {
    copyTree(base.resolve("landing"), dir.resolve("landing"));
    copyTree(base.resolve("output"), dir.resolve("output"));
    return setup(dir, dir.resolve("landing"), Path.of("conf/sites").toAbsolutePath(), maxQuarantineShare);
  }

  static Setup setup(Path dir, Path landing, Path sites, double maxQuarantineShare) throws IOException {
    return setup(dir, landing, sites, maxQuarantineShare, false);
  }

  /** A config with one analysis (enough for results and history, quick to run) and two nights of retention. */
  static Setup setup(Path dir, Path landing, Path sites, double maxQuarantineShare, boolean uris)
      throws IOException {
    Files.createDirectories(dir);
    Path output = dir.resolve("output");
    Path config = dir.resolve("pipeline.yaml");
    Files.writeString(config, String.join("\n",
        "input: " + (uris ? landing.toUri() : landing),
        "output: " + (uris ? output.toUri() : output),
        "sites: " + sites,
        "privacy: {allow_demo_secret: true}",
        "quality: {max_quarantine_share: " + maxQuarantineShare + "}",
        "retention: {nights: 2}",
        "analysis:",
        "  analyses:",
        "    - {id: resolution_outcome, kind: correlation, predictor: mean_resolution, outcome: improvement,",
        "       raters: [patient], expected_sign: \"+\", claim: Resolution goes with outcome.}",
        ""));
    return new Setup(landing, sites, output, config);
  }

  static Result run(Setup s, String... options) {
    return command(s, "run", options);
  }

  static Result command(Setup s, String command, String... options) {
    List<String> args = new ArrayList<>(List.of(command, "--config", s.config().toString()));
    args.addAll(List.of(options));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The files the published run parsed (the others it took over unchanged), per its manifest. */
  static Set<String> parsed(Path output) throws IOException {
    Set<String> parsed = new TreeSet<>();
    for (JsonNode f : manifest(output).get("files")) {
      if (f.get("ingest").asText().equals("parsed")) {
        parsed.add(f.get("file").asText());
      }
    }
    return parsed;
  }

  static JsonNode fileEntry(Path output, String file) throws IOException {
    for (JsonNode f : manifest(output).get("files")) {
      if (f.get("file").asText().equals(file)) {
        return f;
      }
    }
    throw new AssertionError("no manifest entry for " + file);
  }

  static JsonNode manifest(Path output) throws IOException {
    return new ObjectMapper().readTree(PublishedRuns.current(output).resolve("manifest.json").toFile());
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
