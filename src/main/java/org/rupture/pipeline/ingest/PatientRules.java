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

  /** The type of {@code scores}: one element per measure of the record's mapping. */
  static final String SCORES_TYPE =
      "ARRAY<STRUCT<measure: STRING, direction: STRING, baseline: DOUBLE, termination: DOUBLE>>";

  /** The columns that decide whether two copies of a patient record are identical. */
  static List<String> contentColumns() {
    return List.of("therapist_key", "treatment", "dropout", "sessions_attended", "therapist_training_phase", "scores");
  }

  /**
   * @param maxMeasures the most outcome measures of any mapping: the measures are unrolled into plain
   *     expressions up to it, which whole-stage codegen compiles;
   *     higher-order functions over the measure array would be interpreted for every patient
   */
  static Dataset<Row> apply(Dataset<Row> staged, int maxMeasures) {
    FieldFunctions.register(staged.sparkSession());
    List<String> typed = new ArrayList<>(List.of("*",
        Rules.codeValue("treatment_raw", "p_treatment_map") + " AS treatment_t",
        "CASE WHEN " + isCode("dropout_raw", "p_dropout_yes") + " THEN true WHEN " + isCode("dropout_raw", "p_dropout_no")
            + " THEN false END AS dropout_t",
        Rules.wholeNumber("sessions_attended_raw") + " AS sessions_attended_t",
        "CASE WHEN " + isCode("phase_raw", "p_phase_pre") + " THEN 'pre' WHEN " + isCode("phase_raw", "p_phase_post")
            + " THEN 'post' END AS phase_t"));
    for (int i = 0; i < maxMeasures; i++) {
      typed.add(Rules.element("p_measures", i) + " AS m" + i);
      typed.add(Rules.element("p_outcome_ranges", i) + " AS r" + i);
      typed.add(Rules.element("baseline_raw", i) + " AS b_raw" + i);
      typed.add(Rules.element("termination_raw", i) + " AS t_raw" + i);
    }
    List<String> numbers = new ArrayList<>(List.of("*"));
    for (int i = 0; i < maxMeasures; i++) {
      numbers.add(Rules.number("b_raw" + i) + " AS b" + i);
      numbers.add(Rules.number("t_raw" + i) + " AS t" + i);
    }
    Dataset<Row> t = staged.selectExpr(typed.toArray(String[]::new)).selectExpr(numbers.toArray(String[]::new));

    List<String> issues = new ArrayList<>(List.of(
        issue("treatment", "treatment_raw", "CASE WHEN treatment_raw IS NOT NULL AND treatment_t IS NULL THEN 'UNKNOWN_CODE' END"),
        issue("dropout", "dropout_raw", "CASE WHEN dropout_raw IS NOT NULL AND dropout_t IS NULL THEN 'UNKNOWN_CODE' END"),
        issue("sessions_attended", "sessions_attended_raw",
            "CASE WHEN sessions_attended_raw IS NULL THEN NULL WHEN sessions_attended_t IS NULL THEN 'NOT_NUMERIC' "
                + "WHEN sessions_attended_t < 0 THEN 'OUT_OF_RANGE' END"),
        issue("training_phase", "phase_raw", "CASE WHEN phase_raw IS NOT NULL AND phase_t IS NULL THEN 'UNKNOWN_CODE' END")));
    List<String> scores = new ArrayList<>();
    for (int i = 0; i < maxMeasures; i++) {
      String outOfRange = "(v IS NOT NULL AND r" + i + " IS NOT NULL AND (v < r" + i + "[0] OR v > r" + i + "[1]))";
      issues.add(scoreIssue(i, "b", outOfRange.replace("v", "b" + i)));
      issues.add(scoreIssue(i, "t", outOfRange.replace("v", "t" + i)));
      String valid = "(x IS NOT NULL AND NOT (r" + i + " IS NOT NULL AND (x < r" + i + "[0] OR x > r" + i + "[1])))";
      scores.add("named_struct('measure', m" + i + ", 'direction', " + Rules.element("p_directions", i) + ", "
          + "'baseline', CASE WHEN " + valid.replace("x", "b" + i) + " THEN b" + i + " END, "
          + "'termination', CASE WHEN " + valid.replace("x", "t" + i) + " THEN t" + i + " END)");
    }
    // one element per measure of the record's own mapping: the unrolled list cut to its length
    String scoreArray = maxMeasures == 0 ? "CAST(array() AS " + SCORES_TYPE + ")"
        : "slice(array(" + String.join(", ", scores) + "), 1, size(p_measures))";
    List<String> out = new ArrayList<>(List.of("record_type", "site", "delivery", "source_file", "source_row",
        "mapping_id", "raw_line", "patient_key", "therapist_key",
        "treatment_t AS treatment", "dropout_t AS dropout",
        "CASE WHEN sessions_attended_t >= 0 THEN sessions_attended_t END AS sessions_attended",
        "phase_t AS therapist_training_phase",
        scoreArray + " AS scores",
        "CASE WHEN record_type <> 'data' THEN CAST(array() AS ARRAY<STRING>) WHEN parse_error IS NOT NULL THEN array(parse_error) "
            + "WHEN patient_key IS NULL THEN array('MISSING_PATIENT') ELSE CAST(array() AS ARRAY<STRING>) END AS reasons",
        "CASE WHEN record_type <> 'data' OR parse_error IS NOT NULL THEN NULL ELSE "
            + Rules.compact(issues, "NULL") + " END AS issues",
        "file_checksum", "file_rows", "file_lines"));
    return t.selectExpr(out.toArray(String[]::new));
  }

  /** Issue for the baseline ("b") or termination ("t") score of measure {@code i}. */
  private static String scoreIssue(int i, String which, String outOfRange) {
    String raw = which + "_raw" + i;
    String reason = "CASE WHEN " + raw + " IS NULL THEN NULL WHEN " + which + i + " IS NULL THEN 'NOT_NUMERIC' WHEN "
        + outOfRange + " THEN 'OUT_OF_RANGE' END";
    String column = "split(try_element_at(p_columns, m" + i + "), '/')[" + (which.equals("b") ? 0 : 1) + "]";
    return "CASE WHEN (" + reason + ") IS NOT NULL THEN named_struct('field', m" + i + " || '_"
        + (which.equals("b") ? "baseline" : "termination") + "', 'source_column', " + column
        + ", 'raw_value', " + raw + ", 'reason', " + reason + ") END";
  }

  static List<String> canonicalColumns() {
    return List.of("site", "patient_key", "therapist_key", "treatment", "dropout", "sessions_attended",
        "therapist_training_phase");
  }
}
