package org.rupture.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.rupture.pipeline.testing.SparkTestBase;

/** The rules' date parsing: the fixed-width fast path must say what Spark's formatter says. */
class SessionRulesTest extends SparkTestBase {
  private static final List<String> VALUES = List.of(
      "2023-01-09", "2024-02-29", "2023-02-29", "2023-02-30", "2023-13-01", "2023-00-10", "2023-01-00",
      "2023-01-32", "9999-12-31", "1900-01-01", "2023-1-09", "2023-01-9", "20230-01-09", "2023/01/09",
      "+023-01-09", "-023-01-09", "2023-01-0a", "2023-01- 9", "2023-01-09x", "",
      "09.01.2023", "29.02.2024", "29.02.2023", "31.04.2023", "1 .01.2023", "9.01.2023", "09.1.2023",
      "09.01.23", "09-01-2023", "00.01.2023",
      "2023-01-09 00:00:00", "2023-01-09 23:59:59", "2023-01-09 24:00:00", "2023-01-09 23:60:00",
      "2023-01-09 23:59:60", "2023-01-09 1:00:00", "2023-01-09T10:00:00", "2023-01-09 10:00", "2023-01-09",
      "01/09/2023", "02/29/2023", "1/09/2023", "2023_01_09", "2023_02_30");

  /** Every value under every format: the date each expression gives (null when none). */
  private static List<String> parsed(String format, boolean formatter) {
    String values = VALUES.stream().map(v -> "('" + v + "')").collect(Collectors.joining(", "));
    String expr = formatter ? "CAST(try_to_timestamp(date_raw, '" + format + "') AS DATE)"
        : SessionRules.parseDate("date_raw", format);
    return sql("SELECT CAST(%s AS STRING) FROM VALUES %s AS t(date_raw)", expr, values).stream()
        .map(r -> r.isNullAt(0) ? null : r.getString(0)).toList();
  }

  @Test
  void fixedWidthFormatsAgreeWithTheFormatter() {
    for (String format : List.of("yyyy-MM-dd", "dd.MM.yyyy", "yyyy-MM-dd HH:mm:ss", "MM/dd/yyyy", "yyyy_MM_dd")) {
      assertTrue(SessionRules.parseDate("date_raw", format).contains("RLIKE"), format + " takes the fast path");
      List<String> fast = parsed(format, false);
      List<String> reference = parsed(format, true);
      for (int i = 0; i < VALUES.size(); i++) {
        assertEquals(reference.get(i), fast.get(i), format + " on '" + VALUES.get(i) + "'");
      }
      assertTrue(fast.stream().anyMatch(v -> v != null), format + " parsed something");
    }
  }

  @Test
  void expectedDatesAndRejections() {
    List<String> iso = parsed("yyyy-MM-dd", false);
    assertEquals("2023-01-09", iso.get(VALUES.indexOf("2023-01-09")));
    assertEquals("2024-02-29", iso.get(VALUES.indexOf("2024-02-29")));
    assertNull(iso.get(VALUES.indexOf("2023-02-29")));
    assertNull(iso.get(VALUES.indexOf("2023-01-9")));
    List<String> german = parsed("dd.MM.yyyy", false);
    assertEquals("2023-01-09", german.get(VALUES.indexOf("09.01.2023")));
    assertNull(german.get(VALUES.indexOf("1 .01.2023")));
    List<String> stamp = parsed("yyyy-MM-dd HH:mm:ss", false);
    assertEquals("2023-01-09", stamp.get(VALUES.indexOf("2023-01-09 23:59:59")));
    assertNull(stamp.get(VALUES.indexOf("2023-01-09 24:00:00")));
  }

  @Test
  void otherFormatsKeepTheFormatter() {
    for (String format : List.of("d.M.yyyy", "yyyy-MM-dd'T'HH:mm:ss", "dd MMM yyyy", "yyyy-MM", "yyyy-MM-dd HH:mm",
        "yyyy-dd-dd")) {
      String expr = SessionRules.parseDate("date_raw", format);
      assertTrue(expr.startsWith("CAST(try_to_timestamp("), format + ": " + expr);
    }
    List<Row> r = sql("SELECT CAST(%s AS STRING)", SessionRules.parseDate("'9.1.2023'", "d.M.yyyy"));
    assertNotNull(r.get(0).get(0));
  }
}
