package org.rupture.pipeline.ingest;

/**
 * SQL building blocks shared by the session and patient rules. Every rule parses a raw string with
 * {@code try_cast}-style functions (ANSI mode is on in Spark 4, so a plain cast would fail the job on
 * the first bad value) and yields both the typed value and, when it nulls a value, a reason code.
 */
final class Rules {
  private Rules() {}

  /** A raw numeric string as double, honouring the mapping's decimal comma; NaN counts as not numeric. */
  static String number(String raw) {
    return "nanvl(try_cast(CASE WHEN p_decimal_comma THEN replace(" + raw + ", ',', '.') ELSE " + raw
        + " END AS DOUBLE), CAST(NULL AS DOUBLE))";
  }

  /** Reason a numeric raw value is nulled: NOT_NUMERIC, OUT_OF_RANGE (outside [r[0], r[1]]), or null. */
  static String numericIssue(String raw, String range) {
    String v = number(raw);
    return "CASE WHEN " + raw + " IS NULL THEN NULL WHEN " + v + " IS NULL THEN 'NOT_NUMERIC' WHEN "
        + v + " < " + range + "[0] OR " + v + " > " + range + "[1] THEN 'OUT_OF_RANGE' END";
  }

  /** The value rescaled linearly from the source range [r0, r1] to the canonical range [r2, r3]. */
  static String rescaled(String raw, String range) {
    String v = number(raw);
    return "CASE WHEN " + v + " BETWEEN " + range + "[0] AND " + range + "[1] THEN (" + v + " - " + range
        + "[0]) / (" + range + "[1] - " + range + "[0]) * (" + range + "[3] - " + range + "[2]) + " + range
        + "[2] END";
  }

  /** One field issue struct, or null when {@code reasonSql} is null. */
  static String issue(String field, String raw, String reasonSql) {
    return "CASE WHEN (" + reasonSql + ") IS NOT NULL THEN named_struct('field', '" + field
        + "', 'source_column', try_element_at(p_columns, '" + field + "'), 'raw_value', " + raw
        + ", 'reason', " + reasonSql + ") END";
  }

  /** Membership of a code (case-insensitive, trimmed) in a code list column. */
  static String isCode(String raw, String codes) {
    return "array_contains(" + codes + ", lower(trim(" + raw + ")))";
  }

  /** SQL string literal. */
  static String lit(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
