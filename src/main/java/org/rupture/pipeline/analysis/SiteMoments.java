package org.rupture.pipeline.analysis;

import org.apache.spark.sql.Row;

/**
 * Sufficient statistics of one analysis x rater x measure at one site, as aggregated by
 * {@link SiteStatistics}. Moments that are undefined for the data (a variance of one value, a mean of no
 * value) are NaN; kinds check the counts before using them.
 *
 * @param key          analysis, rater, measure
 * @param site         site name
 * @param units        patients (unit rows)
 * @param meanX        mean of x over patients
 * @param meanY        mean of y over patients
 * @param varX         sample variance of x over patients
 * @param varY         sample variance of y over patients
 * @param covXY        sample covariance of x and y over patients
 * @param withinUnits  patients with at least 2 session rows
 * @param withinRows   session rows of those patients
 * @param withinSxx    sum over those patients of centred (on the patient's mean) squares of x
 * @param withinSyy    same for y
 * @param withinSxy    same for the cross-products
 * @param n1           focal group size
 * @param mean1        focal group mean of y
 * @param var1         focal group sample variance of y
 * @param n2           comparison group size
 * @param mean2        comparison group mean of y
 * @param var2         comparison group sample variance of y
 * @param crossProducts raw sums over patients with x, y and z: n, x, y, z, xx, xy, xz, yy, yz, zz
 */
public record SiteMoments(EffectKey key, String site, long units, double meanX, double meanY, double varX,
    double varY, double covXY, long withinUnits, long withinRows, double withinSxx, double withinSyy,
    double withinSxy, long n1, double mean1, double var1, long n2, double mean2, double var2,
    CrossProductSums crossProducts) {

  /**
   * Raw sums for the design [1, x, z] and response y of the one-stage linear model.
   */
  public record CrossProductSums(long n, double x, double y, double z, double xx, double xy, double xz,
      double yy, double yz, double zz) {
  }

  /**
   * The moments of a site with no unit row for {@code key}: it has data, but no patient the analysis can use
   * (e.g. none with both variables), so the aggregation has no group for it.
   */
  static SiteMoments none(EffectKey key, String site) {
    return new SiteMoments(key, site, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0, Double.NaN,
        Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN,
        new CrossProductSums(0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  }

  static SiteMoments fromRow(Row row) {
    EffectKey key = new EffectKey(row.getAs(SiteStatistics.ANALYSIS), row.getAs(SiteStatistics.RATER),
        row.getAs(SiteStatistics.MEASURE));
    CrossProductSums cp = new CrossProductSums(count(row, "cp_n"), dbl(row, "cp_x"), dbl(row, "cp_y"),
        dbl(row, "cp_z"), dbl(row, "cp_xx"), dbl(row, "cp_xy"), dbl(row, "cp_xz"), dbl(row, "cp_yy"),
        dbl(row, "cp_yz"), dbl(row, "cp_zz"));
    return new SiteMoments(key, row.getAs(SiteStatistics.SITE), count(row, "units"), dbl(row, "mean_x"),
        dbl(row, "mean_y"), dbl(row, "var_x"), dbl(row, "var_y"), dbl(row, "cov_xy"),
        count(row, "within_units"), count(row, "within_rows"), dbl(row, "within_sxx"), dbl(row, "within_syy"),
        dbl(row, "within_sxy"), count(row, "n1"), dbl(row, "mean1"), dbl(row, "var1"), count(row, "n2"),
        dbl(row, "mean2"), dbl(row, "var2"), cp);
  }

  private static double dbl(Row row, String name) {
    Object value = row.getAs(name);
    return value == null ? Double.NaN : ((Number) value).doubleValue();
  }

  private static long count(Row row, String name) {
    Object value = row.getAs(name);
    return value == null ? 0L : ((Number) value).longValue();
  }
}
