package org.rupture.pipeline.analysis;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.rupture.pipeline.features.FeatureCatalog;
import org.rupture.pipeline.features.PatientFeatures;

/**
 * The tables analyses read, as lazy Spark plans: the early-window session ratings, the patient records
 * and the two feature tables. Kinds ask it for the variables they need at the right level.
 *
 * @param earlySessions   session_ratings rows inside the early window
 * @param patients        curated patients
 * @param patientProcess  features per patient x rater (SPEC 5)
 * @param patientOutcomes improvement per patient x measure
 * @param measures        outcome measures to analyse (empty = all)
 * @param catalog         the variables
 */
public record AnalysisInputs(Dataset<Row> earlySessions, Dataset<Row> patients, Dataset<Row> patientProcess,
    Dataset<Row> patientOutcomes, List<String> measures, FeatureCatalog catalog) {

  /**
   * Patient-level rows holding {@code variables} as doubles (retained as 1/0; grouping variables as
   * text), with site, patient_key, rater (null when no variable depends on the rater), measure (null
   * when improvement is not among them) and, with improvement, the baseline score. Rows are not filtered
   * for completeness.
   */
  public Dataset<Row> patientVariables(List<String> variables, List<String> raters) {
    List<String> process = variables.stream().filter(catalog.processFeatures()::contains).toList();
    boolean rated = !process.isEmpty();
    Dataset<Row> rows;
    if (rated) {
      rows = patientProcess.where(col("rater").isin(raters.toArray()));
    } else {
      rows = patients.select(col("site"), col("patient_key"), lit(null).cast("string").as("rater"),
          PatientFeatures.retained());
    }
    List<String> grouping = variables.stream().filter(FeatureCatalog.groupingVariables()::contains).toList();
    if (!grouping.isEmpty()) {
      List<Column> attributes = new ArrayList<>(List.of(col("site"), col("patient_key")));
      grouping.forEach(g -> attributes.add(col(g)));
      rows = rows.join(patients.select(attributes.toArray(Column[]::new)), PatientFeatures.PATIENT_ID);
    }
    boolean withOutcome = variables.contains(FeatureCatalog.IMPROVEMENT);
    if (withOutcome) {
      Dataset<Row> outcomes = patientOutcomes;
      if (!measures.isEmpty()) {
        outcomes = outcomes.where(col("measure").isin(measures.toArray()));
      }
      rows = rows.join(outcomes.select(col("site"), col("patient_key"), col("measure"),
          col(FeatureCatalog.IMPROVEMENT), col(FeatureCatalog.BASELINE)), PatientFeatures.PATIENT_ID);
    }
    List<Column> out = new ArrayList<>(List.of(col("site"), col("patient_key"), col("rater"),
        withOutcome ? col("measure") : lit(null).cast("string").as("measure")));
    for (String variable : variables) {
      out.add(FeatureCatalog.groupingVariables().contains(variable) ? col(variable) : numeric(variable));
    }
    if (withOutcome) {
      out.add(col(FeatureCatalog.BASELINE));
    }
    return rows.select(out.toArray(Column[]::new));
  }

  /**
   * The sites each analysis reports on, those with no patient it can use included, what session ratings
   * each has, and the outcome measures in the data ({@link DataExtent}). One small aggregation of the kept
   * patient-level tables (patient records, process features: the raters inside the early window, outcomes);
   * only site, rater and measure names reach the driver.
   *
   * @param sessionSites the sites of the curated session ratings (from their listing: a scan would read
   *                     every file), which hold sites the patient-level tables lack: those whose sessions
   *                     all lie outside the early window and that have no patient record or outcome
   */
  public DataExtent extent(List<String> sessionSites) {
    Column site = col("site");
    Column none = lit(null).cast("string");
    List<Row> rows = patients.select(site, none.as("rater"), none.as("measure"))
        .union(patientProcess.select(site, col("rater"), none.as("measure")))
        .union(patientOutcomes.select(site, none.as("rater"), col("measure"))).distinct().collectAsList();
    List<String> sites = new ArrayList<>(sessionSites);
    Map<String, Set<String>> earlyRaters = new TreeMap<>();
    for (Row r : rows) {
      sites.add(r.getString(0));
      if (!r.isNullAt(1)) {
        earlyRaters.computeIfAbsent(r.getString(0), k -> new TreeSet<>()).add(r.getString(1));
      }
    }
    return new DataExtent(sites, Set.copyOf(sessionSites), earlyRaters,
        rows.stream().filter(r -> !r.isNullAt(2)).map(r -> r.getString(2)).distinct().sorted().toList());
  }

  /** Early-window session rows of the given raters. */
  public Dataset<Row> sessions(List<String> raters) {
    return earlySessions.where(col("rater").isin(raters.toArray()));
  }

  private static Column numeric(String variable) {
    Column c = col(variable);
    if (variable.equals(FeatureCatalog.RETAINED)) {
      return when(c.equalTo(true), 1.0).when(c.equalTo(false), 0.0).as(variable);
    }
    return c.cast("double").as(variable);
  }
}
