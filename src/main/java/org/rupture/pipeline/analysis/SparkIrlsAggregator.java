package org.rupture.pipeline.analysis;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log1p;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.rupture.pipeline.stats.models.IrlsAggregator;
import org.rupture.pipeline.stats.models.WeightedCrossProducts;

/**
 * One IRLS step of the logistic regression y ~ x + site indicators as one grouped Spark aggregation.
 *
 * <p>Design columns: (Intercept), x, then one indicator per site except the first (the reference, as R's
 * treatment contrasts). Because each row has exactly one site, X'WX has a block structure: the site
 * block is diagonal, so per-site sums of w, w x, w x^2, w z and w x z (one row per site reaches the
 * driver) determine X'WX and X'Wz completely.
 */
public final class SparkIrlsAggregator implements IrlsAggregator {
  private static final String OFFSET = "site_offset";
  private static final StructType OFFSET_SCHEMA = new StructType()
      .add(SiteStatistics.SITE, DataTypes.StringType, false)
      .add(OFFSET, DataTypes.DoubleType, false);

  private final SparkSession spark;
  private final Dataset<Row> rows;
  private final List<String> sites;

  /**
   * @param rows  columns site, x (double), y (0/1 double), complete; should be cached by the caller
   * @param sites the sites of {@code rows}, reference first
   */
  public SparkIrlsAggregator(SparkSession spark, Dataset<Row> rows, List<String> sites) {
    this.spark = spark;
    this.rows = rows;
    this.sites = List.copyOf(sites);
  }

  /** Names of the design columns for a predictor called {@code predictor}. */
  public List<String> columnNames(String predictor) {
    List<String> names = new ArrayList<>(List.of("(Intercept)", predictor));
    sites.subList(1, sites.size()).forEach(s -> names.add("site" + s));
    return names;
  }

  @Override
  public WeightedCrossProducts aggregate(double[] beta) {
    List<Row> offsets = new ArrayList<>();
    for (int s = 0; s < sites.size(); s++) {
      offsets.add(RowFactory.create(sites.get(s), s == 0 ? 0.0 : beta[s + 1]));
    }
    Column eta = lit(beta[0]).plus(lit(beta[1]).multiply(col("x"))).plus(col(OFFSET));
    Column mu = lit(1.0).divide(lit(1.0).plus(exp(eta.unary_$minus())));
    Column weight = mu.multiply(lit(1.0).minus(mu));
    // w z with the working response z = eta + (y - mu) / w multiplied out, so tiny weights lose no digits
    Column weightedWorking = weight.multiply(eta).plus(col("y").minus(mu));
    // deviance contribution 2 [y log(1 + e^-eta) + (1 - y) log(1 + e^eta)], overflow-safe softplus
    Column deviance = lit(2.0).multiply(col("y").multiply(softplus(eta.unary_$minus()))
        .plus(lit(1.0).minus(col("y")).multiply(softplus(eta))));
    List<Row> perSite = rows.join(broadcast(spark.createDataFrame(offsets, OFFSET_SCHEMA)), SiteStatistics.SITE)
        .select(col(SiteStatistics.SITE), col("x"), weight.as("w"), weightedWorking.as("wz"), deviance.as("d"))
        .groupBy(SiteStatistics.SITE)
        .agg(count(lit(1)).as("n"), sum("w").as("sw"), sum(col("w").multiply(col("x"))).as("swx"),
            sum(col("w").multiply(col("x")).multiply(col("x"))).as("swxx"),
            sum("wz").as("swz"), sum(col("x").multiply(col("wz"))).as("swxz"), sum("d").as("dev"))
        .collectAsList();

    int p = sites.size() + 1;
    double[][] xtwx = new double[p][p];
    double[] xtwz = new double[p];
    double totalDeviance = 0;
    long n = 0;
    for (Row r : perSite) {
      int s = sites.indexOf(r.getString(0));
      double sw = r.getDouble(2);
      double swx = r.getDouble(3);
      double swz = r.getDouble(5);
      xtwx[0][0] += sw;
      xtwx[0][1] += swx;
      xtwx[1][1] += r.getDouble(4);
      xtwz[0] += swz;
      xtwz[1] += r.getDouble(6);
      if (s > 0) {
        xtwx[0][s + 1] = sw;
        xtwx[1][s + 1] = swx;
        xtwx[s + 1][s + 1] = sw;
        xtwz[s + 1] = swz;
      }
      totalDeviance += r.getDouble(7);
      n += r.getLong(1);
    }
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < i; j++) {
        xtwx[i][j] = xtwx[j][i];
      }
    }
    return new WeightedCrossProducts(xtwx, xtwz, totalDeviance, n, 2);
  }

  /** log(1 + e^t) without overflow: max(t, 0) + log1p(e^-|t|). */
  private static Column softplus(Column t) {
    return greatest(t, lit(0.0)).plus(log1p(exp(org.apache.spark.sql.functions.abs(t).unary_$minus())));
  }
}
