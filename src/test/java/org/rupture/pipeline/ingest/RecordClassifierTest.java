package org.rupture.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.rupture.pipeline.testing.SparkTestBase;

/** Statuses and reasons of the classifier, on tiny inline records. */
class RecordClassifierTest extends SparkTestBase {

  /** Records as (delivery, file, row, key, value, reasons); status and reasons by file:row. */
  private static Map<String, String> classify(String values) {
    Dataset<Row> rules = spark().sql("SELECT 'data' AS record_type, 's1' AS site, delivery, source_file, "
        + "CAST(source_row AS BIGINT) AS source_row, k, v, CAST(reasons AS ARRAY<STRING>) AS reasons, "
        + "CAST(NULL AS STRING) AS raw_line "
        + "FROM VALUES " + values + " AS t(delivery, source_file, source_row, k, v, reasons)");
    Map<String, String> out = new TreeMap<>();
    RecordClassifier.classify(rules, List.of("site", "k"), List.of("v"), false)
        .collectAsList()
        .forEach(r -> out.put(r.getAs("source_file") + ":" + r.getAs("source_row"),
            r.getAs("status") + " " + r.getList(r.fieldIndex("reasons"))));
    return out;
  }

  @Test
  void laterDeliverySupersedesEvenWhenEarlierCopiesConflict() {
    Map<String, String> s = classify("('d1', 'a', 1, 'p1', 1, array()), ('d1', 'a', 2, 'p1', 2, array()), "
        + "('d2', 'b', 1, 'p1', 3, array())");
    assertEquals("superseded [SUPERSEDED_BY_LATER_DELIVERY]", s.get("a:1"));
    assertEquals("superseded [SUPERSEDED_BY_LATER_DELIVERY]", s.get("a:2"));
    assertEquals("accepted []", s.get("b:1"));
  }

  @Test
  void conflictingCopiesInTheLatestDeliveryAreAllQuarantined() {
    Map<String, String> s = classify("('d1', 'a', 1, 'p1', 1, array()), ('d2', 'b', 1, 'p1', 1, array()), "
        + "('d2', 'b', 2, 'p1', 1, array()), ('d2', 'c', 7, 'p1', 2, array())");
    assertEquals("superseded [SUPERSEDED_BY_LATER_DELIVERY]", s.get("a:1"));
    assertEquals("quarantined [DUPLICATE_CONFLICT]", s.get("b:1"));
    assertEquals("quarantined [DUPLICATE_CONFLICT]", s.get("b:2"));
    assertEquals("quarantined [DUPLICATE_CONFLICT]", s.get("c:7"));
  }

  @Test
  void firstIdenticalCopyByFileAndRowStaysAccepted() {
    Map<String, String> s = classify("('d1', 'b', 5, 'p1', 4, array()), ('d1', 'a', 9, 'p1', 4, array()), "
        + "('d1', 'a', 3, 'p1', 4, array()), ('d1', 'a', 4, 'p2', 4, array())");
    assertEquals("accepted []", s.get("a:3"));
    assertEquals("superseded [DUPLICATE_IDENTICAL]", s.get("a:9"));
    assertEquals("superseded [DUPLICATE_IDENTICAL]", s.get("b:5"));
    assertEquals("accepted []", s.get("a:4"));
  }

  /**
   * Records of one delivery of one file, classified by the ingest's own keys and content columns; status
   * and reasons by source row. {@code values} are the rows of {@code columns}, which with the lineage
   * make up the records.
   */
  private static Map<Long, String> classifyOneDelivery(String columns, String values, List<String> keys,
      List<String> content) {
    Dataset<Row> rules = spark().sql("SELECT 'data' AS record_type, 's1' AS site, 'd1' AS delivery, "
        + "'f.csv' AS source_file, CAST(source_row AS BIGINT) AS source_row, " + columns + ", "
        + "CAST(array() AS ARRAY<STRING>) AS reasons, CAST(NULL AS STRING) AS raw_line FROM VALUES " + values);
    Map<Long, String> out = new TreeMap<>();
    RecordClassifier.classify(rules, keys, content, false).collectAsList()
        .forEach(r -> out.put(r.<Long>getAs("source_row"), r.getAs("status") + " " + r.getList(r.fieldIndex("reasons"))));
    return out;
  }

  private static final String CONFLICT = "quarantined [DUPLICATE_CONFLICT]";
  private static final String IDENTICAL = "superseded [DUPLICATE_IDENTICAL]";
  private static final String ACCEPTED = "accepted []";

  /** Rows 1 to {@code conflicts} in conflict, the next ones as given. */
  private static Map<Long, String> expected(int conflicts, String... then) {
    Map<Long, String> m = new TreeMap<>();
    for (long row = 1; row <= conflicts; row++) {
      m.put(row, CONFLICT);
    }
    for (String status : then) {
      m.put(m.size() + 1L, status);
    }
    return m;
  }

  /**
   * Copies of a session rating that differ only in where their nulls are conflict: a value moved to a
   * neighbouring null column of its type (intensity 3 / resolution NA against intensity NA / resolution
   * 3), or past several null columns, or a value against a null. Copies equal null for null stay
   * identical. (xxhash64 skips nulls: hashed as they were, the moved values made equal hashes.)
   */
  @Test
  void sessionCopiesDifferingInWhereTheirNullsAreConflict() {
    Map<Long, String> s = classifyOneDelivery("patient_key, 'tk' AS therapist_key, 2 AS session_number, "
        + "DATE'2024-01-08' AS session_date, 'patient' AS rater, true AS rupture_present, "
        + "CAST(i AS DOUBLE) AS rupture_intensity, CAST(r AS DOUBLE) AS rupture_resolution, "
        + "CAST(a AS DOUBLE) AS alliance, CAST(q AS DOUBLE) AS session_quality",
        "(1, 'swapped', 3, NULL, 5, 4), (2, 'swapped', NULL, 3, 5, 4), "
            + "(3, 'moved_far', 3, NULL, NULL, 4), (4, 'moved_far', NULL, NULL, 3, 4), "
            + "(5, 'quality', 1, 2, 5, NULL), (6, 'quality', 1, 2, NULL, 5), "
            + "(7, 'nulled', 3, 4, 5, 4), (8, 'nulled', 3, NULL, 5, 4), "
            + "(9, 'same', NULL, 3, NULL, 4), (10, 'same', NULL, 3, NULL, 4), "
            + "(11, 'all_null', NULL, NULL, NULL, NULL), (12, 'all_null', NULL, NULL, NULL, NULL) "
            + "AS t(source_row, patient_key, i, r, a, q)",
        List.of("site", "patient_key", "session_number", "rater"), SessionRules.canonicalColumns(List.of()));
    assertEquals(expected(8, ACCEPTED, IDENTICAL, ACCEPTED, IDENTICAL), s);
  }

  /**
   * The same for patient records, at the top level (therapist key and treatment, both strings; a dropout
   * against none) and inside the outcome scores (a baseline that became the termination score).
   */
  @Test
  void patientCopiesDifferingInWhereTheirNullsAreConflict() {
    Map<Long, String> s = classifyOneDelivery("patient_key, therapist_key, treatment, dropout, "
        + "12 AS sessions_attended, 'pre' AS therapist_training_phase, "
        + "CAST(array(named_struct('measure', 'iip', 'direction', 'lower', 'baseline', b, 'termination', t), "
        + "named_struct('measure', 'who5', 'direction', 'higher', 'baseline', 40.0, 'termination', NULL)) "
        + "AS " + PatientRules.SCORES_TYPE + ") AS scores",
        "(1, 'scores', 'tk', 'CBT', false, 1.5, NULL), (2, 'scores', 'tk', 'CBT', false, NULL, 1.5), "
            + "(3, 'strings', 'CBT', NULL, false, 1.5, 1.0), (4, 'strings', NULL, 'CBT', false, 1.5, 1.0), "
            + "(5, 'dropout', 'tk', 'CBT', true, 1.5, 1.0), (6, 'dropout', 'tk', 'CBT', NULL, 1.5, 1.0), "
            + "(7, 'same', NULL, 'CBT', NULL, NULL, 1.0), (8, 'same', NULL, 'CBT', NULL, NULL, 1.0) "
            + "AS t(source_row, patient_key, therapist_key, treatment, dropout, b, t)",
        List.of("site", "patient_key"), PatientRules.contentColumns());
    assertEquals(expected(6, ACCEPTED, IDENTICAL), s);
  }

  @Test
  void ruleQuarantinedRecordsKeepTheirReasonsAndTakePartInNoKey() {
    Map<String, String> s = classify("('d1', 'a', 1, 'p1', 1, array('BAD_SESSION_NUMBER')), "
        + "('d1', 'a', 2, 'p1', 2, array()), ('d0', 'z', 1, 'p1', 5, array('UNKNOWN_RATER'))");
    assertEquals("quarantined [BAD_SESSION_NUMBER]", s.get("a:1"));
    assertEquals("accepted []", s.get("a:2"));
    assertEquals("quarantined [UNKNOWN_RATER]", s.get("z:1"));
  }

  private static final String TWO_SITES = "SELECT record_type, site, delivery, source_file, "
      + "CAST(source_row AS BIGINT) AS source_row, k, v, CAST(reasons AS ARRAY<STRING>) AS reasons, "
      + "CAST(NULL AS STRING) AS raw_line, xxhash64(v) AS content_hash FROM VALUES ";

  /** What one task's classifier makes of {@code rows} (site file:row status classifier-reason). */
  private static List<String> classifyTask(String rows, boolean sitesArriveTogether) throws Exception {
    Dataset<Row> in = spark().sql(TWO_SITES + rows + " AS t(record_type, site, delivery, source_file, source_row, k, v, reasons)");
    List<InternalRow> input = ((org.apache.spark.sql.classic.Dataset<Row>) in).queryExecution().toRdd()
        .toJavaRDD().map(InternalRow::copy).collect();
    StructType schema = in.schema();
    Iterator<InternalRow> out = new RecordClassifier.PartitionClassifier(schema, List.of("site", "k"),
        sitesArriveTogether).call(input.iterator());
    List<String> seen = new ArrayList<>();
    int site = schema.fieldIndex("site");
    int file = schema.fieldIndex("source_file");
    int row = schema.fieldIndex("source_row");
    int status = schema.length();
    while (out.hasNext()) {
      InternalRow r = out.next();
      seen.add(r.getUTF8String(site) + " " + r.getUTF8String(file) + ":" + (r.isNullAt(row) ? "-" : r.getLong(row))
          + " " + r.getUTF8String(status) + (r.isNullAt(status + 1) ? "" : " " + r.getUTF8String(status + 1)));
    }
    return seen;
  }

  /**
   * A task whose records come site after site (the landing scan) classifies a site at a time: the
   * same key values at two sites are two keys, file records pass with status file, order is kept.
   */
  @Test
  void sitesArrivingOneAfterTheOtherAreClassifiedASiteAtATime() throws Exception {
    assertEquals(List.of("s1 a:1 accepted", "s1 a:- file", "s1 a:2 superseded DUPLICATE_IDENTICAL",
        "s2 b:1 accepted", "s2 b:2 quarantined DUPLICATE_CONFLICT", "s2 b:3 quarantined DUPLICATE_CONFLICT"),
        classifyTask("('data', 's1', 'd1', 'a', 1, 'p1', 1, array()), ('file', 's1', 'd1', 'a', NULL, NULL, NULL, array()), "
            + "('data', 's1', 'd1', 'a', 2, 'p1', 1, array()), ('data', 's2', 'd1', 'b', 1, 'p1', 2, array()), "
            + "('data', 's2', 'd1', 'b', 2, 'p2', 2, array()), ('data', 's2', 'd1', 'b', 3, 'p2', 3, array())", true));
  }

  /** Interleaved sites (as after the shuffle by site) are told apart too, and leave grouped by site. */
  @Test
  void interleavedSitesOfOneTaskLeaveGroupedBySite() throws Exception {
    assertEquals(List.of("s1 a:1 accepted", "s1 a:- file", "s1 a:2 accepted",
        "s2 b:1 accepted", "s2 b:2 superseded DUPLICATE_IDENTICAL"),
        classifyTask("('data', 's1', 'd1', 'a', 1, 'p1', 1, array()), ('data', 's2', 'd1', 'b', 1, 'p1', 2, array()), "
            + "('file', 's1', 'd1', 'a', NULL, NULL, NULL, array()), ('data', 's2', 'd1', 'b', 2, 'p1', 2, array()), "
            + "('data', 's1', 'd1', 'a', 2, 'p2', 3, array())", false));
  }

  /** The classifier's own columns (content hash, its reason) do not leave it; reasons are its own. */
  @Test
  void classifiedRecordsCarryStatusAndBothReasonLists() {
    Dataset<Row> rules = spark().sql("SELECT 'data' AS record_type, 's1' AS site, 'd1' AS delivery, 'a' AS source_file, "
        + "CAST(source_row AS BIGINT) AS source_row, k, v, CAST(reasons AS ARRAY<STRING>) AS reasons, "
        + "CAST(NULL AS STRING) AS raw_line FROM VALUES (1, 'p1', 1, array()), (2, 'p1', 1, array()) "
        + "AS t(source_row, k, v, reasons)").coalesce(1);
    List<Row> out = RecordClassifier.classify(rules, List.of("site", "k"), List.of("v"), true)
        .orderBy("source_row").collectAsList();
    assertEquals(List.of("record_type", "site", "delivery", "source_file", "source_row", "k", "v", "reasons",
        "raw_line", "rule_reasons", "status"), List.of(out.get(0).schema().fieldNames()));
    assertEquals(List.of("DUPLICATE_IDENTICAL"), out.get(1).getList(out.get(1).fieldIndex("reasons")));
    assertEquals(List.of(), out.get(1).getList(out.get(1).fieldIndex("rule_reasons")));
  }
}
