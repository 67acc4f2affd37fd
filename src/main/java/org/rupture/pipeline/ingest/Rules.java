package org.rupture.pipeline.ingest;

import java.util.List;

/**
 * SQL building blocks shared by the session and patient rules. Every rule parses a raw string with
 * {@code try_cast}-style functions (ANSI mode is on in Spark 4, so a plain cast would fail the job on
 * the first bad value) and yields both the typed value and, when it nulls a value, a reason code.
 */
final class Rules {
  private Rules() {}

  /**
   * A raw numeric string as double, honouring the mapping's decimal comma; NaN counts as not numeric.
   * The same as {@code nanvl(try_cast(CASE WHEN p_decimal_comma THEN replace(raw, ',', '.') ELSE raw END
   * AS DOUBLE), NULL)}, as one call ({@link FieldFunctions#number}) instead of that expression's code.
   */
  static String number(String raw) {
    return "rupture_number(" + raw + ", p_decimal_comma)";
  }

  /**
   * A raw whole number (a session number, sessions attended) as INT ({@link FieldFunctions#session}): as
   * {@code try_cast(raw AS INT)}, and an integral decimal ({@code 12.0}, {@code 3,0} under a decimal comma), what
   * pandas writes for an integer column holding a missing value, as its integer; null for any other value. One
   * call: 24 bytes more of the session rules' generated method than the cast it replaces, and no exception per
   * value that is no integer.
   */
  static String wholeNumber(String raw) {
    return "rupture_session(" + raw + ", p_decimal_comma)";
  }

  /**
   * A source scale and the canonical scale it is rescaled to, as four SQL expressions. The fixed fields'
   * bounds are plain columns of {@link MappingParameters} ({@link #columns}): an array index is compiled
   * into a bounds check with its own error path (ANSI) at every use, and the rules' generated method,
   * already too large for the JIT's optimising compiler, grew by a fifth with them. Extra variables,
   * which vary by mapping, keep an array from a map ({@link #array}).
   */
  record Range(String low, String high, String targetLow, String targetHigh) {
    /** The bounds in columns {@code <prefix>_lo, _hi, _to_lo, _to_hi}. */
    static Range columns(String prefix) {
      return new Range(prefix + "_lo", prefix + "_hi", prefix + "_to_lo", prefix + "_to_hi");
    }

    /** The bounds as elements 0-3 of an array [source min, source max, canonical min, canonical max]. */
    static Range array(String array) {
      return new Range(array + "[0]", array + "[1]", array + "[2]", array + "[3]");
    }
  }

  /**
   * Reason a numeric raw value is nulled: NOT_NUMERIC, OUT_OF_RANGE (outside the source scale), or null.
   * {@code number} is the column holding {@link #number} of {@code raw}.
   */
  static String numericIssue(String raw, String number, Range r) {
    return "CASE WHEN " + raw + " IS NULL THEN NULL WHEN " + number + " IS NULL THEN 'NOT_NUMERIC' WHEN "
        + number + " < " + r.low() + " OR " + number + " > " + r.high() + " THEN 'OUT_OF_RANGE' END";
  }

  /** The parsed number (a column holding {@link #number}) rescaled linearly from the source to the canonical scale. */
  static String rescaled(String number, Range r) {
    return "CASE WHEN " + number + " BETWEEN " + r.low() + " AND " + r.high() + " THEN (" + number + " - "
        + r.low() + ") / (" + r.high() + " - " + r.low() + ") * (" + r.targetHigh() + " - " + r.targetLow()
        + ") + " + r.targetLow() + " END";
  }

  /** One field issue struct, or null when {@code reasonSql} is null. */
  static String issue(String field, String raw, String reasonSql) {
    return issue(field, raw, reasonSql, null);
  }

  /**
   * One field issue struct, or null when {@code reasonSql} is null; the source column is the mapping's
   * column of {@code field} unless {@code sourceColumnSql} is given. (A wide record's issues get its
   * session's own column afterwards, {@link #compact(List, List, String, String, String)}.)
   */
  static String issue(String field, String raw, String reasonSql, String sourceColumnSql) {
    String column = sourceColumnSql != null ? sourceColumnSql : "try_element_at(p_columns, '" + field + "')";
    return "CASE WHEN (" + reasonSql + ") IS NOT NULL THEN named_struct('field', '" + field
        + "', 'source_column', " + column + ", 'raw_value', " + raw + ", 'reason', " + reasonSql + ") END";
  }

  /** The non-null values of {@code elements} as an array; {@code none} when all are null. */
  static String compact(List<String> elements, String none) {
    return compact(elements, elements, none);
  }

  /**
   * The non-null {@code elements} as an array, or {@code none} when every {@code guards} value (element i
   * is null exactly when guard i is) is null: the common row builds no array at all.
   */
  static String compact(List<String> guards, List<String> elements, String none) {
    return compact(guards, elements, null, none);
  }

  /**
   * As {@link #compact(List, List, String)}, followed by the elements of {@code tail} (an array of the
   * same element type, or null for none) when it is not null.
   */
  static String compact(List<String> guards, List<String> elements, String tail, String none) {
    return compact(guards, elements, tail, none, null);
  }

  /**
   * As {@link #compact(List, List, String, String)} for field issues, each issue's source column replaced by
   * its value in the map {@code sourceColumns} where it holds one ({@link FieldFunctions#sourceColumns}); the
   * map is looked up only for a row with issues, and a null map (or {@code sourceColumns} null) changes nothing.
   */
  static String compact(List<String> guards, List<String> elements, String tail, String none, String sourceColumns) {
    String allNull = String.join(" AND ", guards.stream().map(g -> "(" + g + ") IS NULL").toList());
    String compacted = "rupture_compact(array(" + String.join(", ", elements) + "))";
    String withTail = tail == null ? null : "concat(" + compacted + ", " + tail + ")";
    if (sourceColumns != null) {
      compacted = "rupture_source_columns(" + compacted + ", " + sourceColumns + ")";
      withTail = tail == null ? null : "rupture_source_columns(" + withTail + ", " + sourceColumns + ")";
    }
    if (tail == null) {
      return "CASE WHEN " + allNull + " THEN " + none + " ELSE " + compacted + " END";
    }
    return "CASE WHEN " + tail + " IS NOT NULL THEN " + withTail + " WHEN " + allNull
        + " THEN " + none + " ELSE " + compacted + " END";
  }

  /**
   * Element {@code index} (0-based) of an array column, null past its end. {@code get} rather than
   * {@code try_element_at}: the same result for a literal index from 0, in a third of the generated code
   * (no checks for index 0 or counting from the end), which the rules' oversized method needs.
   */
  static String element(String array, int index) {
    return "get(" + array + ", " + index + ")";
  }

  /** Membership of a code (case-insensitive, trimmed) in a code list column. */
  static String isCode(String raw, String codes) {
    return "rupture_code(" + raw + ", " + codes + ") >= 0";
  }

  /**
   * The value {@code map} (lower-cased codes to values) holds for the raw string trimmed and lower-cased,
   * as {@code try_element_at(map, lower(trim(raw)))}, in one call ({@link FieldFunctions#code}) that
   * makes no string per row.
   */
  static String codeValue(String raw, String map) {
    return "get(map_values(" + map + "), rupture_code(" + raw + ", map_keys(" + map + ")))";
  }

  /** SQL string literal. */
  static String lit(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
