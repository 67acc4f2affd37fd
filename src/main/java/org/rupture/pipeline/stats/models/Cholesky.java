package org.rupture.pipeline.stats.models;

import java.util.List;
import org.rupture.pipeline.stats.StatisticsException;

/**
 * Cholesky factor L (A = L L') of a small symmetric positive-definite matrix. A pivot that falls
 * below {@link #RELATIVE_PIVOT_TOLERANCE} of its column's diagonal means a column is (numerically) a
 * linear combination of the earlier ones: the matrix is reported as singular instead of producing
 * meaningless coefficients.
 */
final class Cholesky {
  /** Squared relative residual norm of a column; 1e-10 matches a 1e-5 relative residual, near R's lm tolerance. */
  static final double RELATIVE_PIVOT_TOLERANCE = 1e-10;

  private final double[][] l;

  private Cholesky(double[][] l) {
    this.l = l;
  }

  /**
   * Factors a; {@code what} names the matrix and {@code columnNames} its columns (may be null) for
   * the message when it is singular.
   */
  static Cholesky of(double[][] a, String what, List<String> columnNames) {
    int p = a.length;
    double[][] l = new double[p][p];
    for (int j = 0; j < p; j++) {
      double pivot = a[j][j];
      for (int k = 0; k < j; k++) {
        pivot -= l[j][k] * l[j][k];
      }
      if (!(pivot > RELATIVE_PIVOT_TOLERANCE * a[j][j])) {
        String column = columnNames == null ? "column " + (j + 1) : "'" + columnNames.get(j) + "'";
        throw new StatisticsException(what + " is singular: " + column
            + " is constant or a linear combination of the columns before it (drop it or the redundant column)");
      }
      l[j][j] = Math.sqrt(pivot);
      for (int i = j + 1; i < p; i++) {
        double s = a[i][j];
        for (int k = 0; k < j; k++) {
          s -= l[i][k] * l[j][k];
        }
        l[i][j] = s / l[j][j];
      }
    }
    return new Cholesky(l);
  }

  /** log det A. */
  double logDeterminant() {
    double s = 0.0;
    for (int j = 0; j < l.length; j++) {
      s += Math.log(l[j][j]);
    }
    return 2.0 * s;
  }

  /** L^{-1} b. */
  double[] forwardSolve(double[] b) {
    int p = l.length;
    double[] x = new double[p];
    for (int i = 0; i < p; i++) {
      double s = b[i];
      for (int k = 0; k < i; k++) {
        s -= l[i][k] * x[k];
      }
      x[i] = s / l[i][i];
    }
    return x;
  }

  /** L'^{-1} b. */
  double[] backSolve(double[] b) {
    int p = l.length;
    double[] x = new double[p];
    for (int i = p - 1; i >= 0; i--) {
      double s = b[i];
      for (int k = i + 1; k < p; k++) {
        s -= l[k][i] * x[k];
      }
      x[i] = s / l[i][i];
    }
    return x;
  }

  /** A^{-1} b. */
  double[] solve(double[] b) {
    return backSolve(forwardSolve(b));
  }

  /** A^{-1}. */
  double[][] inverse() {
    int p = l.length;
    double[][] inv = new double[p][];
    for (int j = 0; j < p; j++) {
      double[] unit = new double[p];
      unit[j] = 1.0;
      inv[j] = solve(unit);
    }
    return inv;
  }
}
