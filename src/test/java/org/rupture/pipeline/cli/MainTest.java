package org.rupture.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rupture.pipeline.testing.ConsoleRun;

/** Exit codes and messages of the commands that need no Spark. */
class MainTest {
  @TempDir Path dir;

  private static ConsoleRun run(String... args) {
    return ConsoleRun.of(Main::run, args);
  }

  @Test
  void unknownCommandOrOptionIsUsageErrorTwo() {
    ConsoleRun r = run("frobnicate");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown command 'frobnicate'"), r.err());
    assertEquals(2, run("run", "--inptu", "x").code());
    assertEquals(2, run("run", "--conf", "notspark=1").code());
  }

  @Test
  void anOptionACommandDoesNotTakeIsAUsageErrorNamingTheCommand() {
    String[][] loose = {
        {"validate-config", "--output", "/tmp/x"}, {"validate-config", "--run-id", "x"},
        {"validate-config", "--conf", "spark.sql.shuffle.partitions=2"}, {"validate-config", "--full-refresh"},
        {"validate-config", "--dry-run"}, {"analyze", "--dry-run"}, {"analyze", "--full-refresh"}, {"run", "--dry-run"}};
    for (String[] args : loose) {
      ConsoleRun r = run(args);
      assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
      assertTrue(r.err().startsWith("error: option " + args[1] + " does not apply to " + args[0] + " (it takes "),
          r.err());
      assertEquals("", r.out(), "nothing done: " + r.out());
    }
    assertTrue(run("validate-config", "--output", "x").err().contains("(it takes --config, --input, --verbose)"));
  }

  @Test
  void aMistypedOptionGetsTheNearestOneOfItsCommand() {
    ConsoleRun r = run("run", "--inptu", "x");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("error: unknown option '--inptu'; did you mean --input?"), r.err());
    assertTrue(run("ingest", "--full-refrsh").err().startsWith("error: unknown option '--full-refrsh'; did you mean "
        + "--full-refresh?"));
    assertTrue(run("run", "--frobnicate").err().startsWith("error: unknown option '--frobnicate'\n"));
  }

  @Test
  void validateConfigChecksTheSampleMappingsWithoutSpark() {
    ConsoleRun r = run("validate-config");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("ok: 3 mapping(s), 32 file(s) fit their mappings"), r.out());
    assertTrue(r.err().contains("warning: site folder 'unmapped-site' is claimed by no mapping"), r.err());
    assertFalse(r.out().contains("warning"), "warnings go to standard error: " + r.out());
  }

  @Test
  void configMistakeNamesFileKeyAndFixWithoutStackTrace() throws IOException {
    Path conf = dir.resolve("pipeline.yaml");
    Files.writeString(conf, "input: sample/landing\nsites: " + Path.of("conf/sites").toAbsolutePath()
        + "\nquality: {max_quarantine_shar: 0.1}\n");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains(conf + " at 'quality.max_quarantine_shar': unknown key; did you mean "
        + "'max_quarantine_share'?"), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
  }

  @Test
  void fieldIssueThresholdsAreSharesCheckedBeforeSpark() throws IOException {
    Path conf = dir.resolve("pipeline.yaml");
    String base = "input: sample/landing\nsites: " + Path.of("conf/sites").toAbsolutePath() + "\n";
    Files.writeString(conf, base + "quality: {max_quarantine_share: 0.2, field_issue_warn_share: 0.1, "
        + "max_field_issue_share: 0.9, out_of_range_warn_share: 0.02}\n");
    assertEquals(0, run("validate-config", "--config", conf.toString()).code());
    Files.writeString(conf, base + "quality: {out_of_range_warn_share: 2}\n");
    assertTrue(run("validate-config", "--config", conf.toString()).err()
        .contains(conf + " at 'quality.out_of_range_warn_share': expected a number"));
    Files.writeString(conf, base + "quality: {field_issue_warn_share: 20}\n");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains(conf + " at 'quality.field_issue_warn_share': expected a number"), r.err());
    assertTrue(r.err().contains("found 20.0"), r.err());
    Files.writeString(conf, base + "quality: {max_field_issue_shares: 0.5}\n");
    r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains(conf + " at 'quality.max_field_issue_shares': unknown key; did you mean "
        + "'max_field_issue_share'?"), r.err());
  }

  /** A config over the sample's landing folder and mappings with {@code analysis}; returns the config. */
  private Path sampleWithAnalysis(String analysis) throws IOException {
    Path conf = dir.resolve("pipeline.yaml");
    Files.writeString(conf, "input: sample/landing\nsites: " + Path.of("conf/sites").toAbsolutePath()
        + "\noutput: " + dir.resolve("out") + "\nprivacy: {allow_demo_secret: true}\nanalysis:\n" + analysis);
    return conf;
  }

  @Test
  void anAnalysisNamingWhatNoMappingDefinesFailsBeforeSparkWithTheDefinedNames() throws IOException {
    Path conf = sampleWithAnalysis("  measures: [IIP, PHQ9]\n");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains(conf + " at 'analysis.measures[1]': 'PHQ9' is no outcome measure of any site mapping"),
        r.err());
    assertTrue(r.err().contains("IIP"), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());

    conf = sampleWithAnalysis("  analyses:\n    - {id: t, kind: smd, predictor: treatment, arm: CBX,"
        + " outcome: rupture_rate, expected_sign: \"-\", claim: c}\n");
    for (String command : List.of("run", "ingest", "analyze")) {
      r = run(command, "--config", conf.toString());
      assertEquals(2, r.code(), command + ": " + r.out() + r.err());
      assertTrue(r.err().contains(conf + " at 'analysis.analyses[0].arm': 'CBX' is no treatment"), r.err());
      assertTrue(r.err().contains("BRT, CBT, STDP"), r.err());
      assertFalse(Files.exists(dir.resolve("out")), command + " started before the configuration was checked");
    }

    conf = sampleWithAnalysis("  process_variables: [therapist_disclosure]\n");
    r = run("run", "--config", conf.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(conf + " at 'analysis.process_variables[0]'")
        && r.err().contains("self_disclosure"), r.err());
  }

  @Test
  void missingSecretForRealDataFailsBeforeSparkWithTheFix() throws IOException {
    Path conf = dir.resolve("pipeline.yaml");
    Files.createDirectories(dir.resolve("landing"));
    Files.writeString(conf, "input: " + dir.resolve("landing") + "\nsites: " + Path.of("conf/sites").toAbsolutePath()
        + "\nprivacy: {secret_env: RUPTURE_TEST_SECRET_THAT_IS_NOT_SET, allow_demo_secret: true}\n");
    ConsoleRun r = run("ingest", "--config", conf.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("no HMAC secret"), r.err());
    assertTrue(r.err().contains("DEMO_DATA marker"), r.err());
  }

  @Test
  void anOutputFolderThatCannotBeCreatedIsAUsageErrorBeforeSparkStarts() throws IOException {
    Path file = Files.writeString(dir.resolve("afile"), "not a folder");
    for (String command : List.of("run", "ingest", "analyze")) {
      ConsoleRun r = run(command, "--output", file.resolve("out").toString());
      assertEquals(2, r.code(), command + ": " + r.err());
      assertTrue(r.err().contains("output folder " + file.resolve("out") + " cannot be created (" + file
          + " is a file); pass --output DIR, a writable folder"), r.err());
      assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }
    ConsoleRun r = run("run", "--output", file.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("output folder " + file + " cannot be created (it is a file)"), r.err());
    if (Files.isDirectory(Path.of("/proc"))) {
      r = run("ingest", "--output", "/proc/rupture-out");
      assertEquals(2, r.code(), r.err());
      assertTrue(r.err().contains("output folder /proc/rupture-out cannot be created (/proc does not take new "
          + "folders); pass --output DIR, a writable folder"), r.err());
    }
  }

  @Test
  void aMistypedInputFolderIsReportedAsSuchNotAsAMissingSecret() throws IOException {
    String typo = dir.resolve("landng").toString();
    for (String command : List.of("run", "ingest", "validate-config")) {
      ConsoleRun r = run(command, "--input", typo);
      assertEquals(2, r.code(), command + ": " + r.err());
      assertEquals("error: --input " + typo + ": input folder '" + typo + "' does not exist; pass --input DIR, an "
          + "existing folder", r.err().strip(), command);
    }
    Path file = Files.writeString(dir.resolve("landing.csv"), "a,b\n");
    ConsoleRun r = run("run", "--input", file.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("input folder '" + file + "' is a file; pass --input DIR"), r.err());
  }

  /** A config in {@code <dir>/conf} over the sample's mappings with {@code lines}; returns the config. */
  private Path configWith(String lines) throws IOException {
    Path conf = Files.createDirectories(dir.resolve("conf")).resolve("pipeline.yaml");
    Files.writeString(conf, lines + "privacy: {allow_demo_secret: true}\n");
    return conf;
  }

  @Test
  void anUnusableRunIdIsReportedAsTheOptionOrAtItsConfigKey() throws IOException {
    String problem = "'../x' is not a usable run id: use letters, digits, '.', '_' and '-' (it names the run's folder)";
    ConsoleRun r = run("ingest", "--run-id", "../x");
    assertEquals(2, r.code(), r.err());
    assertEquals("error: --run-id ../x: " + problem, r.err().strip());
    Path conf = configWith("input: " + Path.of("sample/landing").toAbsolutePath() + "\nsites: "
        + Path.of("conf/sites").toAbsolutePath() + "\noutput: " + dir.resolve("out") + "\nrun_id: ../x\n");
    r = run("ingest", "--config", conf.toString());
    assertEquals(2, r.code(), r.err());
    assertEquals("error: configuration error in " + conf + " at 'run_id': " + problem, r.err().strip());
  }

  @Test
  void anInputFolderFromTheConfigFileIsReportedAtItsKeyThereFromTheCommandLineAsTheOption() throws IOException {
    String sites = "sites: " + Path.of("conf/sites").toAbsolutePath() + "\n";
    Path conf = configWith("input: sample/nolanding\n" + sites + "output: " + dir.resolve("out") + "\n");
    for (String command : List.of("run", "ingest", "validate-config")) {
      ConsoleRun r = run(command, "--config", conf.toString());
      assertEquals(2, r.code(), command + ": " + r.err());
      assertEquals("error: configuration error in " + conf + " at 'input': input folder 'sample/nolanding' does not "
          + "exist (relative paths are resolved against the working directory, " + Path.of("").toAbsolutePath()
          + "); set input to an existing folder or pass --input DIR", r.err().strip(), command);
    }
    Path file = Files.writeString(dir.resolve("landing.csv"), "a,b\n");
    conf = configWith("input: " + file + "\n" + sites);
    ConsoleRun r = run("run", "--config", conf.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("configuration error in " + conf + " at 'input': input folder '" + file + "' is a "
        + "file; set input to the landing folder holding <site>/<delivery>/<files> or pass --input DIR"), r.err());

    // --input overrides the config file's input: the option is named, not the file
    String typo = dir.resolve("landng").toString();
    r = run("run", "--config", conf.toString(), "--input", typo);
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("error: --input " + typo + ": input folder '" + typo + "' does not exist"), r.err());
    assertFalse(r.err().contains(conf.toString()) || r.err().contains("configuration error"), r.err());
  }

  @Test
  void anUnusableOutputFolderIsReportedAsTheOptionFromTheCommandLineAtItsKeyFromTheConfigFile() throws IOException {
    Path file = Files.writeString(dir.resolve("afile"), "not a folder");
    Path out = file.resolve("sub");
    ConsoleRun r = run("run", "--output", out.toString());
    assertEquals(2, r.code(), r.err());
    assertEquals("error: --output " + out + ": output folder " + out + " cannot be created (" + file + " is a file); "
        + "pass --output DIR, a writable folder", r.err().strip());
    assertFalse(r.err().contains("pipeline.yaml"), "the value is not the config file's: " + r.err());

    Path conf = configWith("input: sample/landing\nsites: " + Path.of("conf/sites").toAbsolutePath() + "\noutput: "
        + out + "\n");
    for (String command : List.of("run", "ingest", "analyze")) {
      r = run(command, "--config", conf.toString());
      assertEquals(2, r.code(), command + ": " + r.err());
      assertEquals("error: configuration error in " + conf + " at 'output': output folder " + out + " cannot be "
          + "created (" + file + " is a file); set output to a writable folder or pass --output DIR", r.err().strip(),
          command);
    }
  }

  @Test
  void aSitesFolderThatIsNotThereIsReportedAtTheConfigFilesKeyNamingTheFolder() throws IOException {
    Path conf = configWith("input: sample/landing\nsites: nosites\n");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.err());
    assertEquals("error: configuration error in " + conf + " at 'sites': the site mappings folder "
        + dir.resolve("conf/nosites") + " does not exist ('nosites' is resolved against the config file's folder); "
        + "set sites to the folder holding <site>.yaml files", r.err().strip());

    // not set: the default, beside the config file
    conf = configWith("input: sample/landing\n");
    r = run("run", "--config", conf.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("configuration error in " + conf + " at 'sites': the site mappings folder "
        + dir.resolve("conf/sites") + " does not exist ('sites' is resolved against the config file's folder); the "
        + "config does not set sites (default 'sites'); set sites to the folder holding <site>.yaml files"), r.err());

    Files.createDirectories(dir.resolve("conf/empty"));
    conf = configWith("input: sample/landing\nsites: empty\n");
    r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("configuration error in " + conf + " at 'sites': no site mappings (*.yaml) found in "
        + dir.resolve("conf/empty") + "; set sites to the folder holding <site>.yaml files"), r.err());
  }

  @Test
  void everyCommandTakesHelp() {
    for (String command : List.of("run", "ingest", "analyze", "validate-config")) {
      for (String help : List.of("--help", "-h")) {
        ConsoleRun r = run(command, help);
        assertEquals(0, r.code(), command + " " + help + ": " + r.err());
        assertTrue(r.out().contains("usage: rupture <command>") && r.out().contains("--deliveries N"), r.out());
      }
    }
  }

  @Test
  void sparkSettingSparkWouldRejectIsAUsageErrorBeforeSparkStarts() {
    ConsoleRun r = run("run", "--conf", "spark.sql.shuffle.partitions=abc");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("--conf spark.sql.shuffle.partitions=abc: spark.sql.shuffle.partitions should be "
        + "int, but was abc"), r.err());
    assertEquals(2, run("ingest", "--conf", "spark.executor.memory=lots").code());
  }

  @Test
  void aMasterUrlSparkCannotParseIsAUsageErrorBeforeSparkStartsNamingTheFix() throws IOException {
    ConsoleRun r = run("run", "--conf", "spark.master=bogus://x");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("error: --conf spark.master=bogus://x: 'bogus://x' is no Spark master URL; use "
        + "local[*]"), r.err());
    assertTrue(r.err().contains("spark://host:port") && r.err().contains("yarn"), r.err());
    assertFalse(r.err().contains("SparkException") || r.err().contains("\tat "), "no Spark stack trace: " + r.err());
    assertEquals(2, run("ingest", "--conf", "spark.master=local[0]").code());
    // YARN's cluster manager comes with spark-submit on a YARN cluster, not with the embedded job
    r = run("run", "--conf", "spark.master=yarn");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("--conf spark.master=yarn: Spark's YARN support is not on the class path"), r.err());

    Path conf = dir.resolve("pipeline.yaml");
    Files.writeString(conf, "input: sample/landing\nsites: " + Path.of("conf/sites").toAbsolutePath()
        + "\nspark: {spark.master: 'local[two]'}\n");
    r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(conf + " at 'spark.spark.master': 'local[two]' is no Spark master URL"), r.err());
  }

  /**
   * The job never sets a master: scripts/rupture gives local[*] (here surefire gives local[2]), spark-submit its own,
   * an embedding application its session. With none of them it stops.
   */
  @Test
  void aJvmStartedWithoutAMasterIsAUsageErrorNamingTheWaysToGiveOne() throws IOException {
    String given = System.clearProperty("spark.master");
    // the shared test session, if another test class made it, stands for an embedding application's: set it aside
    scala.Option<org.apache.spark.sql.SparkSession> session = org.apache.spark.sql.SparkSession.getDefaultSession();
    org.apache.spark.sql.SparkSession.clearDefaultSession();
    try {
      ConsoleRun r = run("ingest", "--output", dir.resolve("out").toString());
      assertEquals(2, r.code(), r.err());
      assertTrue(r.err().contains("no Spark master is given: run the job with scripts/rupture (embedded local[*] "
          + "Spark) or spark-submit --master ..., or pass --conf spark.master=local[*]"), r.err());
    } finally {
      System.setProperty("spark.master", given);
      if (session.isDefined()) {
        org.apache.spark.sql.SparkSession.setDefaultSession(session.get());
      }
    }
  }

  @Test
  void everyMasterUrlFormSparkAcceptsPasses() {
    for (String master : List.of("local", "local[*]", "local[2]", "local[4,3]", "local[*, 2]",
        "local-cluster[2,1,1024]", "spark://host:7077", "spark://a:7077,b:7077")) {
      assertEquals(null, org.rupture.pipeline.config.SparkSettings.problem("spark.master", master), master);
    }
  }

  @Test
  void sparkSettingInTheConfigFileIsCheckedWithItsKey() throws IOException {
    Path conf = dir.resolve("pipeline.yaml");
    Files.writeString(conf, "input: sample/landing\nsites: " + Path.of("conf/sites").toAbsolutePath()
        + "\nspark: {spark.sql.shuffle.partitions: '-1'}\n");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(conf + " at 'spark.spark.sql.shuffle.partitions': "), r.err());
    assertTrue(r.err().contains("must be positive"), r.err());
  }

  @Test
  void aDatePatternSparkCannotParseIsAConfigErrorTwoBeforeSpark() throws IOException {
    Path sites = Files.createDirectories(dir.resolve("sites"));
    Files.writeString(sites.resolve("alpha.yaml"), "site: site-001\ndialect: {date_formats: [\"dd/MM/YYYY\"]}\n"
        + "sessions: {files: x.csv, columns: {patient: p, rater: r, session_number: s, rupture_present: rp}}\n");
    Path conf = dir.resolve("pipeline.yaml");
    Files.writeString(conf, "input: sample/landing\nsites: " + sites + "\n");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(sites.resolve("alpha.yaml") + " at 'dialect.date_formats[0]'"), r.err());
    assertTrue(r.err().contains("use yyyy for the year"), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
  }

  @Test
  void aFailureIsDescribedWholeOnOneLineWithoutStackTraceOrQueryContext() {
    // Spark's messages put the cause on the lines after the error class; the first line alone ends in ':'
    Exception spark = new RuntimeException("outer", new IllegalArgumentException(
        "[INCONSISTENT_BEHAVIOR_CROSS_VERSION.DATETIME_WEEK_BASED_PATTERN] You may get a different result due to the"
        + " upgrading to Spark >= 3.0:\nAll week-based patterns are unsupported since Spark 3.0, detected week-based"
        + " character: Y.\nPlease use the SQL function EXTRACT instead. SQLSTATE: 42K0B\n"
        + "== SQL (line 1, position 1) ==\ntry_to_timestamp(date_raw, 'dd/MM/YYYY')\n^^^^^^^^^^^^^^^^\n"));
    assertEquals("[INCONSISTENT_BEHAVIOR_CROSS_VERSION.DATETIME_WEEK_BASED_PATTERN] You may get a different result"
        + " due to the upgrading to Spark >= 3.0: All week-based patterns are unsupported since Spark 3.0, detected"
        + " week-based character: Y. Please use the SQL function EXTRACT instead. SQLSTATE: 42K0B",
        Main.describe(spark));
    // a job failure's message may carry the failed task's stack trace and the driver's
    Exception job = new IllegalStateException("Job aborted due to stage failure: Task 0 in stage 1.0 failed:"
        + " java.lang.ArithmeticException: / by zero\n\tat org.rupture.X.y(X.java:1)\n\tat org.rupture.X.z(X.java:2)\n"
        + "\nDriver stacktrace:\n\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:1)");
    assertEquals("Job aborted due to stage failure: Task 0 in stage 1.0 failed: java.lang.ArithmeticException: / by zero",
        Main.describe(job));
    assertEquals("one line", Main.describe(new RuntimeException("one line")));
    assertEquals("NullPointerException", Main.describe(new NullPointerException()));
  }

  /** A landing folder with one delivery of {@code site}, a mapping for it and a config; returns the config. */
  private Path landed(String site, String mapping, String file, String content) throws IOException {
    Path data = dir.resolve("landing").resolve(site).resolve("2026-01-01").resolve(file);
    Files.createDirectories(data.getParent());
    Files.writeString(data, content);
    Files.createDirectories(dir.resolve("sites"));
    Files.writeString(dir.resolve("sites").resolve(site + ".yaml"), mapping);
    Path conf = dir.resolve("pipeline.yaml");
    Files.writeString(conf, "input: " + dir.resolve("landing") + "\nsites: " + dir.resolve("sites") + "\n");
    return conf;
  }

  static final String WIDE = """
      site: beta
      dialect: {delimiter: ";"}
      sessions:
        files: "sessions*.csv"
        layout: wide
        session_column_pattern: "{field}_s{session}"
        columns: {patient: pid, rater: rater, rupture_present: rupt, rupture_intensity: int}
        rater_codes: {P: patient, T: therapist}
      """;

  /** validate-config on {@code conf}'s one mapping and one file passes. */
  private void assertFitsItsMapping(Path conf) throws IOException {
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("ok: 1 mapping(s), 1 file(s) fit their mappings"), r.out());
  }

  @Test
  void validateConfigAcceptsZeroPaddedWideSessionColumns() throws IOException {
    Path conf = landed("beta", WIDE, "sessions.csv", "pid;rater;rupt_s01;int_s01;rupt_s02;int_s02\nb1;P;1;2;0;\n");
    assertFitsItsMapping(conf);
  }

  @Test
  void validateConfigReadsTheHeaderAfterExcelsSeparatorDirective() throws IOException {
    // Excel's "sep=;" line before the header was read as the header: every mapped column "not in the header",
    // and no mapping key could skip it (extra_header_lines are the lines after the header)
    Path conf = landed("beta", WIDE, "sessions.csv", "sep=;\r\npid;rater;rupt_s1;int_s1\r\nb1;P;1;2\r\n");
    assertFitsItsMapping(conf);
  }

  @Test
  void aFileWhoseFirstBytesShowItIsNoTextOfTheDialectIsOneProblemSayingWhatItIs() throws IOException {
    // a UTF-8 export (with its BOM) under windows-1252 whose first column is not mapped passed, its non-ASCII
    // ids misread and hashed to keys other than the site's; the others read as "cannot be read (BAD_ENCODING)"
    Path conf = landed("beta", WIDE.replace("dialect: {delimiter: \";\"}", "dialect: {delimiter: \";\", "
        + "encoding: windows-1252}"), "sessions.csv", "");
    Path data = dir.resolve("landing/beta/2026-01-01/sessions.csv");
    byte[] text = "note;pid;rater;rupt_s1;int_s1\r\nx;J\u00fcrgen;P;1;2\r\n".getBytes(StandardCharsets.UTF_8);
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    Files.write(data, java.nio.ByteBuffer.allocate(bom.length + text.length).put(bom).put(text).array());
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains(dir.resolve("sites/beta.yaml") + ": dialect.encoding: beta/2026-01-01/sessions.csv "
        + "starts with a UTF-8 byte-order mark, so its text is UTF-8, but dialect.encoding is windows-1252"), r.err());
    assertTrue(r.err().contains("set dialect.encoding: UTF-8"), r.err());

    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(gz)) {
      z.write(text);
    }
    Files.write(data, gz.toByteArray());
    r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains("beta/2026-01-01/sessions.csv: is gzip-compressed, not a CSV text file"), r.err());
    assertFalse(r.err().contains("BAD_ENCODING"), r.err());

    Files.write(data, "note;pid;rater;rupt_s1;int_s1\r\n".getBytes(StandardCharsets.UTF_16));
    r = run("validate-config", "--config", conf.toString());
    assertTrue(r.err().contains("beta/2026-01-01/sessions.csv: is UTF-16"), r.err());
  }

  @Test
  void validateConfigRejectsTwoWideColumnsForOneSessionNamingFileAndBoth() throws IOException {
    Path conf = landed("beta", WIDE, "sessions.csv", "pid;rater;rupt_s1;int_s1;int_s01\nb1;P;1;2;2\n");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains(dir.resolve("sites/beta.yaml") + ": sessions.columns.rupture_intensity: columns "
        + "'int_s1' (position 4) and 'int_s01' (position 5) are both session 1 of 'int' under session_column_pattern "
        + "'{field}_s{session}'; remove or rename one of them (in beta/2026-01-01/sessions.csv)"), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
  }

  @Test
  void validateConfigRejectsADuplicatedMappedColumnNamingFileColumnAndPositions() throws IOException {
    String mapping = """
        site: alpha
        sessions:
          files: "sessions*.csv"
          columns: {patient: pid, rater: rater, session_number: session, rupture_present: rupture,
                    session_quality: session_quality}
          rater_codes: {P: patient, T: therapist}
        """;
    Path conf = landed("alpha", mapping, "sessions.csv",
        "pid,rater,session,session_quality,rupture,note,session_quality,note\np1,P,1,4,1,,5,\n");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains(dir.resolve("sites/alpha.yaml") + ": sessions.columns.session_quality: column "
        + "'session_quality' is in the header 2 times (positions 4 and 7), so which one to read is ambiguous; remove "
        + "or rename the extra column in the export (in alpha/2026-01-01/sessions.csv)"), r.err());
    assertFalse(r.err().contains("note"), "an unread duplicate is no error: " + r.err());
  }

  /** A shared profile for long exports: every column name and file pattern comes from here. */
  static final String LONG_PROFILE = """
      dialect: {delimiter: ","}
      sessions:
        files: "sessions*.csv"
        columns: {patient: patient_id, rater: rater, session_number: session, rupture_present: rupture}
        rater_codes: {P: patient, T: therapist}
      patients:
        files: "patients*.csv"
        columns: {patient: patient_id}
      """;

  /** {@link #landed} with a profile {@code sites/profiles/long.yaml} the mapping extends; returns the config. */
  private Path landedWithProfile(String profile, String mapping, String file, String content) throws IOException {
    Files.createDirectories(dir.resolve("sites/profiles"));
    Files.writeString(dir.resolve("sites/profiles/long.yaml"), profile);
    return landed("alpha", "site: alpha\nextends: profiles/long.yaml\n" + mapping, file, content);
  }

  @Test
  void aColumnNameFromAProfileMissingInTheHeaderIsReportedInTheProfileNamingTheMapping() throws IOException {
    Path conf = landedWithProfile(LONG_PROFILE, "", "sessions.csv", "pid,rater,session,rupture\np1,P,1,1\n");
    Path profile = dir.resolve("sites/profiles/long.yaml");
    Path mapping = dir.resolve("sites/alpha.yaml");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains(profile + " (profile of " + mapping + "): sessions.columns.patient: column "
        + "'patient_id' is not in the header"), r.err());
    assertTrue(r.err().contains("(in alpha/2026-01-01/sessions.csv)"), r.err());
    // the fix: the profile is shared, so the hint says how to change the key for this mapping alone
    assertTrue(r.err().contains("set sessions.columns.patient in " + mapping), r.err());
    assertFalse(r.err().contains(mapping + ": sessions.columns.patient"), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
  }

  @Test
  void aColumnNameTheMappingOverridesIsStillReportedInTheMapping() throws IOException {
    Path conf = landedWithProfile(LONG_PROFILE, "sessions: {columns: {patient: patient_nr}}\n", "sessions.csv",
        "pid,rater,session,rupture\np1,P,1,1\n");
    Path mapping = dir.resolve("sites/alpha.yaml");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains(mapping + ": sessions.columns.patient: column 'patient_nr' is not in the header"),
        r.err());
    assertFalse(r.err().contains("profile"), r.err());
  }

  @Test
  void anOutcomeColumnFromAProfileNamesTheListTheMappingWouldReplace() throws IOException {
    String profile = LONG_PROFILE + "  outcomes:\n    - {measure: IIP, baseline: iip_0, termination: iip_1, "
        + "direction: lower_is_better}\n";
    Path conf = landedWithProfile(profile, "", "patients.csv", "patient_id,iip_0,iip_end\np1,1,2\n");
    Path profileFile = dir.resolve("sites/profiles/long.yaml");
    Path mapping = dir.resolve("sites/alpha.yaml");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains(profileFile + " (profile of " + mapping + "): patients.outcomes[0].termination: column "
        + "'iip_1' is not in the header"), r.err());
    // a list replaces the profile's list as a whole: overriding one element means giving the whole list
    assertTrue(r.err().contains("set patients.outcomes (the whole list) in " + mapping), r.err());
  }

  @Test
  void anUnreadableHeaderUnderAProfilesDialectNamesTheProfile() throws IOException {
    Path conf = landedWithProfile(LONG_PROFILE.replace("delimiter: \",\"", "delimiter: \",\", quote: \"'\""), "",
        "sessions.csv", "patient_id,rater,'session,rupture\n");
    Path profile = dir.resolve("sites/profiles/long.yaml");
    Path mapping = dir.resolve("sites/alpha.yaml");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains(profile + " (profile of " + mapping + "): dialect: the header of "
        + "alpha/2026-01-01/sessions.csv cannot be read"), r.err());
    assertTrue(r.err().contains("set them under dialect in " + mapping), r.err());
  }

  @Test
  void aHeaderThatAnotherDelimiterSplitsIntoTheMappedColumnsIsOneDelimiterLineNotOnePerColumn() throws IOException {
    // a comma export under a profile's ";": every mapped column was reported missing, each with a wrong fix
    Path conf = landedWithProfile(LONG_PROFILE.replace("delimiter: \",\"", "delimiter: \";\""), "", "sessions.csv",
        "patient_id,rater,session,rupture\np1,P,1,1\n");
    Path profile = dir.resolve("sites/profiles/long.yaml");
    Path mapping = dir.resolve("sites/alpha.yaml");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains(profile + " (profile of " + mapping + "): dialect.delimiter: the header of "
        + "alpha/2026-01-01/sessions.csv reads as 1 column with the delimiter ';' but contains ',' (4 columns with it, "
        + "every mapped column found); set dialect.delimiter: \",\"; to change it for this mapping only, set "
        + "dialect.delimiter in " + mapping + ", which overrides the profile"), r.err());
    assertFalse(r.err().contains("not in the header"), r.err());
    assertEquals(2, r.err().lines().count(), "one line for the file: " + r.err());
    Files.delete(mapping);
    Files.delete(dir.resolve("landing/alpha/2026-01-01/sessions.csv"));

    // a semicolon wide export under the default ",": the mapping is to blame
    conf = landed("beta", WIDE.replace("dialect: {delimiter: \";\"}\n", ""), "sessions.csv",
        "pid;rater;rupt_s1;int_s1\nb1;P;1;2\n");
    r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains(dir.resolve("sites/beta.yaml") + ": dialect.delimiter: the header of "
        + "beta/2026-01-01/sessions.csv reads as 1 column with the delimiter ',' but contains ';' (4 columns with it, "
        + "every mapped column found); set dialect.delimiter: \";\""), r.err());
    assertFalse(r.err().contains("session_column_pattern"), r.err());

    // a tab export; the decimal comma the mapping declares cannot stay beside a comma delimiter
    conf = landed("beta", WIDE.replace("dialect: {delimiter: \";\"}", "dialect: {delimiter: \";\", decimal: \",\"}"),
        "sessions.csv", "pid,rater,rupt_s1,int_s1\nb1,P,1,2\n");
    r = run("validate-config", "--config", conf.toString());
    assertTrue(r.err().contains("set dialect.delimiter: \",\" and dialect.decimal: \".\""), r.err());
    conf = landed("beta", WIDE, "sessions.csv", "pid\trater\trupt_s1\tint_s1\nb1\tP\t1\t2\n");
    r = run("validate-config", "--config", conf.toString());
    assertTrue(r.err().contains("but contains tab ('\\t') (4 columns with it, every mapped column found); set "
        + "dialect.delimiter: \"\\t\""), r.err());

    // a header that no other delimiter reads better keeps its per-column problems
    conf = landed("beta", WIDE, "sessions.csv", "pid;beurteiler;rupt_s1;int_s1,x\nb1;P;1;2\n");
    r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains("sessions.columns.rater: column 'rater' is not in the header"), r.err());
    assertFalse(r.err().contains("dialect.delimiter"), r.err());
  }

  /** A survey tool's profile: the column names, then 2 extra header lines (question texts, import ids). */
  static final String SURVEY_PROFILE = """
      dialect: {delimiter: ",", extra_header_lines: 2}
      missing_codes: ["", "-99"]
      sessions:
        files: "sessions*.csv"
        columns: {patient: Q1, rater: Q2, session_number: Q3, rupture_present: Q5, rupture_intensity: Q6,
                  session_quality: Q9}
        rater_codes: {"1": patient, "2": therapist}
        yes_no: {"yes": ["1"], "no": ["2"]}
        scales: {rupture_intensity: [1, 5], session_quality: [0, 10]}
      patients:
        files: "patients*.csv"
        columns: {patient: Q1, treatment: Q3, sessions_attended: Q5}
        treatment_codes: {"1": CBT, "2": BRT}
        outcomes:
          - {measure: IIP, baseline: IIP_T0, termination: IIP_T1, direction: lower_is_better, range: [0, 4]}
      """;
  static final String SURVEY_NAMES = "StartDate,Q1,Q2,Q3,Q5,Q6,Q9\n";
  static final String SURVEY_QUESTIONS = "Start Date,Patient code,I am completing this questionnaire as the... - "
      + "Selected Choice,Session number,Did you experience any tension?,\"How tense did you feel? (1 = not at all, "
      + "5 = very much)\",Session quality (0-10)\n";
  static final String SURVEY_IMPORT_IDS = "\"{\"\"ImportId\"\":\"\"startDate\"\"}\",\"{\"\"ImportId\"\":\"\"QID1\"\"}\","
      + "\"{\"\"ImportId\"\":\"\"QID2\"\"}\",\"{\"\"ImportId\"\":\"\"QID3\"\"}\",\"{\"\"ImportId\"\":\"\"QID5\"\"}\","
      + "\"{\"\"ImportId\"\":\"\"QID6\"\"}\",\"{\"\"ImportId\"\":\"\"QID9\"\"}\"\n";
  static final String SURVEY_ROWS = "2026-01-05 10:00:00,p1,1,1,1,3,7\n2026-01-12 10:00:00,p1,1,2,2,-99,8\n";

  @Test
  void aSurveyFileWithoutItsImportIdLineFailsNamingTheLineAndColumnsThatLookLikeData() throws IOException {
    // the import-id line deleted in Excel: the first data row was skipped as a header line, counted nowhere
    Path conf = landedWithProfile(SURVEY_PROFILE, "", "sessions.csv",
        SURVEY_NAMES + SURVEY_QUESTIONS + SURVEY_IMPORT_IDS + SURVEY_ROWS);
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(0, r.code(), "both extra header lines: " + r.err());
    Files.writeString(dir.resolve("landing/alpha/2026-01-01/sessions.csv"),
        SURVEY_NAMES + SURVEY_QUESTIONS + SURVEY_ROWS);
    Path profile = dir.resolve("sites/profiles/long.yaml");
    Path mapping = dir.resolve("sites/alpha.yaml");
    // ingest --dry-run checks as validate-config does; an ingest's own check is IngestStageTest's
    for (String command : List.of("validate-config", "ingest --dry-run")) {
      r = command.equals("validate-config") ? run(command, "--config", conf.toString())
          : run("ingest", "--dry-run", "--config", conf.toString());
      assertEquals(2, r.code(), command + ": " + r.out() + r.err());
      assertTrue(r.err().contains(profile + " (profile of " + mapping + "): dialect.extra_header_lines: line 3 of "
          + "alpha/2026-01-01/sessions.csv looks like a data row, not a header line: column Q3 (session_number) holds "
          + "\"1\", column Q6 (rupture_intensity) holds \"3\", column Q9 (session_quality) holds \"7\", where a "
          + "header line holds texts; the file seems to have 1 header line after the column names, not the 2 that "
          + "dialect.extra_header_lines says, so its first data row would be skipped as a header line and lost; "
          + "re-export the file with the export tool's header lines, or, if this site's files come without them, "
          + "set dialect.extra_header_lines: 1; to change it for this mapping only, set dialect.extra_header_lines "
          + "in " + mapping + ", which overrides the profile (in alpha/2026-01-01/sessions.csv)"), command + ": "
          + r.err());
      assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }
  }

  @Test
  void aSurveyFileWithoutBothExtraHeaderLinesFailsAtItsFirstDataRow() throws IOException {
    Path conf = landedWithProfile(SURVEY_PROFILE, "dialect: {extra_header_lines: 2}\n", "sessions.csv",
        SURVEY_NAMES + SURVEY_ROWS);
    Files.writeString(dir.resolve("landing/alpha/2026-01-01/patients.csv"), "Q1,Q3,Q5,IIP_T0,IIP_T1\n"
        + "Patient code,Treatment,Sessions attended,\"IIP-32, intake\",\"IIP-32, termination\"\n"
        + "p1,1,12,-99,\n");
    Path mapping = dir.resolve("sites/alpha.yaml");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.out());
    // the mapping sets the key itself: reported there, with no hint to override a profile
    assertTrue(r.err().contains(mapping + ": dialect.extra_header_lines: line 2 of alpha/2026-01-01/sessions.csv "
        + "looks like a data row, not a header line: column Q3 (session_number) holds \"1\", "), r.err());
    assertTrue(r.err().contains("the file seems to have no header lines after the column names, not the 2 that "
        + "dialect.extra_header_lines says, so its first 2 data rows would be skipped as header lines and lost; "
        + "re-export the file with the export tool's header lines, or, if this site's files come without them, set "
        + "dialect.extra_header_lines: 0 (in alpha/2026-01-01/sessions.csv)"), r.err());
    // a patient with sessions attended alone (missing outcomes) is a data row too; the treatment code is no evidence
    assertTrue(r.err().contains(mapping + ": dialect.extra_header_lines: line 3 of alpha/2026-01-01/patients.csv "
        + "looks like a data row, not a header line: column Q5 (sessions_attended) holds \"12\", where a header line "
        + "holds texts;"), r.err());
    assertFalse(r.err().contains("overrides the profile"), r.err());
  }

  @Test
  void aQuestionTextLineWithANumberForOneColumnsTextIsAHeaderLine() throws IOException {
    // a matrix question whose row labels are numbers: one mapped column's text reads as a number
    String questions = SURVEY_QUESTIONS.replace("Session number", "3");
    Path conf = landedWithProfile(SURVEY_PROFILE, "", "sessions.csv",
        SURVEY_NAMES + questions + SURVEY_IMPORT_IDS + SURVEY_ROWS);
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(0, r.code(), r.err());
    // the same file without its import-id line: the question texts pass, the data row after them does not
    Files.writeString(dir.resolve("landing/alpha/2026-01-01/sessions.csv"), SURVEY_NAMES + questions + SURVEY_ROWS);
    r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains("dialect.extra_header_lines: line 3 of alpha/2026-01-01/sessions.csv looks like a "
        + "data row"), r.err());
    assertFalse(r.err().contains("line 2 of"), r.err());
  }

  @Test
  void aSurveyFileEndingWithinItsHeaderLinesFailsOnlyWhenItsLastLineIsADataRow() throws IOException {
    // a header alone, or a header and its question texts: no row to lose, as before
    Path conf = landedWithProfile(SURVEY_PROFILE, "", "sessions.csv", SURVEY_NAMES);
    Files.writeString(dir.resolve("landing/alpha/2026-01-01/sessions_2.csv"), SURVEY_NAMES + SURVEY_QUESTIONS);
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("ok: 1 mapping(s), 2 file(s) fit their mappings"), r.out());
    // a header and one data row: that row would be skipped as the first extra header line
    Files.writeString(dir.resolve("landing/alpha/2026-01-01/sessions_2.csv"),
        SURVEY_NAMES + "2026-01-05 10:00:00,p1,1,1,2,,7\n");
    r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains("dialect.extra_header_lines: line 2 of alpha/2026-01-01/sessions_2.csv looks like a "
        + "data row, not a header line: column Q3 (session_number) holds \"1\", column Q9 (session_quality) holds "
        + "\"7\", where a header line holds texts; the file seems to have no header lines after the column names, "
        + "not the 2 that dialect.extra_header_lines says, so its first data row would be skipped as a header line"),
        r.err());
    assertFalse(r.err().contains("sessions.csv looks like"), r.err());
  }

  @Test
  void aWideExportsDataRowAmongItsHeaderLinesNamesEachColumnWithItsSession() throws IOException {
    Path conf = landed("beta", WIDE.replace("dialect: {delimiter: \";\"}", "dialect: {delimiter: \";\", "
        + "extra_header_lines: 1}"), "sessions.csv", "pid;rater;rupt_s1;int_s1;rupt_s2;int_s2\nb1;P;1;2;0;\n");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains(dir.resolve("sites/beta.yaml") + ": dialect.extra_header_lines: line 2 of "
        + "beta/2026-01-01/sessions.csv looks like a data row, not a header line: column int_s1 (rupture_intensity, "
        + "session 1) holds \"2\", where a header line holds texts;"), r.err());
    Files.writeString(dir.resolve("landing/beta/2026-01-01/sessions.csv"),
        "pid;rater;rupt_s1;int_s1;rupt_s2;int_s2\nPatient;Rater;Rupture 1;Intensity 1;Rupture 2;Intensity 2\nb1;P;1;2;0;\n");
    assertEquals(0, run("validate-config", "--config", conf.toString()).code());
  }

  @Test
  void aFileMatchingBothPatternsOfAProfileIsReportedInTheProfileNamingTheMapping() throws IOException {
    Path conf = landedWithProfile(LONG_PROFILE.replace("\"sessions*.csv\"", "\"*.csv\""), "", "patients.csv",
        "patient_id\np1\n");
    Path profile = dir.resolve("sites/profiles/long.yaml");
    Path mapping = dir.resolve("sites/alpha.yaml");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains("configuration error in " + profile + " at 'sessions.files': file "
        + "alpha/2026-01-01/patients.csv matches both the sessions pattern '*.csv' and the patients pattern "
        + "'patients*.csv'"), r.err());
    assertTrue(r.err().contains("a profile that " + mapping + " extends"), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());

    // the mapping sets the sessions pattern itself: the mapping is to blame, and the other pattern's file is named
    conf = landedWithProfile(LONG_PROFILE, "sessions: {files: \"*.csv\"}\n", "patients.csv", "patient_id\np1\n");
    r = run("validate-config", "--config", conf.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains("configuration error in " + mapping + " at 'sessions.files': file "
        + "alpha/2026-01-01/patients.csv matches both the sessions pattern '*.csv' and the patients pattern "
        + "'patients*.csv' (set in " + profile + ", a profile that " + mapping + " extends)"), r.err());
  }

  @Test
  void aFileMatchingNoPatternOfAProfileIsWarnedNamingThePatternsWhereTheyAreSet() throws IOException {
    Path conf = landedWithProfile(LONG_PROFILE, "patients: {files: \"pat_*.csv\"}\n", "export.csv",
        "patient_id\np1\n");
    Path profile = dir.resolve("sites/profiles/long.yaml");
    Path mapping = dir.resolve("sites/alpha.yaml");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("warning: file alpha/2026-01-01/export.csv matches no file pattern of " + mapping
        + ": sessions.files 'sessions*.csv' (set in " + profile + ", a profile that " + mapping + " extends), "
        + "patients.files 'pat_*.csv'"), r.err());
  }

  @Test
  void aFilePatternMatchingNoFileOfASiteIsOneWarningNamingTheKeyThePatternAndTheFilesThere() throws IOException {
    // sessions.csv was only reported as a file matching no pattern, never as a pattern matching no file
    Path conf = landedWithProfile(LONG_PROFILE.replace("\"sessions*.csv\"", "\"session_*.csv\""), "", "patients.csv",
        "patient_id\np1\n");
    Files.writeString(dir.resolve("landing/alpha/2026-01-01/sessions.csv"), "patient_id,rater,session,rupture\n");
    Files.createDirectories(dir.resolve("landing/alpha/2026-02-01"));
    Files.writeString(dir.resolve("landing/alpha/2026-02-01/export.txt"), "x\n");
    Path profile = dir.resolve("sites/profiles/long.yaml");
    Path mapping = dir.resolve("sites/alpha.yaml");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("warning: " + profile + " (profile of " + mapping + "): sessions.files 'session_*.csv' "
        + "matches no file in any delivery of site 'alpha'; files there: export.txt, patients.csv, sessions.csv; to "
        + "change it for this mapping only, set sessions.files in " + mapping + ", which overrides the profile"),
        r.err());
    assertEquals(1, r.err().lines().filter(l -> l.contains("matches no file in any delivery")).count(), r.err());
    assertFalse(r.err().contains("patients.files 'patients*.csv' matches no file"), r.err());

    // a site with no delivery yet: both patterns, said so
    Files.createDirectories(dir.resolve("landing/beta"));
    Files.writeString(dir.resolve("sites/beta.yaml"), "site: beta\nextends: profiles/long.yaml\n");
    r = run("validate-config", "--config", conf.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("patients.files 'patients*.csv' matches no file in any delivery of site 'beta'; no file "
        + "has been delivered there yet"), r.err());
  }

  @Test
  void aSiteFolderNoMappingClaimsNamesTheMappedSiteNearItThatHasNoFolder() throws IOException {
    // the mapping said clinic-alfa, the folder is clinic-alpha: nothing was ingested and nothing said why
    Path conf = landed("clinic-alpha", "", "patients.csv", "patient_id\np1\n");
    Files.delete(dir.resolve("sites/clinic-alpha.yaml"));
    Files.writeString(dir.resolve("sites/alfa.yaml"), "sites: [clinic-alfa, clinic-beta]\n"
        + "patients: {files: \"patients*.csv\", columns: {patient: patient_id}}\n");
    Files.createDirectories(dir.resolve("landing/unrelated"));
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("warning: site folder 'clinic-alpha' is claimed by no mapping; "
        + dir.resolve("sites/alfa.yaml") + " names site 'clinic-alfa' at 'sites', which has no folder in the landing: "
        + "did you mean 'clinic-alpha'?"), r.err());
    assertTrue(r.err().contains("warning: site folder 'unrelated' is claimed by no mapping\n"), r.err());
  }

  @Test
  void aFileDirectlyInASiteFolderIsWarnedAsOutsideADeliveryFolder() throws IOException {
    Path conf = landedWithProfile(LONG_PROFILE, "", "patients.csv", "patient_id\np1\n");
    Files.writeString(dir.resolve("landing/alpha/sessions_late.csv"), "patient_id,rater,session,rupture\np1,P,1,1\n");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("warning: file alpha/sessions_late.csv is not in a delivery folder (the layout is "
        + "<site>/<delivery>/<file>); move it into one, e.g. alpha/<date>/sessions_late.csv"), r.err());
  }

  @Test
  void aFolderInsideADeliveryIsWarnedAboutNotSkippedInSilence() throws IOException {
    // an unpacked archive's own folder: its sessions file was neither read nor reported, and with a sessions file
    // in another delivery no warning said that this delivery's sessions were missing
    Path conf = landedWithProfile(LONG_PROFILE, "", "sessions.csv", "patient_id,rater,session,rupture\np1,P,1,1\n");
    Path nested = dir.resolve("landing/alpha/2026-02-01/export/sessions.csv");
    Files.createDirectories(nested.getParent());
    Files.writeString(nested, "patient_id,rater,session,rupture\np1,P,2,1\n");
    ConsoleRun r = run("validate-config", "--config", conf.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("warning: file alpha/2026-02-01/export/ is a folder inside a delivery: the files in "
        + "it are not read (the layout is <site>/<delivery>/<file>); move them up into alpha/2026-02-01/"), r.err());
  }

  @Test
  void aFailureWhileTheJvmShutsDownIsReportedAsAnInterruptionNotAsSparksStoppedContext() {
    IllegalStateException stopped = new IllegalStateException("Cannot call methods on a stopped SparkContext.\n"
        + "This stopped SparkContext was created at:\n\n"
        + "org.apache.spark.sql.SparkSession$Builder.getOrCreate(SparkSession.scala:923)\n");
    String message = Main.failureMessage(stopped, true);
    assertTrue(message.startsWith("interrupted: the JVM was asked to stop (SIGTERM"), message);
    assertFalse(message.contains("SparkContext"), message);
    assertTrue(Main.failureMessage(stopped, false).startsWith("error: Cannot call methods on a stopped SparkContext"));
  }
}
