package org.rupture.pipeline.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.rupture.pipeline.testing.SparkTestBase;

/** SPEC 5 feature rules on hand-made rows, including an extra process variable. */
class PatientFeaturesTest extends SparkTestBase {
  private final PatientFeatures features = new PatientFeatures(6, 4.0, new FeatureCatalog(List.of("self_disclosure")));

  @Test
  void processFeaturesFollowTheWindowAndRuptureRules() {
    Dataset<Row> sessions = spark().createDataFrame(List.of(
        // site, patient, session, rater, present, intensity, resolution, alliance, quality, self_disclosure
        row("S1", "a", 1, "patient", true, 4.0, 5.0, 5.0, 3.0, 2.0),
        row("S1", "a", 2, "patient", false, null, null, 6.0, 4.0, 3.0),
        row("S1", "a", 3, "patient", null, 3.0, 2.0, null, 5.0, null),   // unanswered rupture item
        row("S1", "a", 4, "patient", true, 2.0, null, 4.0, null, 1.0),   // rupture without resolution
        row("S1", "a", 7, "patient", true, 5.0, 1.0, 1.0, 1.0, 5.0),     // after the early window
        row("S1", "b", 1, "therapist", false, null, null, null, null, null)),
        StructType.fromDDL("site STRING, patient_key STRING, session_number INT, rater STRING, "
            + "rupture_present BOOLEAN, rupture_intensity DOUBLE, rupture_resolution DOUBLE, alliance DOUBLE, "
            + "session_quality DOUBLE, self_disclosure DOUBLE"));
    Dataset<Row> patients = spark().createDataFrame(List.of(row("S1", "a", false)),
        StructType.fromDDL("site STRING, patient_key STRING, dropout BOOLEAN"));

    Map<String, Row> byPatient = features.patientProcess(sessions, patients).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getAs("patient_key"), r -> r));
    Row a = byPatient.get("a");
    assertEquals(List.of("site", "patient_key", "rater", "sessions_rated", "rupture_rate", "mean_intensity",
        "mean_resolution", "repair_rate", "mean_alliance", "mean_quality", "mean_self_disclosure", "retained"),
        List.of(a.schema().fieldNames()));
    assertEquals(3, (int) a.getAs("sessions_rated"));
    assertEquals(2.0 / 3.0, a.<Double>getAs("rupture_rate"), 1e-15);
    assertEquals(3.0, a.<Double>getAs("mean_intensity"), 0.0);
    assertEquals(5.0, a.<Double>getAs("mean_resolution"), 0.0);
    assertEquals(1.0, a.<Double>getAs("repair_rate"), 0.0);
    assertEquals(5.0, a.<Double>getAs("mean_alliance"), 1e-15);
    assertEquals(4.0, a.<Double>getAs("mean_quality"), 1e-15);
    assertEquals(2.0, a.<Double>getAs("mean_self_disclosure"), 1e-15);
    assertEquals(true, a.getAs("retained"));

    Row b = byPatient.get("b");
    assertEquals(1, (int) b.getAs("sessions_rated"));
    assertEquals(0.0, b.<Double>getAs("rupture_rate"), 0.0);
    assertNull(b.getAs("mean_intensity"));
    assertNull(b.getAs("repair_rate"));
    assertNull(b.getAs("retained"), "no patient record");
  }

  @Test
  void improvementFollowsTheMeasureDirection() {
    Dataset<Row> outcomes = outcomes(
        row("S1", "a", "IIP", "baseline", 2.0, "lower_is_better"),
        row("S1", "a", "IIP", "termination", 1.5, "lower_is_better"),
        row("S1", "a", "GAF", "baseline", 50.0, "higher_is_better"),
        row("S1", "a", "GAF", "termination", 60.0, "higher_is_better"),
        row("S1", "b", "IIP", "baseline", 2.5, "lower_is_better"));
    Map<String, Double> improvement = features.patientOutcomes(outcomes).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getAs("patient_key") + "/" + r.getAs("measure"),
            r -> r.isNullAt(r.fieldIndex("improvement")) ? Double.NaN : r.<Double>getAs("improvement")));
    assertEquals(0.5, improvement.get("a/IIP"), 0.0);
    assertEquals(10.0, improvement.get("a/GAF"), 0.0);
    assertEquals(Double.NaN, improvement.get("b/IIP"), 0.0, "no termination score: null");
  }

  @Test
  void directionIsKeptAndAggregatedWithoutSorting() {
    Dataset<Row> outcomes = outcomes(
        row("S1", "a", "IIP", "baseline", 2.0, "lower_is_better"),
        row("S1", "a", "IIP", "termination", 1.5, "lower_is_better"),
        row("S1", "a", "GAF", "baseline", 50.0, "higher_is_better"),
        row("S1", "b", "GAF", "baseline", 40.0, null),
        row("S1", "b", "GAF", "termination", 45.0, "higher_is_better"));
    Dataset<Row> table = features.patientOutcomes(outcomes);
    Map<String, String> direction = table.collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getAs("patient_key") + "/" + r.getAs("measure"), r -> r.getAs("direction")));
    assertEquals(Map.of("a/IIP", "lower_is_better", "a/GAF", "higher_is_better", "b/GAF", "higher_is_better"),
        direction);
    assertEquals(5.0, table.where("patient_key = 'b'").first().<Double>getAs("improvement"), 0.0,
        "a row without direction takes its measure's direction from the other timepoint");
    String plan = ((org.apache.spark.sql.classic.Dataset<Row>) table).queryExecution().executedPlan().toString();
    assertTrue(plan.contains("HashAggregate") && !plan.contains("SortAggregate"), plan);
  }

  @Test
  void theKeptPatientAttributesCoverRetentionAndEveryGroupingVariable() {
    // the analysis keeps only these columns of the patients: a grouping variable missing here would
    // fail every mean-difference analysis of it
    assertTrue(FeatureCatalog.patientAttributes().containsAll(FeatureCatalog.groupingVariables()));
    assertTrue(FeatureCatalog.patientAttributes().contains(FeatureCatalog.DROPOUT));
  }

  /** Curated outcome rows: site, patient_key, measure, timepoint, score, direction. */
  private static Dataset<Row> outcomes(Row... rows) {
    return spark().createDataFrame(List.of(rows),
        StructType.fromDDL("site STRING, patient_key STRING, measure STRING, timepoint STRING, score DOUBLE, "
            + "direction STRING"));
  }
}
