package org.rupture.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rupture.pipeline.config.ConfigException;
import org.rupture.pipeline.config.PipelineConfig;
import org.rupture.pipeline.config.SiteMapping;
import org.rupture.pipeline.config.SiteMappingLoader;
import org.rupture.pipeline.curated.CuratedLayout;
import org.rupture.pipeline.testing.SparkTestBase;

/** Ingest on tiny inline exports: every bad-input case of issue 2 ends accepted, quarantined or superseded. */
class IngestStageTest extends SparkTestBase {
  static final String MAPPING = """
      site: alpha
      dialect: {delimiter: ",", encoding: UTF-8, date_formats: [yyyy-MM-dd]}
      missing_codes: ["", "NA", "-99"]
      drop_columns: [email]
      sessions:
        files: "sessions*.csv"
        columns: {patient: pid, therapist: tid, rater: rater, session_number: session, session_date: date,
                  rupture_present: rupture, rupture_intensity: intensity, rupture_resolution: resolution,
                  session_quality: quality}
        rater_codes: {P: patient, T: therapist}
        yes_no: {"yes": ["1", "yes"], "no": ["0", "no"]}
        scales: {rupture_intensity: [0, 4], rupture_resolution: [1, 5], session_quality: [1, 5]}
        alliance: {items: [w1, w2, w3, w4], scale: [1, 5], reverse: [w4], min_items: 3}
      patients:
        files: "patients*.csv"
        columns: {patient: pid, therapist: tid, treatment: arm, dropout: dropout, sessions_attended: n, training_phase: phase}
        treatment_codes: {"1": CBT, "2": BRT}
        dropout_codes: {"yes": ["1"], "no": ["0"]}
        training_phase_codes: {pre: ["pre"], post: ["post"]}
        outcomes:
          - {measure: IIP, baseline: iip0, termination: iip1, direction: lower_is_better, range: [0, 4]}
      """;
  static final String HEADER = "pid,tid,rater,session,date,rupture,intensity,resolution,quality,w1,w2,w3,w4";
  static final String PATIENT_HEADER = "pid,tid,arm,dropout,n,phase,iip0,iip1,email";
  /** A wide export whose session columns may be zero-padded (psq_int_s01). */
  static final String WIDE_MAPPING = """
      site: beta
      dialect: {delimiter: ";", decimal: ",", encoding: UTF-8, date_formats: [dd.MM.yyyy]}
      sessions:
        files: "sessions*.csv"
        layout: wide
        session_column_pattern: "{field}_s{session}"
        columns: {patient: pid, rater: rater, session_date: datum, rupture_present: rupt, rupture_intensity: int,
                  rupture_resolution: res}
        rater_codes: {P: patient, T: therapist}
        yes_no: {"yes": ["ja"], "no": ["nein"]}
        scales: {rupture_intensity: [0, 4], rupture_resolution: [1, 5]}
      """;

  @TempDir Path dir;

  private Path write(String rel, String text) throws IOException {
    return write(rel, text, StandardCharsets.UTF_8);
  }

  private Path write(String rel, String text, Charset cs) throws IOException {
    Path p = dir.resolve("landing").resolve(rel);
    Files.createDirectories(p.getParent());
    Files.write(p, text.getBytes(cs));
    return p;
  }

  private List<SiteMapping> mappings() throws IOException {
    Path sites = dir.resolve("sites");
    Files.createDirectories(sites);
    Files.writeString(sites.resolve("alpha.yaml"), MAPPING);
    return SiteMappingLoader.loadAll(sites);
  }

  private void withWideMapping() throws IOException {
    Files.createDirectories(dir.resolve("sites"));
    Files.writeString(dir.resolve("sites/beta.yaml"), WIDE_MAPPING);
  }

  /**
   * alpha's two deliveries: {@code good} plain records of patients p1, p2, ... on 2026-01-01, then {@code later}
   * records of patients n1, n2, ... on 2026-02-01, each the patient's id followed by {@code rest}.
   */
  private void goodThenNewDelivery(int good, int later, String rest) throws IOException {
    StringBuilder old = new StringBuilder(HEADER);
    for (int i = 1; i <= good; i++) {
      old.append("\np").append(i).append(",t1,P,1,2026-01-05,1,2,4,4,5,5,4,1");
    }
    write("alpha/2026-01-01/sessions.csv", old + "\n");
    StringBuilder next = new StringBuilder(HEADER);
    for (int i = 1; i <= later; i++) {
      next.append("\nn").append(i).append(rest);
    }
    write("alpha/2026-02-01/sessions.csv", next + "\n");
  }

  /** A second site, gamma, mapped as alpha with {@code edit} applied. */
  private void withGammaMapping(java.util.function.UnaryOperator<String> edit) throws IOException {
    Files.createDirectories(dir.resolve("sites"));
    Files.writeString(dir.resolve("sites/gamma.yaml"), edit.apply(MAPPING.replace("site: alpha", "site: gamma")));
  }

  private static KeyHasher keys() {
    return new KeyHasher("0123456789abcdef-test".getBytes());
  }

  /** Whether the parsed records go through the shuffle by site (the path of stored records). */
  private boolean shuffled;

  private IngestResult ingest(double maxShare) throws IOException {
    return ingest(new PipelineConfig.Quality(maxShare, PipelineConfig.Quality.DEFAULT_FIELD_ISSUE_WARN_SHARE, null));
  }

  private IngestResult ingest(PipelineConfig.Quality quality) throws IOException {
    List<SiteMapping> m = mappings();
    LandingInventory inv = LandingScanner.scan(spark().sparkContext().hadoopConfiguration(),
        dir.resolve("landing").toString(), m);
    IngestStage stage = new IngestStage(spark(), m, keys(), "r1", quality);
    if (shuffled) {
      stage.shufflingBySite();
    }
    return stage.run(inv, new CuratedLayout(dir.resolve("out").toString()), IngestState.none(), true);
  }

  private Map<String, FileCounts> byFile(IngestResult r) {
    return r.files().stream().collect(Collectors.toMap(FileCounts::file, f -> f));
  }

  private List<Row> quarantine() {
    return spark().read().parquet(dir.resolve("out/restricted/quarantine").toString())
        .orderBy("source_file", "source_row").collectAsList();
  }

  @Test
  void everyRowEndsExactlyOnceAndBadRowsCarryPreciseReasons() throws IOException {
    everyRowEndsExactlyOnce();
  }

  /** The same with the parsed records shuffled by site before they are classified (the path of stored records). */
  @Test
  void everyRowEndsExactlyOnceWhenTheRecordsAreShuffledBySite() throws IOException {
    shuffled = true;
    everyRowEndsExactlyOnce();
  }

  private void everyRowEndsExactlyOnce() throws IOException {
    write("alpha/2026-01-01/sessions.csv", String.join("\n", HEADER,
        "p1,t1,P,1,2026-01-05,1,2,4,4,5,5,4,1",        // 1 ok
        "p1,t1,T,1,2026-01-05,0,,,5,5,5,5,1",          // 2 ok, no rupture
        "p1,t1,P,2,05/01/2026,yes,x,9,3,4,4,4,2",      // 3 bad date, non-numeric intensity, resolution out of range
        "p1,t1,X,3,2026-01-07,1,2,3,3,4,4,4,2",        // 4 unknown rater -> quarantine
        "p1,t1,P,0,2026-01-07,1,2,3,3,4,4,4,2",        // 5 session 0 -> quarantine
        "p1,t1,P,-2,2026-01-07,1,2,3,3,4,4,4,2",       // 6 negative session -> quarantine
        "NA,t1,P,4,2026-01-07,1,2,3,3,4,4,4,2",        // 7 missing patient -> quarantine
        "p2,t1,P,1,2026-01-07,1,2,3",                  // 8 wrong column count -> quarantine
        "p2,t1,P,2,2026-01-07,\"1,2,3,3,4,4,4,2",      // 9 malformed quoting -> quarantine
        "p2,t1,P,3,2026-01-07,maybe,2,3,3,4,4,-99,2",  // 10 unknown yes/no code; missing item
        "p2,t1,P,4,2026-01-07,0,3,3,3,4,4,4,2",        // 11 intensity given with no rupture
        "p3,t1,P,1,2026-01-07,1,2,3,3,4,4,4,2",        // 12 conflicting duplicate of 13
        "p3,t1,P,1,2026-01-07,1,4,3,3,4,4,4,2",        // 13
        "p4,t1,P,1,2026-01-07,1,2,3,3,4,4,4,2",        // 14 identical duplicate of 15
        "p4,t1,P,1,2026-01-07,1,2,3,3,4,4,4,2",        // 15
        "p5,t1,P,1,2026-01-07,1,2,3,3,4,4,4,2"));      // 16 truncated last line without newline: still whole
    write("alpha/2026-01-01/patients.csv", String.join("\n", PATIENT_HEADER,
        "p1,t1,1,0,12,pre,2.5,1.5,a@example.org",
        "p2,t1,9,1,3.0,post,2.0,7,b@example.org",      // unknown treatment; termination out of range; 3 sessions
        "p3,t1,2,0,x,later,1.0,1.0,c@example.org",     // sessions not numeric; unknown phase
        "") + "\n");
    IngestResult r = ingest(1.0);
    FileCounts s = byFile(r).get("alpha/2026-01-01/sessions.csv");
    assertEquals(16, s.rowsRead());
    assertEquals(16, s.records());
    assertEquals(8, s.quarantined());
    assertEquals(1, s.superseded());
    assertEquals(7, s.accepted());
    assertTrue(s.reconciles());
    FileCounts p = byFile(r).get("alpha/2026-01-01/patients.csv");
    assertEquals(3, p.accepted());
    assertTrue(p.reconciles());

    Map<Long, String> reasons = quarantine().stream()
        .filter(q -> q.getAs("table").equals("session_ratings"))
        .collect(Collectors.toMap(q -> q.<Long>getAs("source_row"), q -> String.join("+", q.<String>getList(q.fieldIndex("reasons")))));
    assertEquals(Map.of(4L, "UNKNOWN_RATER", 5L, "BAD_SESSION_NUMBER", 6L, "BAD_SESSION_NUMBER", 7L, "MISSING_PATIENT",
        8L, "WRONG_FIELD_COUNT", 9L, "MALFORMED_QUOTING", 12L, "DUPLICATE_CONFLICT", 13L, "DUPLICATE_CONFLICT"), reasons);
    // every quarantined record keeps its raw line, also those quarantined by the classifier, whose
    // raw lines are read again from their files
    Map<Long, String> raw = quarantine().stream()
        .filter(q -> q.getAs("table").equals("session_ratings"))
        .collect(Collectors.toMap(q -> q.<Long>getAs("source_row"), q -> q.<String>getAs("raw_line")));
    assertEquals("p1,t1,X,3,2026-01-07,1,2,3,3,4,4,4,2", raw.get(4L));
    assertEquals("p2,t1,P,2,2026-01-07,\"1,2,3,3,4,4,4,2", raw.get(9L));
    assertEquals("p3,t1,P,1,2026-01-07,1,2,3,3,4,4,4,2", raw.get(12L));
    assertEquals("p3,t1,P,1,2026-01-07,1,4,3,3,4,4,4,2", raw.get(13L));
    // a long record's session as read; none on a line that was not read into fields
    Map<Long, String> session = new java.util.HashMap<>();
    quarantine().stream().filter(q -> q.getAs("table").equals("session_ratings"))
        .forEach(q -> session.put(q.<Long>getAs("source_row"), q.<String>getAs("session_number")));
    Map<Long, String> expectedSession = new java.util.HashMap<>(Map.of(4L, "3", 5L, "0", 6L, "-2", 7L, "4",
        12L, "1", 13L, "1"));
    expectedSession.put(8L, null);
    expectedSession.put(9L, null);
    assertEquals(expectedSession, session);
    assertTrue(quarantine().stream().filter(q -> q.getAs("table").equals("patients"))
        .allMatch(q -> q.getAs("session_number") == null), "a patient record has no session");

    Row first = spark().read().parquet(dir.resolve("out/curated/session_ratings").toString())
        .filter("source_row = 1").first();
    assertEquals(3.0, first.<Double>getAs("rupture_intensity"), 1e-12);   // 2 on 0-4 -> 1-5
    assertEquals(4.0, first.<Double>getAs("rupture_resolution"), 1e-12);
    assertEquals(6.625, first.<Double>getAs("alliance"), 1e-12);          // items 5,5,4 and reversed 1 -> 5 on 1-5
    assertEquals("patient", first.getAs("rater"));
    assertEquals(java.sql.Date.valueOf("2026-01-05"), first.getAs("session_date"));

    Map<String, String> issues = spark().read().parquet(dir.resolve("out/restricted/field_issues").toString())
        .collectAsList().stream().collect(Collectors.toMap(
            i -> i.<Long>getAs("source_row") + ":" + i.getAs("field") + ":" + i.getAs("raw_value"),
            i -> i.<String>getAs("reason"), (a, b) -> a + "," + b));
    assertEquals("BAD_DATE", issues.get("3:session_date:05/01/2026"));
    assertEquals("NOT_NUMERIC", issues.get("3:rupture_intensity:x"));
    assertEquals("OUT_OF_RANGE", issues.get("3:rupture_resolution:9"));
    assertEquals("UNKNOWN_CODE", issues.get("10:rupture_present:maybe"));
    assertEquals("NO_RUPTURE", issues.get("11:rupture_intensity:3"));
    assertEquals("UNKNOWN_CODE", issues.get("2:treatment:9"));
    assertEquals("OUT_OF_RANGE", issues.get("2:IIP_termination:7"));
    assertEquals("NOT_NUMERIC", issues.get("3:sessions_attended:x"));
    assertEquals("UNKNOWN_CODE", issues.get("3:training_phase:later"));
    assertEquals(10, issues.size(), issues.toString());
    // sessions attended written as a decimal (pandas writes 3.0 for an integer column with a missing value) is 3
    assertEquals(java.util.Arrays.asList(3, 12, null), spark().read()
        .parquet(dir.resolve("out/curated/patients").toString()).select("sessions_attended").collectAsList().stream()
        .map(row -> row.isNullAt(0) ? null : row.getInt(0))
        .sorted(java.util.Comparator.nullsLast(java.util.Comparator.<Integer>naturalOrder())).toList());

    List<Row> outcomes = spark().read().parquet(dir.resolve("out/curated/outcomes").toString())
        .orderBy("patient_key", "timepoint").collectAsList();
    assertEquals(5, outcomes.size(), "p1 both, p2 baseline only (termination out of range), p3 both");
  }

  /**
   * Free-text notes of 60 and 500 lines are one data row each: nothing quarantined, the file's rows
   * read are its data rows, and the rows after a long note keep their numbers.
   */
  @Test
  void longMultiLineNotesAreOneRowEach() throws IOException {
    StringBuilder note60 = new StringBuilder();
    for (int k = 0; k < 60; k++) {
      note60.append(k == 0 ? "" : "\n").append("line ").append(k).append(", of a long note");
    }
    String note500 = String.join("\r\n", java.util.Collections.nCopies(500, "a \"\"quoted\"\" line, of a longer note"));
    write("alpha/2026-01-01/sessions.csv", String.join("\n", HEADER + ",note",
        "p1,t1,P,1,2026-01-05,1,2,4,4,5,5,4,1,",
        "p1,t1,P,2,2026-01-06,1,2,4,4,5,5,4,1,\"" + note60 + "\"",
        "p1,t1,P,3,2026-01-07,1,2,4,4,5,5,4,1,\"" + note500 + "\"",
        "p1,t1,P,4,2026-01-08,1,2,4,4,5,5,4,1,short") + "\n");
    FileCounts s = byFile(ingest(1.0)).get("alpha/2026-01-01/sessions.csv");
    assertEquals(4, s.rowsRead());
    assertEquals(4, s.accepted());
    assertEquals(0, s.quarantined());
    assertTrue(s.reconciles());
    Map<Long, Integer> sessionByRow = spark().read().parquet(dir.resolve("out/curated/session_ratings").toString())
        .collectAsList().stream().collect(Collectors.toMap(q -> q.<Long>getAs("source_row"), q -> q.<Integer>getAs("session_number")));
    assertEquals(Map.of(1L, 1, 2L, 2, 3L, 3, 4L, 4), sessionByRow);
  }

  /**
   * pandas' integral decimals are sessions (1.0, 2.00), a fractional one is not (2.5, quarantined with its
   * value); Java's number syntax (2f, 0x1p1, 1D) in a rating or item is NOT_NUMERIC, not a number.
   */
  @Test
  void integralDecimalSessionsAreSessionsAndJavaNumberSyntaxIsNotNumeric() throws IOException {
    write("alpha/2026-01-01/sessions.csv", String.join("\n", HEADER,
        "p1,t1,P,1.0,2026-01-05,1,2,4,4,5,5,4,1",
        "p1,t1,P,2.00,2026-01-06,1,2f,4,4,5,5,4,1",
        "p1,t1,P,2.5,2026-01-07,1,2,4,4,5,5,4,1",
        "p1,t1,P,3,2026-01-08,1,0x1p1,1D,4,5,4d,4,1") + "\n");
    FileCounts s = byFile(ingest(1.0)).get("alpha/2026-01-01/sessions.csv");
    assertEquals(3, s.accepted());
    assertEquals(1, s.quarantined());
    assertTrue(s.reconciles());
    Map<Long, Integer> sessionByRow = spark().read().parquet(dir.resolve("out/curated/session_ratings").toString())
        .collectAsList().stream().collect(Collectors.toMap(q -> q.<Long>getAs("source_row"), q -> q.<Integer>getAs("session_number")));
    assertEquals(Map.of(1L, 1, 2L, 2, 4L, 3), sessionByRow);
    Row q = quarantine().get(0);
    assertEquals(List.of(3L, "BAD_SESSION_NUMBER", "2.5"), List.of(q.<Long>getAs("source_row"),
        String.join("+", q.<String>getList(q.fieldIndex("reasons"))), q.<String>getAs("session_number")));
    Map<String, String> issues = spark().read().parquet(dir.resolve("out/restricted/field_issues").toString())
        .collectAsList().stream().collect(Collectors.toMap(
            i -> i.<Long>getAs("source_row") + ":" + i.getAs("field") + ":" + i.getAs("raw_value"),
            i -> i.<String>getAs("reason"), (a, b) -> a + "," + b));
    assertEquals(Map.of("2:rupture_intensity:2f", "NOT_NUMERIC", "4:rupture_intensity:0x1p1", "NOT_NUMERIC",
        "4:rupture_resolution:1D", "NOT_NUMERIC", "4:alliance:4d", "NOT_NUMERIC"), issues);
  }

  @Test
  void allianceItemsReadAlikeFromPlainAndNonAsciiLines() throws IOException {
    // the parser copies a plain ASCII line's items from its bytes and a decoded line's from its fields
    write("alpha/2026-01-01/sessions.csv", String.join("\n", HEADER,
        "pa,t1,P,1,2026-01-05,1,2,4,1, 5 ,x,4,-99",
        "p\u00e9,t1,P,1,2026-01-05,1,2,4,1, 5 ,x,4,-99",
        "pb,t1,P,1,2026-01-05,1,2,4,1, 5 ,3,4,2",
        "p\u00fc,t1,P,1,2026-01-05,1,2,4,1, 5 ,3,4,2") + "\n");
    assertTrue(byFile(ingest(1.0)).get("alpha/2026-01-01/sessions.csv").reconciles());
    Map<Long, Double> alliance = new java.util.HashMap<>();
    spark().read().parquet(dir.resolve("out/curated/session_ratings").toString()).collectAsList()
        .forEach(r -> alliance.put(r.<Long>getAs("source_row"), r.<Double>getAs("alliance")));
    assertEquals(4, alliance.size());
    assertNull(alliance.get(1L));                        // items 5 and 4 valid, x not, -99 missing: too few
    assertNull(alliance.get(2L));
    assertEquals(5.5, alliance.get(3L), 1e-12);          // 5, 3, 4 and reversed 2 -> 4: mean 4 on 1-5 -> 5.5 on 1-7
    assertEquals(5.5, alliance.get(4L), 1e-12);
    Map<String, String> issues = spark().read().parquet(dir.resolve("out/restricted/field_issues").toString())
        .collectAsList().stream().collect(Collectors.toMap(
            i -> i.<Long>getAs("source_row") + ":" + i.getAs("field") + ":" + i.getAs("source_column") + ":"
                + i.getAs("raw_value"), i -> i.<String>getAs("reason"), (a, b) -> a + "," + b));
    for (long row : new long[] {1, 2}) {
      assertEquals("NOT_NUMERIC", issues.get(row + ":alliance:w2:x"), issues.toString());
      assertEquals("TOO_FEW_ITEMS", issues.get(row + ":alliance:w1+w2+w3+w4:2 valid items"), issues.toString());
    }
    assertEquals(4, issues.size(), issues.toString());
  }

  /**
   * Spreadsheets leave no-break spaces around copied cells: an id with one is the same patient, a rating with
   * one the same number, a header name with one the same column (String.trim and Spark's trim keep them).
   */
  @Test
  void noBreakSpacesAroundValuesAndHeaderNamesAreTrimmed() throws IOException {
    write("alpha/2026-01-01/sessions.csv", String.join("\n",
        HEADER.replace("pid,", "pid\u00a0,"),
        "p1,t1,P,1,2026-01-05,1,2,4,4,5,5,4,1",
        "p1\u00a0,t1,P,2,2026-01-06,1,\u00a03\u202f,4,4,5,5,4,1",
        "\ufeffp1\u2007,t1,P,3,2026-01-07,1,1,4,4,5,5,4,1") + "\n");
    FileCounts s = byFile(ingest(1.0)).get("alpha/2026-01-01/sessions.csv");
    assertEquals(3, s.accepted());
    assertTrue(s.reconciles());
    List<Row> rows = spark().read().parquet(dir.resolve("out/curated/session_ratings").toString())
        .orderBy("source_row").collectAsList();
    assertEquals(1, rows.stream().map(r -> r.<String>getAs("patient_key")).distinct().count(), rows.toString());
    // intensity 2, 3, 1 on the mapping's 0-4 scale is 3, 4, 2 on the canonical 1-5
    assertEquals(List.of(3.0, 4.0, 2.0), rows.stream().map(r -> r.<Double>getAs("rupture_intensity")).toList());
    assertEquals(0, spark().read().parquet(dir.resolve("out/restricted/field_issues").toString()).count());
  }

  @Test
  void laterDeliveriesSupersedeAndEmptyOrMisencodedFilesReconcile() throws IOException {
    String rows = String.join("\n", HEADER,
        "p1,t1,P,1,2026-01-05,1,2,4,4,5,5,4,1",
        "p1,t1,P,2,2026-01-12,0,,,4,5,5,4,1") + "\n";
    write("alpha/2026-01-01/sessions.csv", rows);
    write("alpha/2026-02-01/sessions.csv", rows.replace("p1,t1,P,2,2026-01-12,0", "p1,t1,P,2,2026-01-12,1"));
    write("alpha/2026-02-01/sessions_empty.csv", "");
    write("alpha/2026-02-01/sessions_header_only.csv", HEADER + "\n");
    write("alpha/2026-02-01/sessions_latin1.csv", HEADER + "\nJos\u00e9,t1,P,1,2026-01-05,1,2,4,4,5,5,4,1\n",
        StandardCharsets.ISO_8859_1);
    write("alpha/2026-02-01/notes.txt", "not an export");
    IngestResult r = ingest(1.0);
    Map<String, FileCounts> f = byFile(r);
    assertEquals(2, f.get("alpha/2026-01-01/sessions.csv").superseded());
    assertEquals(2, f.get("alpha/2026-02-01/sessions.csv").accepted());
    assertEquals(0, f.get("alpha/2026-02-01/sessions_empty.csv").records());
    assertEquals(0, f.get("alpha/2026-02-01/sessions_header_only.csv").records());
    assertEquals(1, f.get("alpha/2026-02-01/sessions_latin1.csv").quarantined());
    assertTrue(r.files().stream().allMatch(FileCounts::reconciles));
    assertTrue(r.files().stream().allMatch(x -> x.checksum() != null && x.checksum().length() == 64));
    assertEquals(List.of("alpha/2026-02-01/notes.txt"), r.unclaimedFiles());
    Row latest = spark().read().parquet(dir.resolve("out/curated/session_ratings").toString())
        .filter("session_number = 2").first();
    assertEquals(Boolean.TRUE, latest.getAs("rupture_present"));
    assertEquals("2026-02-01", latest.getAs("delivery"));
    assertEquals("BAD_ENCODING", quarantine().get(0).<String>getList(quarantine().get(0).fieldIndex("reasons")).get(0));
    // the two files without a data row are named; the misencoded one (1 record) is too small for a line of its own
    assertEquals(List.of(
        "file alpha/2026-02-01/sessions_empty.csv holds no data row (it is empty, or holds its header alone): nothing"
            + " of it is ingested; check the export if the site meant to deliver session_ratings",
        "file alpha/2026-02-01/sessions_header_only.csv holds no data row (it is empty, or holds its header alone):"
            + " nothing of it is ingested; check the export if the site meant to deliver session_ratings"),
        r.fileWarnings().stream().map(FileWarnings.Warning::message).toList());
  }

  /** A spreadsheet's lines of empty fields, in sessions and patients files, are EMPTY_ROW; a blank line is skipped. */
  @Test
  void linesOfEmptyFieldsAreEmptyRows() throws IOException {
    write("alpha/2026-01-01/sessions.csv", String.join("\n", HEADER,
        "p1,t1,P,1,2026-01-05,1,2,4,4,5,5,4,1",
        ",,,,,,,,,,,,",
        " , ,\t,,,,,,,,,,\u00a0",
        "   ",
        "",
        "p1,t1,P,2,2026-01-06,1,2,4,4,5,5,4,1") + "\n");
    write("alpha/2026-01-01/patients.csv", String.join("\n", PATIENT_HEADER,
        "p1,t1,1,0,2,pre,2,1,a@b.c",
        ",,,,,,,,") + "\n");
    Map<String, FileCounts> f = byFile(ingest(1.0));
    assertEquals(2, f.get("alpha/2026-01-01/sessions.csv").accepted());
    assertEquals(3, f.get("alpha/2026-01-01/sessions.csv").quarantined());
    assertEquals(1, f.get("alpha/2026-01-01/patients.csv").quarantined());
    assertTrue(f.values().stream().allMatch(FileCounts::reconciles));
    assertEquals(List.of("patients.csv:2:EMPTY_ROW", "sessions.csv:2:EMPTY_ROW", "sessions.csv:3:EMPTY_ROW",
        "sessions.csv:4:EMPTY_ROW"), quarantine().stream().map(q -> q.<String>getAs("source_file")
            .replace("alpha/2026-01-01/", "") + ":" + q.getAs("source_row") + ":"
            + String.join("+", q.<String>getList(q.fieldIndex("reasons")))).toList());
  }

  /**
   * Bad bytes in a column the mapping does not read (a note pasted from a Latin-1 system into a UTF-8 export)
   * spoil nothing kept: the row is accepted, also where that column is quoted (as exports quote text). In a read
   * column, or in a quoted field that goes on to the next line, the row is quarantined BAD_ENCODING as before.
   */
  @Test
  void badBytesOnlyInAColumnNotReadKeepTheRow() throws IOException {
    write("alpha/2026-01-01/sessions.csv", String.join("\n", HEADER + ",note",
        "p1,t1,P,1,2026-01-05,1,2,4,4,5,5,4,1,Jos\u00e9",
        "Jos\u00e9,t1,P,1,2026-01-05,1,2,4,4,5,5,4,1,x",
        "p1,t1,P,2,2026-01-06,1,2,4,4,5,5,4,1,\"Jos\u00e9, M.\"",
        "p1,t1,P,3,2026-01-07,1,2,4,4,5,5,4,1,\"Jos\u00e9",
        "p1,t1,P,4,2026-01-08,1,2,4,4,5,5,4,1,ok") + "\n", StandardCharsets.ISO_8859_1);
    FileCounts s = byFile(ingest(1.0)).get("alpha/2026-01-01/sessions.csv");
    assertEquals(3, s.accepted());
    assertEquals(2, s.quarantined());
    assertTrue(s.reconciles());
    assertEquals(List.of(1L, 3L, 5L), spark().read().parquet(dir.resolve("out/curated/session_ratings").toString())
        .orderBy("source_row").collectAsList().stream().map(r -> r.<Long>getAs("source_row")).toList());
    assertEquals(List.of("2:BAD_ENCODING", "4:BAD_ENCODING"), quarantine().stream()
        .map(q -> q.getAs("source_row") + ":" + String.join("+", q.<String>getList(q.fieldIndex("reasons")))).toList());
  }

  /**
   * A new delivery whose every data line has a trailing delimiter: all 6 of its records quarantined, yet its site,
   * which delivered 30 good records before, passes the gate at 6 of 36 (16.7%). The file gets a warning of its own
   * with its reasons, on the console and in its manifest entry; the earlier file none.
   */
  @Test
  void aNewDeliveryQuarantinedWholeIsWarnedAboutThoughItsSitePasses() throws IOException {
    goodThenNewDelivery(30, 6, ",t1,P,1,2026-02-05,1,2,4,4,5,5,4,1,");
    IngestResult r = ingest(0.2);

    assertEquals(List.of(new FileWarnings.Warning("alpha/2026-02-01/sessions.csv",
        "file alpha/2026-02-01/sessions.csv: 6 of 6 records quarantined (100.0%; WRONG_FIELD_COUNT 6), above"
            + " quality.max_quarantine_share = 0.2, while its site alpha passes the gate with 6 of 36 (16.7%); the"
            + " records are in restricted/quarantine: fix the export or the site's mapping (reason codes:"
            + " docs/site-mapping.md)")), r.fileWarnings());
    com.fasterxml.jackson.databind.JsonNode files = manifest(r, java.time.LocalDate.of(2026, 2, 2)).get("files");
    for (com.fasterxml.jackson.databind.JsonNode f : files) {
      boolean warned = f.get("file").asText().equals("alpha/2026-02-01/sessions.csv");
      assertEquals(warned ? 1 : 0, f.path("warnings").size(), f.toString());
    }
  }

  @Test
  void landingRecordsAreClassifiedInTheScansSitePartitionsWithoutAShuffle() throws IOException {
    write("alpha/2026-01-01/sessions.csv", String.join("\n", HEADER, "p1,t1,P,1,2026-01-05,1,2,4,4,5,5,4,1") + "\n");
    write("beta/2026-01-01/sessions.csv", String.join("\n", HEADER, "p1,t1,P,1,2026-01-05,1,2,4,4,5,5,4,1") + "\n");
    List<SiteMapping> m = mappings();
    Map<String, SiteMapping> byId = Map.of("alpha", m.get(0));
    LandingInventory inv = LandingScanner.scan(spark().sparkContext().hadoopConfiguration(),
        dir.resolve("landing").toString(), m);
    List<SourceFile> files = inv.files().stream().filter(f -> f.kind() == SourceFile.Kind.SESSIONS).toList();
    var staged = LandingSource.load(spark(), StagedRows.SESSIONS, files, byId, keys())
        .withColumn("reasons", org.apache.spark.sql.functions.array())
        .withColumn("session_number", org.apache.spark.sql.functions.col("session_raw"))
        .withColumn("rater", org.apache.spark.sql.functions.col("rater_raw"));
    var classified = RecordClassifier.classify(staged, List.of("site", "patient_key", "session_number", "rater"),
        List.of("present_raw"), true);
    classified.collectAsList();
    String plan = classified.queryExecution().executedPlan().toString();
    assertTrue(!plan.contains("Exchange"), plan);
  }

  /**
   * A run that takes an unchanged patients file over from the state classifies exactly as a run that
   * parses it: a copy in a new file of the same delivery is an identical duplicate where the values are
   * the same, missing and out-of-range scores included, and a conflict where they differ.
   */
  @Test
  void reusedPatientsClassifyAsIfParsed() throws IOException {
    write("alpha/2026-01-01/patients.csv", String.join("\n", PATIENT_HEADER,
        "p1,t1,1,0,12,pre,1.5,0.5,a@x.org",     // both scores
        "p2,t1,2,1,3,post,2.25,NA,b@x.org",     // termination missing
        "p3,t2,1,0,8,pre,NA,NA,c@x.org",        // no scores at all
        "p4,t2,2,0,10,pre,9,1,d@x.org") + "\n"); // baseline out of range: nulled, a field issue
    List<SiteMapping> m = mappings();
    KeyHasher keys = keys();
    org.apache.hadoop.conf.Configuration conf = spark().sparkContext().hadoopConfiguration();
    CuratedLayout first = new CuratedLayout(dir.resolve("run1").toString());
    new IngestStage(spark(), m, keys, "r1", 1.0).run(LandingScanner.scan(conf, dir.resolve("landing").toString(), m),
        first, IngestState.none(), true);

    write("alpha/2026-01-01/patients_b.csv", String.join("\n", PATIENT_HEADER,
        "p1,t1,1,0,12,pre,1.5,0.5,other@x.org", // identical (the dropped column aside)
        "p2,t1,2,1,3,post,2.25,1.0,b@x.org",    // a termination score now: a conflict
        "p3,t2,1,0,8,pre,,-99,c@x.org",         // identical: other missing codes
        "p4,t2,2,0,10,pre,9,1,d@x.org",         // identical, its field issue too
        "p5,t2,1,0,6,post,3,2,e@x.org") + "\n");
    LandingInventory inventory = LandingScanner.scan(conf, dir.resolve("landing").toString(), m);
    CuratedLayout second = new CuratedLayout(dir.resolve("run2").toString());
    IngestResult r = new IngestStage(spark(), m, keys, "r2", 1.0).run(inventory, second,
        IngestState.load(first.ingestState(), conf), true);
    CuratedLayout scratch = new CuratedLayout(dir.resolve("scratch").toString());
    IngestResult s = new IngestStage(spark(), m, keys, "r2", 1.0).run(inventory, scratch, IngestState.none(), true);

    Map<String, FileCounts> f = byFile(r);
    FileCounts reused = f.get("alpha/2026-01-01/patients.csv");
    FileCounts parsed = f.get("alpha/2026-01-01/patients_b.csv");
    assertTrue(!reused.parsed() && parsed.parsed(), r.files().toString());
    assertEquals(List.of(3L, 1L, 0L), List.of(reused.accepted(), reused.quarantined(), reused.superseded()));
    assertEquals(List.of(1L, 1L, 3L), List.of(parsed.accepted(), parsed.quarantined(), parsed.superseded()));
    assertEquals(byFile(s).values().stream().map(c -> List.of(c.file(), c.accepted(), c.quarantined(), c.superseded()))
            .collect(Collectors.toSet()),
        r.files().stream().map(c -> List.of(c.file(), c.accepted(), c.quarantined(), c.superseded()))
            .collect(Collectors.toSet()));
    assertTrue(r.files().stream().allMatch(FileCounts::reconciles), r.files().toString());
    List<Row> conflicts = spark().read().parquet(dir.resolve("run2/restricted/quarantine").toString())
        .orderBy("source_file").collectAsList();
    assertEquals(List.of("alpha/2026-01-01/patients.csv", "alpha/2026-01-01/patients_b.csv"),
        conflicts.stream().map(q -> q.<String>getAs("source_file")).toList(), "p2's two copies");
    assertTrue(conflicts.stream().allMatch(q -> q.<String>getList(q.fieldIndex("reasons")).equals(List.of("DUPLICATE_CONFLICT"))),
        conflicts.toString());
    for (String table : List.of("curated/patients", "curated/outcomes", "restricted/field_issues")) {
      var reusedRun = spark().read().parquet(dir.resolve("run2").resolve(table).toString()).drop("run_id");
      var fromScratch = spark().read().parquet(dir.resolve("scratch").resolve(table).toString()).drop("run_id");
      assertEquals(0, reusedRun.exceptAll(fromScratch).count() + fromScratch.exceptAll(reusedRun).count(), table);
    }
    assertEquals(5, spark().read().parquet(dir.resolve("run2/curated/outcomes").toString()).count(),
        "p1 2, p2 none (a conflict), p3 none, p4 1 (its termination), p5 2, and the copies none");
  }

  @Test
  void quarantineGateRejectsTheRunAndPublishesNothing() throws IOException {
    write("alpha/2026-01-01/sessions.csv", String.join("\n", HEADER,
        "p1,t1,P,1,2026-01-05,1,2,4,4,5,5,4,1",
        "p1,t1,Q,2,2026-01-05,1,2,4,4,5,5,4,1") + "\n");
    DataQualityException e = assertThrows(DataQualityException.class, () -> ingest(0.2));
    assertTrue(e.getMessage().contains("alpha: 1 of 2 records quarantined (50.0%), reasons: UNKNOWN_RATER 1"),
        e.getMessage());
    assertTrue(e.getMessage().contains("or raise quality.max_quarantine_share"), e.getMessage());
    // nothing is written: no curated table, no quarantine
    assertTrue(Files.notExists(dir.resolve("out/curated")), "no curated table may be written when the gate fails");
    assertTrue(Files.notExists(dir.resolve("out/restricted/quarantine")), "nor the quarantine");
  }

  /**
   * Site gamma's mapping reads dd.MM.yyyy but its export has ISO dates: every session date is nulled (a field
   * issue of an accepted record, so the quarantine gate passes). The ingest counts, per site, field and reason,
   * the records whose field was nulled (records, not issues: a record with two bad alliance items counts once)
   * and warns where that is more than quality.field_issue_warn_share of the site's accepted records, naming the
   * mapping key to check; alpha, with good dates, and gamma's one record of five (20%, not more) with bad
   * alliance items get no warning. The manifest records the counts and the warning.
   */
  @Test
  void aSiteWhoseDatesAllFailIsWarnedAboutNamingFieldCountShareAndMappingKey() throws IOException {
    mappings();
    Path gammaMapping = dir.resolve("sites/gamma.yaml");
    Files.writeString(gammaMapping, MAPPING.replace("site: alpha", "site: gamma")
        .replace("date_formats: [yyyy-MM-dd]", "date_formats: [dd.MM.yyyy]"));
    write("alpha/2026-01-01/sessions.csv", String.join("\n", HEADER,
        "p1,t1,P,1,2026-01-05,1,2,4,4,5,5,4,1",
        "p1,t1,P,2,2026-01-12,1,2,4,4,5,5,4,1") + "\n");
    write("gamma/2026-01-01/sessions.csv", String.join("\n", HEADER,
        "g1,t1,P,1,2026-01-05,1,2,4,4,5,5,4,1",
        "g1,t1,P,2,2026-01-12,1,2,4,4,x,y,4,1",        // two bad alliance items: too few left as well
        "g1,t1,P,3,2026-01-19,1,2,4,4,5,5,4,1",
        "g2,t1,T,1,2026-01-06,1,2,4,4,5,5,4,1",
        "g2,t1,T,2,2026-01-13,1,2,4,4,5,5,4,1") + "\n");
    IngestResult r = ingest(1.0);

    FileCounts gamma = byFile(r).get("gamma/2026-01-01/sessions.csv");
    assertEquals(5, gamma.accepted());
    assertEquals(Map.of("session_date", Map.of("BAD_DATE", 5L), "alliance", Map.of("NOT_NUMERIC", 1L, "TOO_FEW_ITEMS", 1L)),
        gamma.fieldIssues());
    assertEquals(Map.of(), byFile(r).get("alpha/2026-01-01/sessions.csv").fieldIssues());
    assertEquals(8, r.fieldIssues(), "issue rows: 5 dates, 2 items, 1 too few");
    assertEquals(List.of("gamma: session_date nulled in 5 of 5 session_ratings records (100.0%, BAD_DATE); "
        + "check dialect.date_formats in " + gammaMapping), r.fieldIssueShares().warnings());
    assertEquals(List.of(), r.fieldIssueShares().gateFailures(), "no gate unless quality.max_field_issue_share is set");

    com.fasterxml.jackson.databind.JsonNode manifest = manifest(r, java.time.LocalDate.of(2026, 1, 20));
    com.fasterxml.jackson.databind.JsonNode check = manifest.get("field_issue_shares");
    assertEquals(0.2, check.get("warn_share").asDouble());
    assertTrue(check.get("max_share").isNull());
    assertEquals(r.fieldIssueShares().warnings().get(0), check.get("warnings").get(0).asText());
    assertEquals(0, check.get("sites").get("alpha").size(), "an ingested site without issues is listed, empty");
    com.fasterxml.jackson.databind.JsonNode dates = check.get("sites").get("gamma").get(2);
    assertEquals("session_ratings session_date BAD_DATE 5 5 1.0 true dialect.date_formats " + gammaMapping,
        String.join(" ", dates.get("table").asText(), dates.get("field").asText(), dates.get("reason").asText(),
            dates.get("records").asText(), dates.get("accepted").asText(), dates.get("share").asText(),
            dates.get("warning").asText(), dates.get("mapping_key").asText(), dates.get("set_in").asText()));
    com.fasterxml.jackson.databind.JsonNode items = check.get("sites").get("gamma").get(0);
    assertEquals("alliance NOT_NUMERIC 1 0.2 false", String.join(" ", items.get("field").asText(),
        items.get("reason").asText(), items.get("records").asText(), items.get("share").asText(),
        items.get("warning").asText()));
    assertEquals(5, manifest.get("files").get(1).get("field_issues").get("session_date").get("BAD_DATE").asLong());
  }

  /**
   * A new delivery of alpha whose dates are in another format: 5 of the site's 30 records (16.7%, not above the
   * threshold), but all of the file's, so the file gets a warning naming it; the manifest lists the file's
   * shares under field_issue_shares.files.
   */
  @Test
  void aNewDeliveryWhoseDatesAllFailIsWarnedAboutNamingTheFile() throws IOException {
    goodThenNewDelivery(25, 5, ",t1,P,1,05.02.2026,1,2,4,4,5,5,4,1");
    IngestResult r = ingest(1.0);

    assertEquals(List.of("alpha: session_date nulled in 5 of 5 session_ratings records of "
        + "alpha/2026-02-01/sessions.csv (100.0%, BAD_DATE); check dialect.date_formats in "
        + dir.resolve("sites/alpha.yaml")), r.fieldIssueShares().warnings());
    com.fasterxml.jackson.databind.JsonNode check =
        manifest(r, java.time.LocalDate.of(2026, 2, 2)).get("field_issue_shares");
    assertEquals(0, check.get("files").get("alpha/2026-01-01/sessions.csv").size());
    com.fasterxml.jackson.databind.JsonNode dates = check.get("files").get("alpha/2026-02-01/sessions.csv").get(0);
    assertEquals("session_date BAD_DATE 5 5 1.0 true", String.join(" ", dates.get("field").asText(),
        dates.get("reason").asText(), dates.get("records").asText(), dates.get("accepted").asText(),
        dates.get("share").asText(), dates.get("warning").asText()));
    assertEquals("0.1667 false", check.get("sites").get("alpha").get(0).get("share").asText() + " "
        + check.get("sites").get("alpha").get(0).get("warning").asText());
  }

  /**
   * alpha declares rupture_intensity [0, 4] but its export rates 1-5: only the 5s are nulled (5 of 30 records,
   * below the 20% threshold), the rest rescaled wrongly. Above quality.out_of_range_warn_share, so the write
   * pass's least and greatest out-of-range values name the shift; the manifest has them too.
   */
  @Test
  void aShiftedSourceScaleIsWarnedAboutWithTheValuesOutsideIt() throws IOException {
    StringBuilder rows = new StringBuilder(HEADER);
    for (int i = 1; i <= 30; i++) {
      String intensity = i == 30 ? "5.5" : i % 6 == 0 ? "5" : Integer.toString(1 + i % 4);
      rows.append("\np").append(i).append(",t1,P,1,2026-01-05,1,").append(intensity).append(",4,4,5,5,4,1");
    }
    write("alpha/2026-01-01/sessions.csv", rows + "\n");
    IngestResult r = ingest(1.0);

    assertEquals(Map.of("rupture_intensity", new FileCounts.Extent(5, 5.5)),
        byFile(r).get("alpha/2026-01-01/sessions.csv").outOfRange());
    assertEquals(List.of("alpha: rupture_intensity out of range in 5 of 30 session_ratings records (16.7%), values 5 "
        + "to 5.5 above the declared scale [0, 4]; check sessions.scales.rupture_intensity in "
        + dir.resolve("sites/alpha.yaml")), r.fieldIssueShares().warnings());
    com.fasterxml.jackson.databind.JsonNode check =
        manifest(r, java.time.LocalDate.of(2026, 1, 20)).get("field_issue_shares");
    assertEquals(0.01, check.get("out_of_range_warn_share").asDouble());
    com.fasterxml.jackson.databind.JsonNode intensity = check.get("sites").get("alpha").get(0);
    assertEquals("OUT_OF_RANGE false true 5.0 5.5 [0.0,4.0]", String.join(" ", intensity.get("reason").asText(),
        intensity.get("warning").asText(), intensity.get("out_of_range_warning").asText(),
        intensity.get("values").get("min").asText(), intensity.get("values").get("max").asText(),
        intensity.get("declared_scale").toString()));
  }

  /** With quality.max_field_issue_share set, a share above it rejects the run as the quarantine gate does. */
  @Test
  void fieldIssueGateRejectsTheRunAndPublishesNothing() throws IOException {
    withGammaMapping(m -> m.replace("scales: {rupture_intensity: [0, 4]", "scales: {rupture_intensity: [0, 3]"));
    write("gamma/2026-01-01/sessions.csv", String.join("\n", HEADER,
        "g1,t1,P,1,2026-01-05,1,4,4,4,5,5,4,1",
        "g1,t1,P,2,2026-01-12,1,4,4,4,5,5,4,1",
        "g1,t1,P,3,2026-01-19,1,2,4,4,5,5,4,1") + "\n");
    DataQualityException e = assertThrows(DataQualityException.class,
        () -> ingest(new PipelineConfig.Quality(1.0, 0.2, 0.5)));
    assertTrue(e.getMessage().contains("field issue share above quality.max_field_issue_share = 0.5 for gamma: "
        + "rupture_intensity nulled in 2 of 3 session_ratings records (66.7%, OUT_OF_RANGE); "
        + "check sessions.scales.rupture_intensity in " + dir.resolve("sites/gamma.yaml")), e.getMessage());
    assertTrue(e.getMessage().contains("Nothing was published"), e.getMessage());
    assertTrue(Files.notExists(dir.resolve("out/curated")), "no curated table may be written when the gate fails");
    assertTrue(Files.notExists(dir.resolve("out/restricted/field_issues")), "nor the field issues");
  }

  @Test
  void mappedColumnMissingFromHeaderFailsBeforeSparkWithKeyAndHint() throws IOException {
    write("alpha/2026-01-01/sessions.csv", HEADER.replace("intensity", "intensty") + "\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ingest(1.0));
    assertTrue(e.getMessage().contains("sessions.columns.rupture_intensity: column 'intensity' is not in the header; "
        + "did you mean 'intensty'? (in alpha/2026-01-01/sessions.csv)"), e.getMessage());
  }

  @Test
  void aDataRowWhereAnExtraHeaderLineShouldBeFailsBeforeSparkNamingLineAndColumns() throws IOException {
    // a survey export without its question-text line: its first data row was skipped as one, counted nowhere
    withGammaMapping(m -> m.replace("dialect: {", "dialect: {extra_header_lines: 1, "));
    write("gamma/2026-01-01/sessions.csv", String.join("\n", HEADER,
        "g1,t1,P,1,2026-01-05,yes,2,4,4,5,5,4,1",
        "g1,t1,P,2,2026-01-12,no,,,4,5,5,4,1") + "\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ingest(1.0));
    assertTrue(e.getMessage().contains(dir.resolve("sites/gamma.yaml") + ": dialect.extra_header_lines: line 2 of "
        + "gamma/2026-01-01/sessions.csv looks like a data row, not a header line: column session (session_number) "
        + "holds \"1\", column intensity (rupture_intensity) holds \"2\", column resolution (rupture_resolution) holds "
        + "\"4\" and 5 more mapped numeric columns hold numbers"), e.getMessage());
    assertTrue(Files.notExists(dir.resolve("out/curated")), "nothing may be written when the header check fails");
  }

  @Test
  void zeroPaddedWideSessionColumnsAreAcceptedWithTheirValues() throws IOException {
    withWideMapping();
    write("beta/2026-01-01/sessions.csv", String.join("\n",
        "pid;rater;datum_s01;rupt_s01;int_s01;res_s01;datum_s02;rupt_s02;int_s02;res_s02",
        "b1;P;05.01.2026;ja;2;4;12.01.2026;nein;;",
        "b2;T;;;;;12.01.2026;ja;4;1") + "\n");
    FileCounts f = byFile(ingest(1.0)).get("beta/2026-01-01/sessions.csv");
    assertEquals(2, f.rowsRead());
    assertEquals(3, f.records());
    assertEquals(3, f.accepted());
    assertTrue(f.reconciles());
    List<Row> rows = spark().read().parquet(dir.resolve("out/curated/session_ratings").toString())
        .orderBy("source_row", "session_number").collectAsList();
    assertEquals(List.of("1:1:patient:true:3.0:4.0:2026-01-05", "1:2:patient:false:null:null:2026-01-12",
        "2:2:therapist:true:5.0:1.0:2026-01-12"), rows.stream().map(r -> r.getAs("source_row") + ":"
        + r.getAs("session_number") + ":" + r.getAs("rater") + ":" + r.getAs("rupture_present") + ":"
        + r.getAs("rupture_intensity") + ":" + r.getAs("rupture_resolution") + ":" + r.getAs("session_date")).toList());
  }

  /**
   * A wide row is one record per session, all with the row's number and raw line: a field issue names the
   * session's own header column (as the header spells it), and a quarantined record carries its session.
   * A second run that takes the unchanged file over from the state writes the same quarantine and issues.
   */
  @Test
  void wideRecordsNameTheirSessionsHeaderColumnAndQuarantineTheirSession() throws IOException {
    Files.createDirectories(dir.resolve("sites"));
    Files.writeString(dir.resolve("sites/beta.yaml"), WIDE_MAPPING
        + "  alliance: {items: [wai1, wai2], scale: [1, 5], min_items: 2}\n"
        + "  extra:\n"
        + "    sd: {column: sd, scale: [0, 4], target: [1, 5]}\n");
    write("beta/2026-01-01/sessions.csv", String.join("\n",
        "pid;rater;datum_s1;rupt_s1;int_s1;res_s1;wai1_s1;wai2_s1;sd_s1;"
            + "datum_s02;rupt_s02;int_s02;res_s02;wai1_s02;wai2_s02;sd_s02;"
            + "datum_s03;rupt_s03;int_s03;res_s03;WAI1_s03;wai2_S03;sd_s03",
        "b1;P;05.01.2026;ja;2;4;3;4;1;31.02.2026;nein;;;4;4;2;19.01.2026;ja;x;9;7;2;z",  // 1 issues in 2 and 3
        "b2;X;05.01.2026;ja;2;4;3;4;1;;;;;;;;19.01.2026;nein;;;4;4;2",                  // 2 unknown rater: 1 and 3
        "b3;P;;;;;;;;;;;;;;;;;;;;;",                                                     // 3 no session at all
        "b4;P;05.01.2026",                                                               // 4 wrong field count
        "b5;T;05.01.2026;ja;2;4;3;4;1;12.01.2026;nein;;;4;4;2;;;;;;;",                   // 5 session 1 conflicts
        "b5;T;05.01.2026;ja;3;4;3;4;1;12.01.2026;nein;;;4;4;2;;;;;;;") + "\n");        // 6 with 5's
    List<SiteMapping> m = mappings();
    org.apache.hadoop.conf.Configuration conf = spark().sparkContext().hadoopConfiguration();
    CuratedLayout first = new CuratedLayout(dir.resolve("run1").toString());
    IngestResult r = new IngestStage(spark(), m, keys(), "r1", 1.0).run(
        LandingScanner.scan(conf, dir.resolve("landing").toString(), m), first, IngestState.none(), true);
    FileCounts f = byFile(r).get("beta/2026-01-01/sessions.csv");
    assertEquals(List.of(6L, 11L, 4L, 6L, 1L),
        List.of(f.rowsRead(), f.records(), f.accepted(), f.quarantined(), f.superseded()));
    assertTrue(f.reconciles());
    List<String> expectedQuarantine = List.of("2:1:UNKNOWN_RATER", "2:3:UNKNOWN_RATER", "3:null:EMPTY_ROW",
        "4:null:WRONG_FIELD_COUNT", "5:1:DUPLICATE_CONFLICT", "6:1:DUPLICATE_CONFLICT");
    List<String> expectedIssues = List.of(
        "1:session_date:datum_s02:31.02.2026:BAD_DATE",
        "1:rupture_intensity:int_s03:x:NOT_NUMERIC",
        "1:rupture_resolution:res_s03:9:OUT_OF_RANGE",
        "1:alliance:WAI1_s03:7:OUT_OF_RANGE",
        "1:alliance:WAI1_s03+wai2_S03:1 valid items:TOO_FEW_ITEMS",
        "1:sd:sd_s03:z:NOT_NUMERIC");
    assertEquals(expectedIssues.stream().sorted().toList(), wideIssues("run1"));
    assertEquals(expectedQuarantine, wideQuarantine("run1"));

    // the next run takes the unchanged file over from the state: the same rows, the session included
    CuratedLayout second = new CuratedLayout(dir.resolve("run2").toString());
    IngestResult again = new IngestStage(spark(), m, keys(), "r2", 1.0).run(
        LandingScanner.scan(conf, dir.resolve("landing").toString(), m), second, IngestState.load(first.ingestState(), conf),
        true);
    FileCounts g = byFile(again).get("beta/2026-01-01/sessions.csv");
    assertTrue(!g.parsed() && g.reconciles(), g.toString());
    assertEquals(List.of(6L, 11L, 4L, 6L, 1L),
        List.of(g.rowsRead(), g.records(), g.accepted(), g.quarantined(), g.superseded()));
    assertEquals(expectedIssues.stream().sorted().toList(), wideIssues("run2"));
    assertEquals(expectedQuarantine, wideQuarantine("run2"));
    for (String table : List.of("restricted/quarantine", "restricted/field_issues")) {
      var reusedRun = spark().read().parquet(dir.resolve("run2").resolve(table).toString()).drop("run_id");
      var firstRun = spark().read().parquet(dir.resolve("run1").resolve(table).toString()).drop("run_id");
      assertEquals(0, reusedRun.exceptAll(firstRun).count() + firstRun.exceptAll(reusedRun).count(), table);
    }
  }

  /** The wide file's quarantine as "row:session:reasons", in row and session order. */
  private List<String> wideQuarantine(String run) {
    return spark().read().parquet(dir.resolve(run).resolve("restricted/quarantine").toString())
        .where("source_file = 'beta/2026-01-01/sessions.csv'")
        .orderBy("source_row", "session_number").collectAsList().stream()
        .map(q -> q.getAs("source_row") + ":" + q.getAs("session_number") + ":"
            + String.join("+", q.<String>getList(q.fieldIndex("reasons"))))
        .toList();
  }

  /** The wide file's field issues as "row:field:source column:raw value:reason", sorted. */
  private List<String> wideIssues(String run) {
    return spark().read().parquet(dir.resolve(run).resolve("restricted/field_issues").toString())
        .where("source_file = 'beta/2026-01-01/sessions.csv'").collectAsList().stream()
        .map(i -> i.getAs("source_row") + ":" + i.getAs("field") + ":" + i.getAs("source_column") + ":"
            + i.getAs("raw_value") + ":" + i.getAs("reason"))
        .sorted().toList();
  }

  @Test
  void twoWideColumnsForOneSessionOfOneFieldFailBeforeSparkNamingBoth() throws IOException {
    withWideMapping();
    write("beta/2026-01-01/sessions.csv",
        "pid;rater;datum_s1;rupt_s1;int_s1;res_s1;int_s01\nb1;P;05.01.2026;ja;2;4;3\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ingest(1.0));
    assertTrue(e.getMessage().contains("beta.yaml: sessions.columns.rupture_intensity: columns 'int_s1' (position 5) "
        + "and 'int_s01' (position 7) are both session 1 of 'int' under session_column_pattern '{field}_s{session}'; "
        + "remove or rename one of them (in beta/2026-01-01/sessions.csv)"), e.getMessage());
  }

  @Test
  void duplicatedMappedColumnFailsBeforeSparkNamingItsPositions() throws IOException {
    write("alpha/2026-01-01/sessions.csv", HEADER + ",quality\np1,t1,P,1,2026-01-05,1,2,4,4,5,5,4,1,2\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ingest(1.0));
    assertTrue(e.getMessage().contains("alpha.yaml: sessions.columns.session_quality: column 'quality' is in the "
        + "header 2 times (positions 9 and 14), so which one to read is ambiguous; remove or rename the extra column "
        + "in the export (in alpha/2026-01-01/sessions.csv)"), e.getMessage());
  }

  /** The manifest of an ingest run for {@code night}. */
  private static com.fasterxml.jackson.databind.JsonNode manifest(IngestResult r, java.time.LocalDate night) {
    return org.rupture.pipeline.report.ManifestWriter.build(new org.rupture.pipeline.report.ManifestWriter.RunInfo(
        "r1", night, "ingest", null, java.time.Instant.now(), "pipeline.yaml", "hash", "landing", "out", "4", false),
        r, List.of());
  }
}
