package org.rupture.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rupture.pipeline.testing.SparkTestBase;

/**
 * The rules' date parsing: the fixed-width fast path must say what Spark's formatter says. Session numbers:
 * what {@code try_cast(... AS INT)} reads, and integral decimals.
 */
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

  /** Session values read as {@code try_cast(... AS INT)} reads them (null or not). */
  private static final List<String> SESSIONS = List.of("1", "06", "+9", " 3 ", "\t4\n", "0", "-2", "x", "", " ",
      "2147483647", "2147483648", "-2147483648", "-2147483649", "123456789", "1234567890", "0000000001", "1.5", "1.",
      ".0", "-.0", "+.0", "1e0", "1E1", "1d", "2f", "0x1", "٣", "3\u00a0", "\u00013", "\u007f3", "3\u0085", "3\u000b",
      "--1", "+-1", "1 2", "+", "-", ".", ",", "1.0.0", "1,0.0", "1 .0", "1. 0", "1.0x", "1.01", "1.00001", "1.0e0",
      "2147483648.0", "2,5", "1,", ",0", "1.0,0", "Infinity", "NaN", "3 ,0");

  /** Integral decimals: the session they are, under a decimal point and a decimal comma (null: not one). */
  private static final Map<String, Integer[]> INTEGRAL = new LinkedHashMap<>();

  static {
    for (String v : List.of("1.0", "3.00", " 2.0 ", "\t5.0\n", "+4.0", "06.0", "12.000", "2147483647.0")) {
      INTEGRAL.put(v, new Integer[] {Integer.valueOf(v.trim().replaceAll("[.].*", "")), null});
      INTEGRAL.get(v)[1] = INTEGRAL.get(v)[0];   // a point is a decimal mark under a decimal comma too
    }
    INTEGRAL.put("-1.0", new Integer[] {-1, -1});   // a number, and then below 1 (BAD_SESSION_NUMBER)
    INTEGRAL.put("0.0", new Integer[] {0, 0});
    INTEGRAL.put("3,0", new Integer[] {null, 3});
    INTEGRAL.put(" 7,00 ", new Integer[] {null, 7});
    INTEGRAL.put("-0,0", new Integer[] {null, 0});
  }

  @BeforeAll
  static void registerFunctions() {
    FieldFunctions.register(spark());
  }

  @Test
  void sessionNumbersAreTheCastsAndIntegralDecimals() {
    List<String> all = new ArrayList<>(SESSIONS);
    all.addAll(INTEGRAL.keySet());
    String values = all.stream().map(v -> "('" + v.replace("\t", "\\t").replace("\n", "\\n") + "')")
        .collect(Collectors.joining(", "));
    for (boolean comma : new boolean[] {false, true}) {
      for (String mode : List.of("CODEGEN_ONLY", "NO_CODEGEN")) {
        withSQLConf(Map.of("spark.sql.codegen.factoryMode", mode, "spark.sql.codegen.wholeStage",
            String.valueOf(mode.equals("CODEGEN_ONLY"))), () -> {
          List<Row> rows = sql("SELECT try_cast(session_raw AS INT), %s FROM (SELECT session_raw, %s AS p_decimal_comma "
              + "FROM VALUES %s, (NULL) AS t(session_raw))", SessionRules.sessionNumber("session_raw"), comma, values);
          for (int i = 0; i < rows.size(); i++) {
            String value = i < all.size() ? all.get(i) : null;
            Object expected = value != null && INTEGRAL.containsKey(value) ? INTEGRAL.get(value)[comma ? 1 : 0] : rows.get(i).get(0);
            assertEquals(expected, rows.get(i).get(1), "'" + value + "', decimal comma " + comma + ", " + mode);
          }
          assertTrue(rows.stream().filter(r -> !r.isNullAt(0)).count() >= 10, "the cast reads sessions");
        });
      }
    }
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
