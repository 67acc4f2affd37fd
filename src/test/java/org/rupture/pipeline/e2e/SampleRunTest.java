package org.rupture.pipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rupture.pipeline.cli.Main;
import org.rupture.pipeline.config.SiteMapping;
import org.rupture.pipeline.config.SiteMappingLoader;
import org.rupture.pipeline.ingest.CsvRecordReader;
import org.rupture.pipeline.testing.SparkTestBase;

/**
 * The committed sample, end to end through the CLI, exactly as the README's first command runs it:
 * every file reconciles, the documented defects land where sample/README.md says, and no raw id or
 * dropped identifier value reaches curated data, results, the manifest, the console or the log.
 */
class SampleRunTest extends SparkTestBase {
  static Path output;
  /** The published run's folder, as CURRENT names it. */
  static Path run;
  static String stdout;
  static String stderr;
  static int exitCode;

  @BeforeAll
  static void runSample() throws IOException {
    output = Files.createTempDirectory("rupture-sample-run");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    spark(); // the shared test session; the job uses it instead of starting its own
    exitCode = Main.run(List.of("run", "--output", output.toString()), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    stdout = out.toString(StandardCharsets.UTF_8);
    stderr = err.toString(StandardCharsets.UTF_8);
    run = output.resolve("runs").resolve(Files.readString(output.resolve("CURRENT")).strip());
  }

  /** The shared run outlives each test, not the class: no run folders left behind in the temp folder. */
  @AfterAll
  static void removeSharedRun() throws IOException {
    org.apache.commons.io.FileUtils.deleteDirectory(output.toFile());
  }

  @Test
  void runSucceedsAndEveryFileReconciles() throws IOException {
    assertEquals(0, exitCode, stderr);
    JsonNode manifest = new ObjectMapper().readTree(run.resolve("manifest.json").toFile());
    assertEquals(32, manifest.get("files").size());
    long records = 0;
    for (JsonNode f : manifest.get("files")) {
      assertTrue(f.get("reconciled").asBoolean(), f.toString());
      assertEquals(64, f.get("sha256").asText().length());
      assertEquals(f.get("records").asLong(),
          f.get("accepted").asLong() + f.get("quarantined").asLong() + f.get("superseded").asLong());
      records += f.get("records").asLong();
    }
    assertEquals(records, manifest.get("totals").get("records").asLong());
    assertEquals("unmapped-site", manifest.get("unmapped_sites").get(0).asText());
    assertTrue(stderr.contains("site folder 'unmapped-site' is claimed by no mapping"), stderr);
    assertTrue(stderr.contains("DEMO secret"), stderr);
    assertTrue(stdout.lines().anyMatch(l -> l.startsWith("ingest ")), stdout);
    assertTrue(stdout.contains("results: " + run + "/results"), stdout);
    assertTrue(Files.notExists(output.resolve("_LOCK")), "the lock is released");
  }

  /**
   * The console table is the README's, row for row with its legend, and says what evidence.csv says: the
   * training effect supports its claim but is compatible with only one of its two published effects (not
   * with the pre-post r = .65 of Safran et al. 2011).
   */
  @Test
  void consoleTableIsTheReadmesAndShowsCompatibilityWithThePublishedEffects() throws IOException {
    List<String> printed = table(stdout);
    assertEquals(1 + 25 + 2, printed.size(), stdout);
    assertEquals(table(Files.readString(Path.of("README.md"))), printed, "README.md shows what the run prints");
    assertTrue(stdout.lines().anyMatch(l -> l.startsWith("analyze ")
        && l.endsWith("200 site effects, 25 of 25 pooled, 12 IPD models")), stdout);
    assertEquals(List.of("2/2 compatible", "1/2 compatible"), printed.stream()
        .filter(l -> l.startsWith("resolution_outcome ") || l.startsWith("training_effect "))
        .map(l -> l.substring(l.indexOf("supports") + "supports".length()).strip()).distinct().toList());
    List<String> trainingVsSafran = Files.readAllLines(run.resolve("results/evidence.csv")).stream()
        .filter(l -> l.startsWith("training_effect,") && l.contains("\"Safran, Muran & Eubanks-Carter (2011)")).toList();
    assertEquals(2, trainingVsSafran.size());
    assertTrue(trainingVsSafran.stream().allMatch(l -> l.contains(",supports,") && l.endsWith(",false,")),
        String.join("\n", trainingVsSafran));
  }

  /** The console table in {@code text}: from its header up to the results line. */
  private static List<String> table(String text) {
    List<String> lines = text.lines().toList();
    int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("analysis               rater"))
        .findFirst().orElseThrow());
    int end = header;
    while (!lines.get(end).startsWith("results: ")) {
      end++;
    }
    return lines.subList(header, end);
  }

  @Test
  void documentedDefectsEndWhereSampleReadmeSaysTheyDo() {
    Map<String, String> quarantine = new TreeMap<>();
    spark().read().parquet(run.resolve("restricted/quarantine").toString()).collectAsList().forEach(r ->
        quarantine.put(r.getAs("source_file") + ":" + r.getAs("source_row"),
            String.join("+", r.<String>getList(r.fieldIndex("reasons")))));
    assertEquals(Map.of(
        "site-001/2025-03-04/sessions.csv:1026", "UNKNOWN_RATER",
        "site-004/2025-03-04/sessions.csv:1020", "BAD_SESSION_NUMBER",
        "site-004/2025-03-04/sessions.csv:1040", "DUPLICATE_CONFLICT",
        "site-004/2025-03-04/sessions.csv:1041", "DUPLICATE_CONFLICT",
        "site-003/2025-03-04/sessions_psq_export.csv:1145", "MISSING_PATIENT"), quarantine);
    Map<String, String> issues = new TreeMap<>();
    spark().read().parquet(run.resolve("restricted/field_issues").toString()).collectAsList().forEach(r ->
        issues.put(r.getAs("source_file") + ":" + r.getAs("source_row") + ":" + r.getAs("source_column"),
            r.getAs("raw_value") + " " + r.getAs("reason")));
    assertEquals(Map.of(
        "site-001/2025-03-04/sessions.csv:1021:intensity", "4-5 NOT_NUMERIC",
        "site-001/2025-03-04/sessions.csv:1029:wai_3", "9 OUT_OF_RANGE",
        "site-002/2025-03-04/patients.csv:49:behandlung", "4 UNKNOWN_CODE",
        // a wide export's issue names the session's own column, as sample/README.md does
        "site-002/2025-03-04/sessions_wide.csv:100:psq_int_s11", "5 OUT_OF_RANGE"), issues);
  }

  /**
   * The sample's few field issues are far below quality.field_issue_warn_share: no site is warned about, and the
   * manifest lists every site with its nulled records by field and reason (as the field issues table has them).
   */
  @Test
  void noSiteHasAFieldNulledOftenEnoughToWarnAndTheManifestCountsThemPerSite() throws IOException {
    assertFalse(stderr.contains(" nulled in "), stderr);
    JsonNode check = new ObjectMapper().readTree(run.resolve("manifest.json").toFile()).get("field_issue_shares");
    assertEquals(0.2, check.get("warn_share").asDouble());
    assertEquals(0, check.get("warnings").size(), check.toString());
    assertEquals(8, check.get("sites").size(), check.toString());
    Map<String, String> counts = new TreeMap<>();
    check.get("sites").fields().forEachRemaining(site -> site.getValue().forEach(s -> counts.put(
        site.getKey() + " " + s.get("field").asText() + " " + s.get("reason").asText(),
        s.get("records").asLong() + " of " + s.get("accepted").asLong() + " " + s.get("mapping_key").asText())));
    assertEquals(Map.of(
        "site-001 rupture_intensity NOT_NUMERIC", "1 of 1027 dialect.decimal",
        "site-001 alliance OUT_OF_RANGE", "1 of 1027 sessions.alliance.scale",
        "site-002 treatment UNKNOWN_CODE", "1 of 50 patients.treatment_codes",
        "site-002 rupture_intensity OUT_OF_RANGE", "1 of 1051 sessions.scales.rupture_intensity"), counts);
  }

  @Test
  void noRawIdentifierReachesCuratedDataResultsManifestConsoleOrLog() throws IOException {
    Set<String> secrets = rawIdentifierValues();
    assertTrue(secrets.size() > 500, "the scan must know the sample's raw ids, found " + secrets.size());
    List<String> leaks = new ArrayList<>();
    try (Stream<Path> files = Files.walk(run)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        String rel = run.relativize(p).toString();
        if (rel.startsWith("restricted/") || rel.endsWith(".crc") || rel.endsWith(".parquet")) {
          continue;
        }
        scanText(rel, Files.readString(p, StandardCharsets.UTF_8), secrets, leaks);
      }
    }
    for (String table : List.of("curated/session_ratings", "curated/patients", "curated/outcomes")) {
      Dataset<Row> ds = spark().read().parquet(run.resolve(table).toString());
      for (StructField f : ds.schema().fields()) {
        assertFalse(Set.of("patient_id", "therapist_id", "patient_name", "email", "pid", "name").contains(f.name()),
            table + " has an identifier column " + f.name());
        if (f.dataType() instanceof StringType) {
          ds.select(f.name()).distinct().collectAsList().forEach(r -> {
            String v = r.getString(0);
            if (v != null && secrets.contains(v)) {
              leaks.add(table + "." + f.name() + " holds a raw id");
            }
          });
        }
      }
    }
    scanText("stdout", stdout, secrets, leaks);
    scanText("stderr", stderr, secrets, leaks);
    Path log = Path.of("target/test-logs/rupture.log");
    if (Files.exists(log)) {
      scanText("log", Files.readString(log, StandardCharsets.UTF_8), secrets, leaks);
    }
    assertEquals(List.of(), leaks);
  }

  private static void scanText(String where, String text, Set<String> secrets, List<String> leaks) {
    for (String token : text.split("[\\s,;:\"'{}\\[\\]()=|/]+")) {
      if (secrets.contains(token)) {
        leaks.add(where + " contains a raw identifier");
        return;
      }
    }
    for (String s : secrets) {
      if (s.contains(" ") && text.contains(s)) {
        leaks.add(where + " contains a raw name");
        return;
      }
    }
  }

  /** Every value of an id column or a dropped identifier column in the sample exports. */
  private static Set<String> rawIdentifierValues() throws IOException {
    List<SiteMapping> mappings = SiteMappingLoader.loadAll(Path.of("conf/sites"));
    Set<String> values = new HashSet<>();
    try (Stream<Path> files = Files.walk(Path.of("sample/landing"))) {
      for (Path p : files.filter(f -> f.toString().endsWith(".csv")).toList()) {
        String site = p.getParent().getParent().getFileName().toString();
        SiteMapping m = mappings.stream().filter(x -> x.claims(site)).findFirst().orElse(null);
        if (m == null) {
          continue;
        }
        Set<String> idColumns = new HashSet<>(m.dropColumns());
        boolean patients = p.getFileName().toString().startsWith("patients");
        Map<String, String> cols = patients ? m.patients().columns() : m.sessions().columns();
        idColumns.add(cols.get("patient"));
        if (cols.get("therapist") != null) {
          idColumns.add(cols.get("therapist"));
        }
        try (InputStream in = Files.newInputStream(p);
            CsvRecordReader r = new CsvRecordReader(in, Charset.forName(m.dialect().encoding()),
                m.dialect().delimiter(), m.dialect().quote())) {
          List<String> header = r.next().fields();
          CsvRecordReader.RawRecord rec;
          while ((rec = r.next()) != null) {
            if (rec.fields() == null) {
              continue;
            }
            for (int i = 0; i < header.size() && i < rec.fields().size(); i++) {
              String v = rec.fields().get(i).trim();
              if (idColumns.contains(header.get(i).trim()) && v.length() >= 3 && !m.missingCodes().contains(v)
                  && !v.matches("[0-9.\\-]+")) {
                values.add(v);
              }
            }
          }
        }
      }
    }
    return values;
  }
}
