package org.rupture.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rupture.pipeline.testing.SparkTestBase;

/**
 * The rules' Java functions must say what the SQL they replace says: value by value, with Spark's
 * generated code and interpreted, against {@code nanvl(try_cast(...))} and the per-item alliance rules,
 * except where the rules deliberately differ ({@link #JAVA_SYNTAX}).
 */
class FieldFunctionsTest extends SparkTestBase {
  /**
   * Read as numbers by {@code try_cast} (Java's {@code Double.parseDouble}: type suffixes, hex floats), but not
   * by the rules: in a clinical export "4f" or "0x1p2" is a typo or garbage, and reading it as 4 would hide
   * it; it is NOT_NUMERIC, as "abc" is. Every other value is read as {@code try_cast} reads it.
   */
  private static final List<String> JAVA_SYNTAX = List.of("0x1p3", "1d", "2f", "4f", "2d", "1D", "0x1p2", "0X1P-1",
      "-2.5F", " 4f ", "1e3d", "1.5e2f", "4,5f", "0x1.8p1", "+0x10p0", "5.d", "\t3D\n", "2D", "0x1p0");
  private static final List<String> NUMBERS = Stream.concat(Stream.of("4", "4.5", "4,5", " 3 ",
      "\t2\n", "-1", "+2", "1e3", "1E-2", ".5", "5.", "3L", "NaN", "nan", "inf", "-Infinity", "+inf", "Infinity",
      "infinity ", "+Infinity", "-inf", "INF", "+NaN", "abc", "", " ", "1,234.5", "1.234,5", "1,2,3", "--1", "1 2", "٣",
      "4\u00a0", "9".repeat(400), "1e400", "-0", "0.1", "3.0000000000000004", "007", "5.", ".", "-", "+", "-.5", "+,5",
      ",", "1.5.", "4,", "0,1", "123456789012345", "1234567890123456", "12345678901234567", "0.000000000000001",
      "0.1234567890123456", "9007199254740993", "99999999999999.9", "2.675", "1.005", "0.3", "-2,75", "١", "4 ", " 4",
      "2.5E-1", "1e+3", "1E+03", " 1e3 ", "1.e3", ".5e1", "-,5e-1", "1e", "1e+", "e3", ".e3", "1e3.5", "1e3e3",
      "1e 3", "0x10", "x", "1f5", "1_000", "Infinityf", "NaNd", "1e-400", "\u000b4"), JAVA_SYNTAX.stream()).toList();

  @BeforeAll
  static void registerFunctions() {
    FieldFunctions.register(spark());
  }

  private static String values(List<String> list) {
    return list.stream().map(v -> "('" + v.replace("\\", "\\\\").replace("'", "\\'").replace("\t", "\\t")
        .replace("\n", "\\n") + "')").collect(Collectors.joining(", "));
  }

  /** The expression over every value (and null), with codegen on and off: the doubles as exact bit strings. */
  private static List<String> numbers(String expr, boolean decimalComma) {
    List<String> out = new ArrayList<>();
    for (String mode : List.of("CODEGEN_ONLY", "NO_CODEGEN")) {
      withSQLConf(Map.of("spark.sql.codegen.factoryMode", mode, "spark.sql.codegen.wholeStage",
          String.valueOf(mode.equals("CODEGEN_ONLY"))), () -> {
        List<Row> rows = sql("SELECT %s FROM (SELECT raw, %s AS p_decimal_comma FROM VALUES %s, (NULL) AS t(raw))",
            expr, decimalComma, values(NUMBERS));
        rows.forEach(r -> out.add(r.isNullAt(0) ? "null" : Long.toHexString(Double.doubleToRawLongBits(r.getDouble(0)))));
      });
    }
    return out;
  }

  @Test
  void numbersAreReadAsTheCastReadsThem() {
    java.util.Set<String> readByCast = new java.util.HashSet<>();
    for (boolean comma : new boolean[] {false, true}) {
      List<String> reference = numbers("nanvl(try_cast(CASE WHEN p_decimal_comma THEN replace(raw, ',', '.') "
          + "ELSE raw END AS DOUBLE), CAST(NULL AS DOUBLE))", comma);
      List<String> function = numbers(Rules.number("raw"), comma);
      for (int i = 0; i < reference.size(); i++) {
        String value = i % (NUMBERS.size() + 1) < NUMBERS.size() ? NUMBERS.get(i % (NUMBERS.size() + 1)) : null;
        if (value != null && JAVA_SYNTAX.contains(value)) {
          assertEquals("null", function.get(i), "'" + value + "' is no number, decimal comma " + comma);
          if (!reference.get(i).equals("null")) {
            readByCast.add(value);
          }
        } else {
          assertEquals(reference.get(i), function.get(i), "'" + value + "', decimal comma " + comma);
        }
      }
      assertTrue(function.stream().filter(v -> !v.equals("null")).count() >= 15, "numbers read");
    }
    // each exception is one: try_cast reads it (under one decimal mark at least)
    assertEquals(new java.util.HashSet<>(JAVA_SYNTAX), readByCast);
  }

  @Test
  void expectedNumbers() {
    List<Row> r = sql("SELECT rupture_number('4,5', true), rupture_number('4,5', false), rupture_number(' 3 ', false), "
        + "rupture_number('NaN', false), rupture_number('-inf', false), rupture_number(NULL, true)");
    assertEquals(4.5, r.get(0).getDouble(0));
    assertTrue(r.get(0).isNullAt(1));
    assertEquals(3.0, r.get(0).getDouble(2));
    assertTrue(r.get(0).isNullAt(3));
    assertEquals(Double.NEGATIVE_INFINITY, r.get(0).getDouble(4));
    assertTrue(r.get(0).isNullAt(5));
    // what exports write is read; Java's suffixes and hex floats are not numbers
    Row e = sql("SELECT rupture_number('1e3', false), rupture_number(' 2.5E-1 ', false), rupture_number('-2,5e1', true), "
        + "rupture_number('Infinity', false), rupture_number('4f', false), rupture_number('2d', false), "
        + "rupture_number('1D', true), rupture_number('0x1p2', false), rupture_number('abc', false)").get(0);
    assertEquals(1000.0, e.getDouble(0));
    assertEquals(0.25, e.getDouble(1));
    assertEquals(-25.0, e.getDouble(2));
    assertEquals(Double.POSITIVE_INFINITY, e.getDouble(3));   // then OUT_OF_RANGE on any scale, as before
    for (int i = 4; i < e.size(); i++) {
      assertTrue(e.isNullAt(i), "column " + i + ": " + e.get(i));
    }
  }

  private static final List<String> CODES = List.of("P", " p ", "p ", "\tp", "T", "t", "x", "", " ", "YES", "Ja",
      "1", "MÄNNLICH", "Männlich ", "Ä", "ä", "I", "İ", "ı", "pp", "Ja\u00a0");

  @Test
  void codesAreMatchedAsLowerOfTrimMatchesThem() {
    String lists = "array('p', 't'), array('yes', 'ja', '1'), array('männlich', 'ä', '', 'i'), array('ı', 'i̇'), "
        + "array(NULL, 'x')";
    for (String mode : List.of("CODEGEN_ONLY", "NO_CODEGEN")) {
      withSQLConf(Map.of("spark.sql.codegen.factoryMode", mode, "spark.sql.codegen.wholeStage",
          String.valueOf(mode.equals("CODEGEN_ONLY"))), () -> {
        // the code lists and the map as columns of rows (Spark's own row format), and as literals
        List<Row> rows = sql("SELECT raw, CAST(codes AS STRING), CAST(array_position(codes, lower(trim(raw))) - 1 AS INT), "
            + "rupture_code(raw, codes), try_element_at(m, lower(trim(raw))), %s, "
            + "CAST(array_position(array('p', 'ä'), lower(trim(raw))) - 1 AS INT), rupture_code(raw, array('p', 'ä')) "
            + "FROM VALUES %s, (NULL) AS r(raw) CROSS JOIN (SELECT explode(array(%s)) AS codes) "
            + "CROSS JOIN (SELECT map('p', 'patient', 't', 'therapist', 'ä', 'other') AS m)",
            Rules.codeValue("raw", "m"), values(CODES), lists);
        assertEquals((CODES.size() + 1) * 5, rows.size());
        int matched = 0;
        for (Row r : rows) {
          String what = "'" + r.get(0) + "' in " + r.get(1) + ", " + mode;
          assertEquals(r.get(2), r.get(3), what);
          assertEquals(r.get(4), r.get(5), what);
          assertEquals(r.get(6), r.get(7), what);
          matched += r.get(3) != null && r.getInt(3) >= 0 ? 1 : 0;
        }
        assertTrue(matched >= 15, "codes matched: " + matched);   // 18: not only misses compared
      });
    }
  }

  /** Item lists of one to five items on a 1-5 scale (items 2 and 4 reverse-keyed), valid and not. */
  private static final List<String> ITEM_LISTS = List.of(
      "array('1', '2', '3', '4', '5')", "array('5', '5', '5', '5', '5')", "array('1', NULL, '3', NULL, '5')",
      "array('1', 'x', '3', '9', '0')", "array('2,5', '4.5', ' 3', 'NaN', 'inf')", "array(NULL, NULL, NULL, NULL, NULL)",
      "array('3')", "array('1', '2')", "array()", "CAST(NULL AS ARRAY<STRING>)", "array('-1', '6', '1e0', '5.0', '0x1p2')",
      "array('4f', '2D', '3', '0x1p0', ' 5 ')");

  @Test
  void allianceAgreesWithThePerItemRules() {
    for (boolean comma : new boolean[] {false, true}) {
      for (String items : ITEM_LISTS) {
        List<String> counts = new ArrayList<>();
        List<String> sums = new ArrayList<>();
        List<String> issues = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          String v = reference(i, comma);
          String ok = "coalesce(" + v + " BETWEEN 1 AND 5, false)";
          counts.add("CASE WHEN " + ok + " THEN 1 ELSE 0 END");
          sums.add("CASE WHEN " + ok + " THEN (CASE WHEN get(reverse, " + i + ") THEN 1 + 5 - " + v + " ELSE " + v
              + " END) ELSE 0 END");
          issues.add("CASE WHEN get(items, " + i + ") IS NOT NULL AND NOT " + ok + " THEN named_struct('field', 'alliance', "
              + "'source_column', get(columns, " + i + "), 'raw_value', get(items, " + i + "), 'reason', CASE WHEN " + v
              + " IS NULL THEN 'NOT_NUMERIC' ELSE 'OUT_OF_RANGE' END) END");
        }
        String from = " FROM (SELECT " + items + " AS items, array(false, true, false, true, false) AS reverse, "
            + "array('a1', 'a2', 'a3', 'a4', 'a5') AS columns, " + comma + " AS p_decimal_comma)";
        Row expected = sql("SELECT CASE WHEN items IS NULL THEN NULL ELSE named_struct('n', %s, 's', %s, 'i', "
            + "CAST(nullif(array_compact(array(%s)), array()) AS STRING)) END%s", String.join(" + ", counts),
            String.join(" + ", sums), String.join(", ", issues), from).get(0);
        Row actual = sql("SELECT CASE WHEN a IS NULL THEN NULL ELSE named_struct('n', a.n_valid, 's', a.sum, 'i', "
            + "CAST(a.issues AS STRING)) END FROM (SELECT rupture_alliance(rupture_pack_items(items), p_decimal_comma, 1.0, 5.0, reverse, "
            + "columns) AS a%s)", from).get(0);
        assertEquals(String.valueOf(expected.get(0)), String.valueOf(actual.get(0)), items + ", decimal comma " + comma);
      }
    }
  }

  @Test
  void allianceExample() {
    Row a = sql("SELECT rupture_alliance(rupture_pack_items(array('1', 'x', '2', '7', NULL)), false, 1.0, 5.0, array(false, true, true), "
        + "array('w1', 'w2', 'w3', 'w4', 'w5')) AS a").get(0).getStruct(0);
    assertEquals(2, a.getInt(0));
    assertEquals(1.0 + (1 + 5 - 2), a.getDouble(1));
    List<Row> issues = a.getList(2);
    assertEquals(2, issues.size());
    assertEquals(List.of("alliance", "w2", "x", "NOT_NUMERIC"), fields(issues.get(0)));
    assertEquals(List.of("alliance", "w4", "7", "OUT_OF_RANGE"), fields(issues.get(1)));
    Row none = sql("SELECT rupture_alliance(rupture_pack_items(array('1')), false, 1.0, 5.0, array(false), array('w1')) AS a").get(0).getStruct(0);
    assertNull(none.get(2));
  }

  @Test
  void compactKeepsTheNonNullElementsInOrder() {
    for (String mode : List.of("CODEGEN_ONLY", "NO_CODEGEN")) {
      withSQLConf(Map.of("spark.sql.codegen.factoryMode", mode), () -> {
        Row r = sql("SELECT rupture_compact(array(NULL, 'b', NULL, 'a')), rupture_compact(array('x', 'y')), "
            + "rupture_compact(array(CAST(NULL AS STRING))), rupture_compact(array(named_struct('f', 1), NULL)), "
            + "array_compact(array(NULL, 'b', NULL, 'a')) = rupture_compact(array(NULL, 'b', NULL, 'a'))").get(0);
        assertEquals(List.of("b", "a"), r.getList(0), mode);
        assertEquals(List.of("x", "y"), r.getList(1), mode);
        assertEquals(List.of(), r.getList(2), mode);
        assertEquals(1, r.getList(3).size(), mode);
        assertTrue(r.getBoolean(4), mode);
      });
    }
  }

  private static List<Object> fields(Row r) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < r.size(); i++) {
      out.add(r.get(i));
    }
    return out;
  }

  /**
   * The number of item {@code i} as the rules wrote it before: the SQL {@link Rules#number} stands for, but
   * null for the values of {@link #JAVA_SYNTAX}, which try_cast reads and the rules do not.
   */
  private static String reference(int i, boolean comma) {
    String raw = "get(items, " + i + ")";
    String javaSyntax = JAVA_SYNTAX.stream().map(Rules::lit).collect(Collectors.joining(", "));
    return "CASE WHEN " + raw + " IN (" + javaSyntax + ") THEN CAST(NULL AS DOUBLE) ELSE nanvl(try_cast(CASE WHEN "
        + comma + " THEN replace(" + raw + ", ',', '.') ELSE " + raw + " END AS DOUBLE), CAST(NULL AS DOUBLE)) END";
  }
}
