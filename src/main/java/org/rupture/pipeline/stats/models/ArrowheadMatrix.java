package org.rupture.pipeline.stats.models;

import java.util.List;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.rupture.pipeline.stats.StatisticsException;

/**
 * A symmetric positive-definite matrix [[H, C], [C', D]] whose first q columns are dense (H, q x q, and
 * the border C, q x m) and whose remaining m columns form a diagonal block D: X'WX of a design with a
 * few covariates plus one indicator per site, because every row belongs to one site. Solving,
 * the diagonal of the inverse and the inertia of a pencil then take O(q^2 m) through the Schur
 * complement S = H - C D^-1 C' instead of the O((q + m)^3) of a dense factorisation, which at
 * thousands of sites is minutes on the driver per IRLS iteration.
 */
final class ArrowheadMatrix {
  private final int q;
  private final int m;
  private final double[][] h;
  private final double[][] c;
  private final double[] d;

  private ArrowheadMatrix(double[][] h, double[][] c, double[] d) {
    this.q = h.length;
    this.m = d.length;
    this.h = h;
    this.c = c;
    this.d = d;
  }

  /** The arrowhead with head size q read from a full symmetric matrix (entries of the tail off the diagonal are ignored). */
  static ArrowheadMatrix of(double[][] a, int q) {
    int m = a.length - q;
    double[][] h = new double[q][q];
    double[][] c = new double[q][m];
    double[] d = new double[m];
    for (int i = 0; i < q; i++) {
      System.arraycopy(a[i], 0, h[i], 0, q);
      System.arraycopy(a[i], q, c[i], 0, m);
    }
    for (int j = 0; j < m; j++) {
      d[j] = a[q + j][q + j];
    }
    return new ArrowheadMatrix(h, c, d);
  }

  /**
   * Eliminates the diagonal block, checking pivots as {@link Cholesky} does (relative to the column's
   * own diagonal), and returns the Cholesky factor of the Schur complement.
   */
  private Cholesky schur(String what, List<String> columnNames) {
    for (int j = 0; j < m; j++) {
      if (!(d[j] > 0)) {
        throw singular(what, columnNames, q + j);
      }
    }
    double[][] s = schurComplement(h, c, d);
    for (int i = 0; i < q; i++) {
      if (!(s[i][i] > Cholesky.RELATIVE_PIVOT_TOLERANCE * h[i][i])) {
        throw singular(what, columnNames, i);
      }
    }
    return Cholesky.of(s, what, columnNames == null ? null : columnNames.subList(0, q));
  }

  private static double[][] schurComplement(double[][] h, double[][] c, double[] d) {
    int q = h.length;
    double[][] s = new double[q][q];
    for (int i = 0; i < q; i++) {
      for (int k = 0; k <= i; k++) {
        double sum = h[i][k];
        for (int j = 0; j < d.length; j++) {
          sum -= c[i][j] * c[k][j] / d[j];
        }
        s[i][k] = sum;
        s[k][i] = sum;
      }
    }
    return s;
  }

  private static StatisticsException singular(String what, List<String> columnNames, int column) {
    String name = columnNames == null ? "column " + (column + 1) : "'" + columnNames.get(column) + "'";
    return new StatisticsException(what + " is singular: " + name
        + " is constant or a linear combination of the columns before it (drop it or the redundant column)");
  }

  /** Throws {@link StatisticsException} when the matrix is singular (as {@link Cholesky#of} would). */
  void requireNonSingular(String what, List<String> columnNames) {
    schur(what, columnNames);
  }

  /** A^-1 b. */
  double[] solve(double[] b, String what, List<String> columnNames) {
    Cholesky s = schur(what, columnNames);
    double[] head = new double[q];
    for (int i = 0; i < q; i++) {
      double sum = b[i];
      for (int j = 0; j < m; j++) {
        sum -= c[i][j] * b[q + j] / d[j];
      }
      head[i] = sum;
    }
    double[] xHead = s.solve(head);
    double[] x = new double[q + m];
    System.arraycopy(xHead, 0, x, 0, q);
    for (int j = 0; j < m; j++) {
      double sum = b[q + j];
      for (int i = 0; i < q; i++) {
        sum -= c[i][j] * xHead[i];
      }
      x[q + j] = sum / d[j];
    }
    return x;
  }

  /** The diagonal of A^-1: S^-1 for the head; 1/d_j + u_j' S^-1 u_j with u_j = C e_j / d_j for the tail. */
  double[] inverseDiagonal(String what, List<String> columnNames) {
    Cholesky s = schur(what, columnNames);
    double[] diag = new double[q + m];
    double[][] sInverse = s.inverse();
    for (int i = 0; i < q; i++) {
      diag[i] = sInverse[i][i];
    }
    double[] u = new double[q];
    for (int j = 0; j < m; j++) {
      for (int i = 0; i < q; i++) {
        u[i] = c[i][j] / d[j];
      }
      double[] w = s.forwardSolve(u);
      double quad = 0;
      for (double wi : w) {
        quad += wi * wi;
      }
      diag[q + j] = 1.0 / d[j] + quad;
    }
    return diag;
  }

  /**
   * Whether the pencil A v = lambda B v (B positive definite, same structure) has an eigenvalue at or
   * below {@code sigma}: by Sylvester's law of inertia, whether A - sigma B fails to be positive
   * definite, that is (Haynsworth) whether its diagonal block or its Schur complement does.
   */
  boolean hasEigenvalueBelow(ArrowheadMatrix b, double sigma) {
    double[] td = new double[m];
    for (int j = 0; j < m; j++) {
      td[j] = d[j] - sigma * b.d[j];
      if (!(td[j] > 0)) {
        return true;
      }
    }
    double[][] th = new double[q][q];
    double[][] tc = new double[q][m];
    for (int i = 0; i < q; i++) {
      for (int k = 0; k < q; k++) {
        th[i][k] = h[i][k] - sigma * b.h[i][k];
      }
      for (int j = 0; j < m; j++) {
        tc[i][j] = c[i][j] - sigma * b.c[i][j];
      }
    }
    double[][] s = schurComplement(th, tc, td);
    for (double lambda : new EigenDecomposition(MatrixUtils.createRealMatrix(s)).getRealEigenvalues()) {
      if (!(lambda > 0)) {
        return true;
      }
    }
    return false;
  }
}
