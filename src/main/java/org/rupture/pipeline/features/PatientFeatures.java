package org.rupture.pipeline.features;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Builds the analysis-ready patient features of SPEC 5 from the curated tables:
 * {@code patient_process} (one row per site x patient x rater, early window) and
 * {@code patient_outcomes} (one row per site x patient x measure, direction-aware improvement).
 * Both are lazy Spark plans; nothing is collected.
 */
public final class PatientFeatures {
  public static final String PATIENT_PROCESS = "patient_process";
  public static final String PATIENT_OUTCOMES = "patient_outcomes";

  /**
   * The columns that identify a patient, in the order every patient-level join, partitioning and sort
   * of the analysis uses. The key comes first: Spark sorts rows by an 8-byte prefix of the first sort
   * column and compares whole rows only where prefixes tie. With the site first every row of a site tied,
   * so each of a sort's comparisons compared both strings in full (an eighth of the analysis's CPU); the
   * key's first 8 bytes (hex of an HMAC) set nearly every pair of patients apart.
   */
  public static final String[] PATIENT_ID = {"patient_key", "site"};

  private static final String LOWER_IS_BETTER = "lower_is_better";
  private static final String HIGHER_IS_BETTER = "higher_is_better";

  private final int window;
  private final double repairThreshold;
  private final FeatureCatalog catalog;

  /**
   * @param window          sessions 1..window form the early window
   * @param repairThreshold a rupture counts as repaired when its resolution is at least this
   * @param catalog         the session variables to average (core plus configured extras)
   */
  public PatientFeatures(int window, double repairThreshold, FeatureCatalog catalog) {
    this.window = window;
    this.repairThreshold = repairThreshold;
    this.catalog = catalog;
  }

  /**
   * Per site x patient x rater over the early window: sessions_rated, rupture_rate, mean_intensity,
   * mean_resolution, repair_rate, mean_alliance, mean_quality (and the mean of each extra variable),
   * plus {@code retained} (= not dropout) from the patient record, null when the record is missing.
   */
  public Dataset<Row> patientProcess(Dataset<Row> sessionRatings, Dataset<Row> patients) {
    return patientProcess(sessionRatings, patients, Map.of());
  }

  /**
   * {@link #patientProcess(Dataset, Dataset)} with more columns: each of {@code alsoPerPatient} is an
   * aggregate over the same early-window session rows of a patient and rater, computed in the same
   * aggregation, so that analyses needing per-patient session sums share the features' one scan of
   * the session ratings. The extra columns follow the features, under their keys' names.
   */
  public Dataset<Row> patientProcess(Dataset<Row> sessionRatings, Dataset<Row> patients,
      Map<String, Column> alsoPerPatient) {
    Column present = col(FeatureCatalog.RUPTURE_PRESENT);
    Column rupture = present.equalTo(true);
    Column resolution = col(FeatureCatalog.RUPTURE_RESOLUTION);

    List<Column> aggregates = new ArrayList<>();
    aggregates.add(count(present).cast("int").as(FeatureCatalog.SESSIONS_RATED));
    aggregates.add(avg(when(present.isNotNull(), when(rupture, 1.0).otherwise(0.0))).as(FeatureCatalog.RUPTURE_RATE));
    for (String episodeVariable : List.of(FeatureCatalog.RUPTURE_INTENSITY, FeatureCatalog.RUPTURE_RESOLUTION)) {
      aggregates.add(avg(when(rupture, col(episodeVariable))).as(FeatureCatalog.patientMean(episodeVariable)));
    }
    aggregates.add(avg(when(rupture.and(resolution.isNotNull()),
        when(resolution.geq(repairThreshold), 1.0).otherwise(0.0))).as(FeatureCatalog.REPAIR_RATE));
    for (String variable : catalog.sessionVariables()) {
      if (!FeatureCatalog.RUPTURE_EPISODE_VARIABLES.contains(variable)) {
        aggregates.add(avg(col(variable)).as(FeatureCatalog.patientMean(variable)));
      }
    }
    alsoPerPatient.forEach((name, aggregate) -> aggregates.add(aggregate.as(name)));

    Dataset<Row> process = sessionRatings
        .where(col("session_number").leq(window))
        .groupBy(col("site"), col("patient_key"), col("rater"))
        .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new));
    Dataset<Row> retained = patients.select(col("site"), col("patient_key"), retained());
    List<Column> columns = new ArrayList<>(List.of(col("site"), col("patient_key"), col("rater")));
    catalog.processFeatures().forEach(f -> columns.add(col(f)));
    columns.add(col(FeatureCatalog.RETAINED));
    alsoPerPatient.keySet().forEach(name -> columns.add(col(name)));
    return process.join(retained, PATIENT_ID, "left")
        .select(columns.toArray(Column[]::new));
  }

  /** {@link FeatureCatalog#RETAINED} of a patient record: not dropped out (null when dropout is unknown). */
  public static Column retained() {
    return not(col(FeatureCatalog.DROPOUT)).as(FeatureCatalog.RETAINED);
  }

  /**
   * Per site x patient x measure: baseline, termination, direction and improvement (baseline -
   * termination when lower is better, termination - baseline otherwise; null when either is missing).
   */
  public Dataset<Row> patientOutcomes(Dataset<Row> outcomes) {
    Column timepoint = col("timepoint");
    // The direction as two flags, not the max of the text: an aggregate over text needs Spark's sort-based
    // aggregation (two sorts of every outcome row), one over numbers and flags a hash table. A measure's
    // direction is lower_is_better or higher_is_better (the mappings allow no other); where its rows
    // disagreed the max of the text was lower_is_better, and so it stays.
    Dataset<Row> wide = outcomes
        .groupBy(col("patient_key"), col("site"), col("measure"))
        .agg(max(when(timepoint.equalTo(FeatureCatalog.BASELINE), col("score"))).as(FeatureCatalog.BASELINE),
            max(when(timepoint.equalTo(FeatureCatalog.TERMINATION), col("score"))).as(FeatureCatalog.TERMINATION),
            max(col("direction").equalTo(LOWER_IS_BETTER)).as(LOWER_IS_BETTER),
            max(col("direction").equalTo(HIGHER_IS_BETTER)).as(HIGHER_IS_BETTER));
    Column baseline = col(FeatureCatalog.BASELINE);
    Column termination = col(FeatureCatalog.TERMINATION);
    Column lower = col(LOWER_IS_BETTER).equalTo(true);
    Column higher = col(HIGHER_IS_BETTER).equalTo(true);
    Column direction = when(lower, LOWER_IS_BETTER).when(higher, HIGHER_IS_BETTER);
    Column improvement = when(lower, baseline.minus(termination))
        .when(higher, termination.minus(baseline))
        .otherwise(lit(null).cast("double"));
    return wide.select(col("site"), col("patient_key"), col("measure"), baseline, termination,
        direction.as("direction"), improvement.as(FeatureCatalog.IMPROVEMENT));
  }
}
