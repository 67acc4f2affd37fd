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
