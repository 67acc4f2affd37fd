package org.rupture.pipeline.ingest;

import static org.rupture.pipeline.ingest.Rules.isCode;
import static org.rupture.pipeline.ingest.Rules.issue;
import static org.rupture.pipeline.ingest.Rules.lit;
import static org.rupture.pipeline.ingest.Rules.numericIssue;
import static org.rupture.pipeline.ingest.Rules.rescaled;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Field rules for session ratings (SPEC section 4, docs/site-mapping.md): types, code maps, scale
 * rescaling and the alliance item mean as Spark expressions over staged strings. Output: the
 * canonical columns, {@code reasons} (why the row must be quarantined; empty when usable) and
 * {@code issues} (fields nulled in an accepted row, with raw value and reason code).
 */
final class SessionRules {
  private SessionRules() {}

  static final String[] SCALED = {"rupture_intensity", "rupture_resolution", "session_quality"};
  static final String[] RAW = {"intensity_raw", "resolution_raw", "quality_raw"};
  /** The rules' output column holding the raw session value of a record whose session is not a number. */
  static final String UNPARSED_SESSION = "unparsed_session";

  /**
   * @param staged data records joined with {@link MappingParameters#sessions}
   * @param dateFormats every date format of any mapping (each becomes a literal, so that its formatter is
   *     built once per task instead of once per row, as it is for a format read from a column)
   */
  static Dataset<Row> apply(Dataset<Row> staged, List<String> extraNames, List<String> dateFormats,
      int maxDateFormats) {
    FieldFunctions.register(staged.sparkSession());
    // Step 0: look up the raw strings held in collections, once.
    List<String> raws = new ArrayList<>(List.of("*"));
    for (String e : extraNames) {
      raws.add("try_element_at(extras, " + lit(e) + ") AS `x_raw_" + e + "`");
    }
    // Step 1: every raw number parsed once; keys, codes and dates typed.
    List<String> numbers = new ArrayList<>(List.of("*",
        sessionNumber("session_raw") + " AS session_number_t",
        Rules.codeValue("rater_raw", "p_rater_map") + " AS rater_t",
        "CASE WHEN " + isCode("present_raw", "p_yes") + " THEN true WHEN " + isCode("present_raw", "p_no")
            + " THEN false END AS present_t",
        dateExpr(dateFormats, maxDateFormats) + " AS date_t"));
    for (int i = 0; i < SCALED.length; i++) {
      numbers.add(Rules.number(RAW[i]) + " AS " + SCALED[i] + "_n");
    }
    for (String e : extraNames) {
      numbers.add(Rules.number("`x_raw_" + e + "`") + " AS `x_n_" + e + "`");
    }
    // the alliance items' count of valid ones, their (reverse-keyed) sum and their field issues, in one
    // call (FieldFunctions): per item position, as expressions, they were most of the generated code
    Rules.Range alliance = Rules.Range.columns("p_range_alliance");
    numbers.add("rupture_alliance(alliance_items, p_decimal_comma, " + alliance.low() + ", " + alliance.high()
        + ", p_reverse, p_alliance_columns) AS a");
    // Step 2: rescaled values and the reason of every nulled field.
    List<String> typed = new ArrayList<>(List.of("*"));
    for (int i = 0; i < SCALED.length; i++) {
      Rules.Range range = Rules.Range.columns("p_range_" + SCALED[i]);
      typed.add(numericIssue(RAW[i], SCALED[i] + "_n", range) + " AS " + SCALED[i] + "_issue");
      typed.add(rescaled(SCALED[i] + "_n", range) + " AS " + SCALED[i] + "_t");
    }
    for (String e : extraNames) {
      Rules.Range range = Rules.Range.array("try_element_at(p_ranges, " + lit(e) + ")");
      typed.add(numericIssue("`x_raw_" + e + "`", "`x_n_" + e + "`", range) + " AS `x_issue_" + e + "`");
      typed.add(rescaled("`x_n_" + e + "`", range) + " AS `x_t_" + e + "`");
    }
    Dataset<Row> t = staged.selectExpr(raws.toArray(String[]::new))
        .selectExpr(numbers.toArray(String[]::new))
        .selectExpr(typed.toArray(String[]::new));
    String allianceMean = "CASE WHEN alliance_items IS NOT NULL AND a.n_valid >= p_min_items THEN (a.sum / a.n_valid - "
        + alliance.low() + ") / (" + alliance.high() + " - " + alliance.low() + ") * (" + alliance.targetHigh()
        + " - " + alliance.targetLow() + ") + " + alliance.targetLow() + " END";

    // Step 3: canonical values, quarantine reasons, field issues.
    List<String> out = new ArrayList<>(List.of(
        "record_type", "site", "delivery", "source_file", "source_row", "mapping_id", "raw_line",
        "patient_key", "therapist_key",
        "session_number_t AS session_number",
        // the session as read where it is no number, for the quarantine (IngestStage); null on a usable row
        "CASE WHEN session_number_t IS NULL THEN session_raw END AS " + UNPARSED_SESSION,
        "date_t AS session_date",
        "rater_t AS rater",
        "present_t AS rupture_present",
        "CASE WHEN present_t = false THEN NULL ELSE rupture_intensity_t END AS rupture_intensity",
        "CASE WHEN present_t = false THEN NULL ELSE rupture_resolution_t END AS rupture_resolution",
        allianceMean + " AS alliance",
        "session_quality_t AS session_quality"));
    for (String e : extraNames) {
      out.add("`x_t_" + e + "` AS `" + e + "`");
    }
    out.add("CASE WHEN record_type <> 'data' THEN array() WHEN parse_error IS NOT NULL THEN array(parse_error) ELSE "
        + Rules.compact(List.of(
            "CASE WHEN patient_key IS NULL THEN 'MISSING_PATIENT' END",
            "CASE WHEN session_number_t IS NULL OR session_number_t < 1 THEN 'BAD_SESSION_NUMBER' END",
            "CASE WHEN rater_t IS NULL THEN 'UNKNOWN_RATER' END"), "array()") + " END AS reasons");
    List<String[]> issues = new ArrayList<>();
    issues.add(new String[] {"rupture_present", "present_raw",
        "CASE WHEN present_raw IS NOT NULL AND present_t IS NULL THEN 'UNKNOWN_CODE' END"});
    issues.add(new String[] {"session_date", "date_raw",
        "CASE WHEN date_raw IS NOT NULL AND date_t IS NULL THEN 'BAD_DATE' END"});
    for (int i = 0; i < SCALED.length; i++) {
      String reason = SCALED[i] + "_issue";
      if (i < 2) {
        reason = "coalesce(" + reason + ", CASE WHEN present_t = false AND " + RAW[i] + " IS NOT NULL THEN 'NO_RUPTURE' END)";
      }
      issues.add(new String[] {SCALED[i], RAW[i], reason});
    }
    for (String e : extraNames) {
      issues.add(new String[] {e, "`x_raw_" + e + "`", "`x_issue_" + e + "`"});
    }
    issues.add(new String[] {"alliance", "cast(a.n_valid AS STRING) || ' valid items'",
        "CASE WHEN alliance_items IS NOT NULL AND a.n_valid < p_min_items THEN 'TOO_FEW_ITEMS' END"});
    List<String> reasonColumns = new ArrayList<>();
    List<String> withReasons = new ArrayList<>(List.of("*"));
    for (int i = 0; i < issues.size(); i++) {
      withReasons.add(issues.get(i)[2] + " AS issue_reason_" + i);
      reasonColumns.add("issue_reason_" + i);
    }
    List<String> structs = new ArrayList<>();
    for (int i = 0; i < issues.size(); i++) {
      String[] is = issues.get(i);
      structs.add(Rules.issue(is[0], is[1], "issue_reason_" + i, is.length > 3 ? is[3] : null));
    }
    // a wide record's issues name its session's own header columns (int_s03, not the mapping's int)
    out.add("CASE WHEN record_type <> 'data' OR parse_error IS NOT NULL THEN NULL ELSE "
        + Rules.compact(reasonColumns, structs, "a.issues", "NULL", "wide_columns") + " END AS issues");
    out.add("file_checksum");
    out.add("file_rows");
    out.add("file_lines");
    return t.selectExpr(withReasons.toArray(String[]::new)).selectExpr(out.toArray(String[]::new));
  }

  /**
   * The raw session value as an INT ({@link Rules#wholeNumber}); null for a value that is no whole number,
   * which quarantines the record (BAD_SESSION_NUMBER), as does a number below 1. A wide record's session, from
   * its column's name, is digits.
   */
  static String sessionNumber(String raw) {
    return Rules.wholeNumber(raw);
  }

  /**
   * First date format (of the mapping's list) that parses the raw value. Each position of the list is a
   * CASE over the known formats, so that every format is a literal (see {@link #parseDate}).
   */
  private static String dateExpr(List<String> formats, int maxFormats) {
    if (formats.isEmpty()) {
      return "CAST(NULL AS DATE)";
    }
    List<String> tries = new ArrayList<>();
    for (int i = 1; i <= Math.max(1, maxFormats); i++) {
      StringBuilder c = new StringBuilder("CASE " + Rules.element("p_date_formats", i - 1));
      for (String f : formats) {
        c.append(" WHEN ").append(lit(f)).append(" THEN ").append(parseDate("date_raw", f));
      }
      tries.add(c.append(" END").toString());
    }
    return "coalesce(" + String.join(", ", tries) + ")";
  }

  /** The fixed-width numeric fields a fast-path date format may hold (each at most once). */
  private static final String FIELDS = "yyyy MM dd HH mm ss";
  /** Separators a fixed-width format may use between its fields (each stands for itself). */
  private static final String SEPARATORS = "-./ :,_";

  /**
   * The date of the raw value read with the Spark datetime pattern {@code format} (the day of the
   * timestamp {@code try_to_timestamp} gives, in the session time zone): a Spark SQL expression, null when
   * the value does not match.
   *
   * <p>Why not always {@code try_to_timestamp}: its formatter was a twentieth of the ingest's CPU on
   * 8 M rows (java.time's field resolution per row). A format made of fixed-width numeric fields
   * ({@code yyyy}, {@code MM}, {@code dd}, optionally {@code HH}, {@code mm}, {@code ss}) and separator
   * characters, as exports use, is matched against its exact shape (digits where the fields are, the
   * separators in place) and, rearranged into ISO form where it is not in it, read by {@code try_cast},
   * whose hand-written parser checks the calendar (no 30 February, no hour 24) as the formatter does.
   * SessionRulesTest checks that both give the same result on valid and invalid values. Any other
   * format keeps the formatter.
   */
  static String parseDate(String raw, String format) {
    String regex = fixedWidthShape(format);
    if (regex == null) {
      return "CAST(try_to_timestamp(" + raw + ", " + lit(format) + ") AS DATE)";
    }
    boolean time = format.contains("HH");
    String iso = time ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd";
    String value = raw;
    if (!format.equals(iso)) {
      value = "concat(" + field(raw, format, "yyyy") + ", '-', " + field(raw, format, "MM") + ", '-', "
          + field(raw, format, "dd");
      if (time) {
        value += ", ' ', " + field(raw, format, "HH") + ", ':', " + field(raw, format, "mm") + ", ':', "
            + field(raw, format, "ss");
      }
      value += ")";
    }
    // a date alone needs no time zone; with a time, the day is taken in the session's, as the formatter's
    String cast = time ? "CAST(try_cast(" + value + " AS TIMESTAMP) AS DATE)" : "try_cast(" + value + " AS DATE)";
    return "CASE WHEN " + raw + " RLIKE " + lit(regex) + " THEN " + cast + " END";
  }

  /** The regex of values of a fixed-width format, or null when the format is not one. */
  private static String fixedWidthShape(String format) {
    StringBuilder regex = new StringBuilder("^");
    java.util.Set<String> seen = new java.util.HashSet<>();
    int i = 0;
    while (i < format.length()) {
      char ch = format.charAt(i);
      if (SEPARATORS.indexOf(ch) >= 0) {
        regex.append('[').append(ch).append(']');   // a class of one character: literal, whatever it is
        i++;
        continue;
      }
      int j = i;
      while (j < format.length() && format.charAt(j) == ch) {
        j++;
      }
      String token = format.substring(i, j);
      if (!java.util.Arrays.asList(FIELDS.split(" ")).contains(token) || !seen.add(token)) {
        return null;
      }
      regex.append("[0-9]{").append(token.length()).append('}');
      i = j;
    }
    boolean date = seen.containsAll(List.of("yyyy", "MM", "dd"));
    boolean time = seen.containsAll(List.of("HH", "mm", "ss"));
    if (!date || (seen.size() != 3 && !(seen.size() == 6 && time))) {
      return null;
    }
    return regex.append('$').toString();
  }

  /** The characters of {@code token} (a field of {@code format}) in the raw value. */
  private static String field(String raw, String format, String token) {
    return "substr(" + raw + ", " + (format.indexOf(token) + 1) + ", " + token.length() + ")";
  }

  static List<String> canonicalColumns(List<String> extraNames) {
    List<String> c = new ArrayList<>(List.of("site", "patient_key", "therapist_key", "session_number",
        "session_date", "rater", "rupture_present", "rupture_intensity", "rupture_resolution", "alliance",
        "session_quality"));
    c.addAll(extraNames);
    return c;
  }

  static org.apache.spark.sql.Column[] keyColumns() {
    return new org.apache.spark.sql.Column[] {functions.col("site"), functions.col("patient_key"),
        functions.col("session_number"), functions.col("rater")};
  }
}
