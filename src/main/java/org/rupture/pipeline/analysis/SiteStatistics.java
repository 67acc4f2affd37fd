package org.rupture.pipeline.analysis;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.covar_pop;
import static org.apache.spark.sql.functions.covar_samp;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.var_pop;
import static org.apache.spark.sql.functions.var_samp;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The single Spark pass of sufficient statistics. Every analysis contributes <em>unit rows</em> (one per
 * patient) in one layout; their union is aggregated by (analysis, rater, measure, site) in one grouped
 * aggregation, and only those aggregated rows reach the driver.
 *
 * <p>Unit row columns: analysis, rater, measure, site, unit (patient key), rows (session rows behind the
 * unit; 1 for patient-level analyses), x, y (the patient's values, or for session-level analyses the
 * patient's means), z (covariate: baseline score), grp (1 = focal group, 0 = comparison group), and
 * wxx, wyy, wxy (within-patient centred sums of squares and cross-products; 0 for one row).
 */
public final class SiteStatistics {
  public static final String ANALYSIS = "analysis";
  public static final String RATER = "rater";
  public static final String MEASURE = "measure";
  public static final String SITE = "site";
  public static final String UNIT = "unit";
  public static final String ROWS = "rows";
  public static final String X = "x";
  public static final String Y = "y";
  public static final String Z = "z";
  public static final String GROUP = "grp";
  public static final String WXX = "wxx";
  public static final String WYY = "wyy";
  public static final String WXY = "wxy";
  public static final List<String> KEY_COLUMNS = List.of(ANALYSIS, RATER, MEASURE, SITE);
  public static final List<String> UNIT_COLUMNS =
      List.of(ANALYSIS, RATER, MEASURE, SITE, UNIT, ROWS, X, Y, Z, GROUP, WXX, WYY, WXY);

  private SiteStatistics() {
  }

  /**
   * Unit rows from patient-level rows with columns analysis, rater, measure, site, unit, x, y, z, grp
   * (one row per patient): each is its own unit with no within-patient spread.
   */
  public static Dataset<Row> patientUnits(Dataset<Row> patientRows) {
    return patientRows.select(withKeys(col(UNIT), lit(1L).as(ROWS), dbl(X), dbl(Y), dbl(Z), dbl(GROUP),
        lit(0.0).as(WXX), lit(0.0).as(WYY), lit(0.0).as(WXY)));
  }

  /**
   * A session-level analysis's variables: its rows are the early-window session rows of its raters where
   * {@code usable} holds, paired as {@code x} and {@code y}.
   */
  public record SessionPair(String analysis, List<String> raters, Column usable, Column x, Column y) {}

  /**
   * Unit rows of session-level analyses straight from the early-window session rows: one aggregation by
   * site, patient and rater computes the {@link #sessionUnitAggregates} of every pair. The analysis stage
   * instead takes these aggregates from the features' aggregation (the same sums, one scan for both).
   */
  public static Dataset<Row> sessionUnits(AnalysisInputs inputs, List<SessionPair> pairs) {
    List<String> raters = pairs.stream().flatMap(p -> p.raters().stream()).distinct().toList();
    List<Column> sums = new ArrayList<>();
    sessionUnitAggregates(pairs).forEach((name, aggregate) -> sums.add(aggregate.as(name)));
    Dataset<Row> perPatient = inputs.sessions(raters).groupBy(col("site"), col("patient_key"), col("rater"))
        .agg(sums.get(0), sums.subList(1, sums.size()).toArray(Column[]::new));
    return sessionUnits(perPatient, pairs);
  }

  /**
   * The per-patient aggregates of {@code pairs} for {@link #sessionUnits(Dataset, List)}: over a patient's
   * (and rater's) early-window session rows, for each pair the number of usable rows, the means of x and
   * y and their within-patient centred sums of squares and cross-products. Computed in the aggregation
   * that makes the patient features ({@code PatientFeatures}), so that one scan of the session ratings
   * serves both.
   */
  public static Map<String, Column> sessionUnitAggregates(List<SessionPair> pairs) {
    Map<String, Column> out = new LinkedHashMap<>();
    for (int i = 0; i < pairs.size(); i++) {
      SessionPair p = pairs.get(i);
      Column usable = p.usable().and(col("rater").isin(p.raters().toArray()));
      Column x = when(usable, p.x());
      Column y = when(usable, p.y());
      Column rows = count(when(usable, 1));
      out.put(pairColumn(i, ROWS), rows);
      out.put(pairColumn(i, X), avg(x));
      out.put(pairColumn(i, Y), avg(y));
      out.put(pairColumn(i, WXX), var_pop(x).multiply(rows));
      out.put(pairColumn(i, WYY), var_pop(y).multiply(rows));
      out.put(pairColumn(i, WXY), covar_pop(x, y).multiply(rows));
    }
    return out;
  }

  /**
   * Unit rows of session-level analyses from per-patient rows (site, patient_key, rater) holding the
   * {@link #sessionUnitAggregates} of {@code pairs}: a unit for each pair a patient has usable rows for.
   * One read of the per-patient rows serves every pair: each row becomes an array of one struct per pair,
   * exploded (a union of one branch per pair read the rows once per pair).
   */
  public static Dataset<Row> sessionUnits(Dataset<Row> perPatient, List<SessionPair> pairs) {
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("no session pairs");
    }
    Column[] perPair = new Column[pairs.size()];
    for (int i = 0; i < pairs.size(); i++) {
      perPair[i] = struct(lit(pairs.get(i).analysis()).as(ANALYSIS), col(pairColumn(i, ROWS)).as(ROWS),
          col(pairColumn(i, X)).as(X), col(pairColumn(i, Y)).as(Y), col(pairColumn(i, WXX)).as(WXX),
          col(pairColumn(i, WYY)).as(WYY), col(pairColumn(i, WXY)).as(WXY));
    }
    Dataset<Row> units = perPatient
        .select(col("site"), col("patient_key"), col("rater"), explode(array(perPair)).as("pair"))
        .where(col("pair." + ROWS).gt(0));
    return units.select(col("pair." + ANALYSIS).as(ANALYSIS), col("rater").as(RATER),
        lit(null).cast("string").as(MEASURE), col("site").as(SITE), col("patient_key").as(UNIT),
        col("pair." + ROWS).as(ROWS), col("pair." + X).as(X), col("pair." + Y).as(Y),
        lit(null).cast("double").as(Z), lit(null).cast("double").as(GROUP), col("pair." + WXX).as(WXX),
        col("pair." + WYY).as(WYY), col("pair." + WXY).as(WXY))
        .select(withKeys(col(UNIT), col(ROWS), col(X), col(Y), col(Z), col(GROUP), col(WXX), col(WYY), col(WXY)));
  }

  private static String pairColumn(int pair, String name) {
    return "_pair" + pair + "_" + name;
  }

  /**
   * One grouped aggregation over the union of all analyses' unit rows: per (analysis, rater, measure, site)
   * the moments {@link SiteMoments} reads. A lazy plan; {@link #collect} runs it.
   */
  public static Dataset<Row> siteMoments(List<Dataset<Row>> unitFrames) {
    Dataset<Row> units = unitFrames.stream().reduce(Dataset::unionByName)
        .orElseThrow(() -> new IllegalArgumentException("no analyses to aggregate"));
    Column within = col(ROWS).geq(2);
    Column arm = col(GROUP).equalTo(1.0);
    Column comparison = col(GROUP).equalTo(0.0);
    Column complete = col(X).isNotNull().and(col(Y).isNotNull()).and(col(Z).isNotNull());
    return units.groupBy(col(ANALYSIS), col(RATER), col(MEASURE), col(SITE)).agg(
        count(lit(1)).as("units"),
        avg(X).as("mean_x"), avg(Y).as("mean_y"),
        var_samp(X).as("var_x"), var_samp(Y).as("var_y"), covar_samp(X, Y).as("cov_xy"),
        count(when(within, 1)).as("within_units"), sum(when(within, col(ROWS))).as("within_rows"),
        sum(when(within, col(WXX))).as("within_sxx"), sum(when(within, col(WYY))).as("within_syy"),
        sum(when(within, col(WXY))).as("within_sxy"),
        count(when(arm, col(Y))).as("n1"), avg(when(arm, col(Y))).as("mean1"), var_samp(when(arm, col(Y))).as("var1"),
        count(when(comparison, col(Y))).as("n2"), avg(when(comparison, col(Y))).as("mean2"),
        var_samp(when(comparison, col(Y))).as("var2"),
        count(when(complete, 1)).as("cp_n"),
        cpSum(complete, col(X), "cp_x"), cpSum(complete, col(Y), "cp_y"), cpSum(complete, col(Z), "cp_z"),
        cpSum(complete, col(X).multiply(col(X)), "cp_xx"), cpSum(complete, col(X).multiply(col(Y)), "cp_xy"),
        cpSum(complete, col(X).multiply(col(Z)), "cp_xz"), cpSum(complete, col(Y).multiply(col(Y)), "cp_yy"),
        cpSum(complete, col(Y).multiply(col(Z)), "cp_yz"), cpSum(complete, col(Z).multiply(col(Z)), "cp_zz"));
  }

  /** Runs the aggregation and brings its (small) result to the driver. */
  public static List<SiteMoments> collect(Dataset<Row> siteMoments) {
    return siteMoments.collectAsList().stream().map(SiteMoments::fromRow).toList();
  }

  private static Column cpSum(Column complete, Column value, String name) {
    return sum(when(complete, value)).as(name);
  }

  private static Column dbl(String name) {
    return col(name).cast("double").as(name);
  }

  /** The key columns (typed as strings, so that literal nulls union cleanly) followed by {@code rest}. */
  private static Column[] withKeys(Column... rest) {
    return java.util.stream.Stream.concat(KEY_COLUMNS.stream().map(k -> col(k).cast("string").as(k)),
        java.util.Arrays.stream(rest)).toArray(Column[]::new);
  }
}
