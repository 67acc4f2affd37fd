package org.rupture.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
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

  /**
   * Records of two sites in one partition, interleaved, taken as they come (as from a landing scan
   * that holds several sites a task): the same key values at two sites are two keys, file records pass
   * with status file, and each site's records leave together, as the site-partitioned writes need.
   */
  @Test
  void sitesOfOnePartitionAreKeptApartAndLeaveGrouped() {
    Dataset<Row> rules = spark().sql("SELECT record_type, site, delivery, source_file, "
        + "CAST(source_row AS BIGINT) AS source_row, k, v, CAST(reasons AS ARRAY<STRING>) AS reasons, "
        + "CAST(NULL AS STRING) AS raw_line "
        + "FROM VALUES ('data', 's1', 'd1', 'a', 1, 'p1', 1, array()), ('data', 's2', 'd1', 'b', 1, 'p1', 2, array()), "
        + "('file', 's1', 'd1', 'a', NULL, NULL, NULL, array()), ('data', 's2', 'd1', 'b', 2, 'p1', 2, array()), "
        + "('data', 's1', 'd1', 'a', 2, 'p2', 3, array()) "
        + "AS t(record_type, site, delivery, source_file, source_row, k, v, reasons)").coalesce(1);
    List<Row> out = RecordClassifier.classify(rules, List.of("site", "k"), List.of("v"), true).collectAsList();
    List<String> seen = out.stream().map(r -> r.<String>getAs("site") + " " + r.getAs("source_file") + ":"
        + r.getAs("source_row") + " " + r.getAs("status") + " " + r.getList(r.fieldIndex("reasons"))).toList();
    assertEquals(List.of(
        "s1 a:1 accepted []", "s1 a:null file []", "s1 a:2 accepted []",
        "s2 b:1 accepted []", "s2 b:2 superseded [DUPLICATE_IDENTICAL]"), seen);
    // the classifier's own columns (key summary, content hash) do not leave it
    assertEquals(List.of("record_type", "site", "delivery", "source_file", "source_row", "k", "v", "reasons",
        "raw_line", "rule_reasons", "status"), List.of(out.get(0).schema().fieldNames()));
  }
}
