package org.rupture.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.rupture.pipeline.testing.SparkTestBase;

/** Statuses and reasons of the classifier's one window, on tiny inline records of one site. */
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
}
