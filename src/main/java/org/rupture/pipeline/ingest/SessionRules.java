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

  /** @param staged data records joined with {@link MappingParameters#sessions} */
  static Dataset<Row> apply(Dataset<Row> staged, List<String> extraNames, int maxDateFormats, int maxAllianceItems) {
    // Step 1: type every field; keep the raw strings for the issue records.
    List<String> typed = new ArrayList<>(List.of("*",
        "try_cast(session_raw AS INT) AS session_number_t",
        "try_element_at(p_rater_map, lower(trim(rater_raw))) AS rater_t",
        "CASE WHEN " + isCode("present_raw", "p_yes") + " THEN true WHEN " + isCode("present_raw", "p_no")
            + " THEN false END AS present_t",
        dateExpr(maxDateFormats) + " AS date_t"));
    for (int i = 0; i < SCALED.length; i++) {
      String range = "p_range_" + SCALED[i];
      typed.add(numericIssue(RAW[i], range) + " AS " + SCALED[i] + "_issue");
      typed.add(rescaled(RAW[i], range) + " AS " + SCALED[i] + "_t");
    }
    for (String e : extraNames) {
      String raw = "try_element_at(extras, " + lit(e) + ")";
      String range = "try_element_at(p_ranges, " + lit(e) + ")";
      typed.add(raw + " AS `x_raw_" + e + "`");
      typed.add(numericIssue(raw, range) + " AS `x_issue_" + e + "`");
      typed.add(rescaled(raw, range) + " AS `x_t_" + e + "`");
    }
    // Alliance items, unrolled up to the longest item list of any mapping: plain expressions are
    // compiled by whole-stage codegen, higher-order functions over the item array would be interpreted.
    String allianceRange = "p_range_alliance";
    List<String> counts = new ArrayList<>();
    List<String> sums = new ArrayList<>();
    List<String> itemIssues = new ArrayList<>();
    for (int i = 0; i < maxAllianceItems; i++) {
      String raw = "try_element_at(alliance_items, " + (i + 1) + ")";
      String v = "a_v" + i;
      typed.add(raw + " AS a_raw" + i);
      typed.add(Rules.number(raw) + " AS " + v);
      String ok = "coalesce(" + v + " BETWEEN " + allianceRange + "[0] AND " + allianceRange + "[1], false)";
      counts.add("CASE WHEN " + ok + " THEN 1 ELSE 0 END");
      sums.add("CASE WHEN " + ok + " THEN (CASE WHEN try_element_at(p_reverse, " + (i + 1) + ") THEN "
          + allianceRange + "[0] + " + allianceRange + "[1] - " + v + " ELSE " + v + " END) ELSE 0 END");
      itemIssues.add("CASE WHEN a_raw" + i + " IS NOT NULL AND NOT " + ok + " THEN named_struct('field', 'alliance', "
          + "'source_column', try_element_at(p_alliance_columns, " + (i + 1) + "), 'raw_value', a_raw" + i
          + ", 'reason', CASE WHEN " + v + " IS NULL THEN 'NOT_NUMERIC' ELSE 'OUT_OF_RANGE' END) END");
    }
    Dataset<Row> t = staged.selectExpr(typed.toArray(String[]::new));
    String nValid = counts.isEmpty() ? "0" : "(" + String.join(" + ", counts) + ")";
    String keyed = sums.isEmpty() ? "0" : "(" + String.join(" + ", sums) + ")";
    String allianceMean = "CASE WHEN alliance_items IS NOT NULL AND " + nValid + " >= p_min_items THEN ("
        + keyed + " / " + nValid + " - " + allianceRange + "[0]) / (" + allianceRange + "[1] - " + allianceRange
        + "[0]) * (" + allianceRange + "[3] - " + allianceRange + "[2]) + " + allianceRange + "[2] END";

    // Step 2: canonical values, quarantine reasons, field issues.
    List<String> out = new ArrayList<>(List.of(
        "record_type", "site", "delivery", "source_file", "source_row", "mapping_id", "raw_line",
        "patient_key", "therapist_key",
        "session_number_t AS session_number",
        "CAST(date_t AS DATE) AS session_date",
        "rater_t AS rater",
        "present_t AS rupture_present",
        "CASE WHEN present_t = false THEN NULL ELSE rupture_intensity_t END AS rupture_intensity",
        "CASE WHEN present_t = false THEN NULL ELSE rupture_resolution_t END AS rupture_resolution",
        allianceMean + " AS alliance",
        "session_quality_t AS session_quality"));
    for (String e : extraNames) {
      out.add("`x_t_" + e + "` AS `" + e + "`");
    }
    out.add("CASE WHEN record_type <> 'data' THEN array() WHEN parse_error IS NOT NULL THEN array(parse_error) ELSE array_compact(array("
        + "CASE WHEN patient_key IS NULL THEN 'MISSING_PATIENT' END, "
        + "CASE WHEN session_number_t IS NULL OR session_number_t < 1 THEN 'BAD_SESSION_NUMBER' END, "
        + "CASE WHEN rater_t IS NULL THEN 'UNKNOWN_RATER' END)) END AS reasons");
    List<String> issues = new ArrayList<>();
    issues.add(issue("rupture_present", "present_raw",
        "CASE WHEN present_raw IS NOT NULL AND present_t IS NULL THEN 'UNKNOWN_CODE' END"));
    issues.add(issue("session_date", "date_raw",
        "CASE WHEN date_raw IS NOT NULL AND date_t IS NULL THEN 'BAD_DATE' END"));
    for (int i = 0; i < SCALED.length; i++) {
      String reason = SCALED[i] + "_issue";
      if (i < 2) {
        reason = "coalesce(" + reason + ", CASE WHEN present_t = false AND " + RAW[i] + " IS NOT NULL THEN 'NO_RUPTURE' END)";
      }
      issues.add(issue(SCALED[i], RAW[i], reason));
    }
    for (String e : extraNames) {
      issues.add(issue(e, "`x_raw_" + e + "`", "`x_issue_" + e + "`"));
    }
    issues.add(issue("alliance", "cast(" + nValid + " AS STRING) || ' valid items'",
        "CASE WHEN alliance_items IS NOT NULL AND " + nValid + " < p_min_items THEN 'TOO_FEW_ITEMS' END"));
    issues.addAll(itemIssues);
    out.add("CASE WHEN record_type <> 'data' OR parse_error IS NOT NULL THEN NULL ELSE array_compact(array("
        + String.join(", ", issues) + ")) END AS issues");
    out.add("file_checksum");
    out.add("file_rows");
    out.add("file_lines");
    return t.selectExpr(out.toArray(String[]::new));
  }

  /** First date format (of the mapping's list) that parses the raw value. */
  private static String dateExpr(int maxFormats) {
    List<String> tries = new ArrayList<>();
    for (int i = 1; i <= Math.max(1, maxFormats); i++) {
      tries.add("try_to_timestamp(date_raw, try_element_at(p_date_formats, " + i + "))");
    }
    return "coalesce(" + String.join(", ", tries) + ")";
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
