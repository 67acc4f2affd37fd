package org.rupture.pipeline.ingest;

import static org.rupture.pipeline.ingest.Rules.isCode;
import static org.rupture.pipeline.ingest.Rules.issue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Field rules for patient records: treatment, dropout and training-phase code maps, sessions
 * attended, and outcome scores per measure (kept as an array aligned with the mapping's measures,
 * exploded into the {@code outcomes} table only for accepted patients).
 */
final class PatientRules {
  private PatientRules() {}

  static Dataset<Row> apply(Dataset<Row> staged) {
    Dataset<Row> t = staged.selectExpr("*",
        "try_element_at(p_treatment_map, lower(trim(treatment_raw))) AS treatment_t",
        "CASE WHEN " + isCode("dropout_raw", "p_dropout_yes") + " THEN true WHEN " + isCode("dropout_raw", "p_dropout_no")
            + " THEN false END AS dropout_t",
        "try_cast(sessions_attended_raw AS INT) AS sessions_attended_t",
        "CASE WHEN " + isCode("phase_raw", "p_phase_pre") + " THEN 'pre' WHEN " + isCode("phase_raw", "p_phase_post")
            + " THEN 'post' END AS phase_t",
        "transform(p_measures, (m, i) -> named_struct("
            + "'measure', m, 'direction', p_directions[i], 'range', p_outcome_ranges[i], "
            + "'b_raw', try_element_at(baseline_raw, i + 1), 'b', " + Rules.number("try_element_at(baseline_raw, i + 1)") + ", "
            + "'t_raw', try_element_at(termination_raw, i + 1), 't', " + Rules.number("try_element_at(termination_raw, i + 1)") + ")) AS scores");

    String outOfRange = "(v IS NOT NULL AND s.range IS NOT NULL AND (v < s.range[0] OR v > s.range[1]))";
    String scoreIssues = "flatten(transform(scores, s -> array_compact(array("
        + scoreIssue("b", outOfRange.replace("v", "s.b")) + ", "
        + scoreIssue("t", outOfRange.replace("v", "s.t")) + "))))";
    String valid = "(x IS NOT NULL AND NOT (s.range IS NOT NULL AND (x < s.range[0] OR x > s.range[1])))";

    List<String> issues = List.of(
        issue("treatment", "treatment_raw", "CASE WHEN treatment_raw IS NOT NULL AND treatment_t IS NULL THEN 'UNKNOWN_CODE' END"),
        issue("dropout", "dropout_raw", "CASE WHEN dropout_raw IS NOT NULL AND dropout_t IS NULL THEN 'UNKNOWN_CODE' END"),
        issue("sessions_attended", "sessions_attended_raw",
            "CASE WHEN sessions_attended_raw IS NULL THEN NULL WHEN sessions_attended_t IS NULL THEN 'NOT_NUMERIC' "
                + "WHEN sessions_attended_t < 0 THEN 'OUT_OF_RANGE' END"),
        issue("training_phase", "phase_raw", "CASE WHEN phase_raw IS NOT NULL AND phase_t IS NULL THEN 'UNKNOWN_CODE' END"));
    List<String> out = new ArrayList<>(List.of("record_type", "site", "delivery", "source_file", "source_row",
        "mapping_id", "raw_line", "patient_key", "therapist_key",
        "treatment_t AS treatment", "dropout_t AS dropout",
        "CASE WHEN sessions_attended_t >= 0 THEN sessions_attended_t END AS sessions_attended",
        "phase_t AS therapist_training_phase",
        "transform(scores, s -> named_struct('measure', s.measure, 'direction', s.direction, "
            + "'baseline', CASE WHEN " + valid.replace("x", "s.b") + " THEN s.b END, "
            + "'termination', CASE WHEN " + valid.replace("x", "s.t") + " THEN s.t END)) AS scores",
        "CASE WHEN record_type <> 'data' THEN array() WHEN parse_error IS NOT NULL THEN array(parse_error) "
            + "ELSE array_compact(array(CASE WHEN patient_key IS NULL THEN 'MISSING_PATIENT' END)) END AS reasons",
        "CASE WHEN record_type <> 'data' OR parse_error IS NOT NULL THEN NULL ELSE concat(array_compact(array("
            + String.join(", ", issues) + ")), " + scoreIssues + ") END AS issues",
        "file_checksum", "file_rows", "file_lines"));
    return t.selectExpr(out.toArray(String[]::new));
  }

  /** Issue for the baseline ("b") or termination ("t") score of one measure. */
  private static String scoreIssue(String which, String outOfRange) {
    String raw = "s." + which + "_raw";
    String reason = "CASE WHEN " + raw + " IS NULL THEN NULL WHEN s." + which + " IS NULL THEN 'NOT_NUMERIC' WHEN "
        + outOfRange + " THEN 'OUT_OF_RANGE' END";
    String column = "split(try_element_at(p_columns, s.measure), '/')[" + (which.equals("b") ? 0 : 1) + "]";
    return "CASE WHEN (" + reason + ") IS NOT NULL THEN named_struct('field', s.measure || '_" 
        + (which.equals("b") ? "baseline" : "termination") + "', 'source_column', " + column
        + ", 'raw_value', " + raw + ", 'reason', " + reason + ") END";
  }

  static List<String> canonicalColumns() {
    return List.of("site", "patient_key", "therapist_key", "treatment", "dropout", "sessions_attended",
        "therapist_training_phase");
  }
}
