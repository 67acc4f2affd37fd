package org.rupture.pipeline.stats.models;

import java.util.List;
import org.rupture.pipeline.stats.StatisticsException;

/**
 * The profiled REML criterion of {@link LinearMixedModel} as a function of the relative standard
 * deviations theta, computed from per-group cross-products. The random-effects design of each group
 * is the first q columns of X (q = 1: intercept; q = 2: intercept and slope).
 */
final class RemlProfile {
  /** Everything the criterion profiled out at one theta. */
  record Fit(double criterion, double[] beta, double penalisedRss, Cholesky xtViX) {}

  private final List<GroupCrossProducts> groups;
  private final List<String> columnNames;
  private final int p;
  private final int q;
  private final long n;
  private final double[][] xtx;
  private final double[] xty;
  private final double yty;

  RemlProfile(List<GroupCrossProducts> groups, List<String> columnNames, boolean randomSlope) {
    this.groups = groups;
    this.columnNames = columnNames;
    this.p = columnNames.size();
    this.q = randomSlope ? 2 : 1;
    if (groups.size() < 2) {
      throw new StatisticsException("mixed model needs at least 2 groups (sites) with data, got " + groups.size());
    }
    if (p < q) {
      throw new StatisticsException("mixed model with a random slope needs a design with an intercept and a "
          + "predictor column, got columns " + columnNames);
    }
    this.xtx = new double[p][p];
    this.xty = new double[p];
    double yySum = 0.0;
    long rows = 0;
    for (GroupCrossProducts g : groups) {
      if (g.xtx().length != p || g.xty().length != p) {
        throw new IllegalArgumentException("group '" + g.group() + "' has cross-products for "
            + g.xty().length + " columns, the design has " + p + " " + columnNames);
      }
      for (int i = 0; i < p; i++) {
        xty[i] += g.xty()[i];
        for (int j = 0; j < p; j++) {
          xtx[i][j] += g.xtx()[i][j];
        }
      }
      yySum += g.yty();
      rows += g.n();
    }
    this.yty = yySum;
    this.n = rows;
    if (n <= p || n <= groups.size()) {
      throw new StatisticsException("mixed model needs more rows than fixed effects and than groups, got "
          + n + " rows, " + p + " fixed effects and " + groups.size() + " groups");
    }
    Cholesky.of(xtx, "mixed-model design X'X", columnNames);
  }

  long n() {
    return n;
  }

  double criterion(double[] theta) {
    return evaluate(theta).criterion();
  }

  /**
   * With A_g = Lambda Z_g'Z_g Lambda + I = L_g L_g' and W_g = L_g^-1 Lambda Z_g'X_g,
   * w_g = L_g^-1 Lambda Z_g'y_g (Woodbury): X'V^-1X = X'X - sum W_g'W_g, X'V^-1y = X'y - sum W_g'w_g,
   * y'V^-1y = y'y - sum w_g'w_g, and log det V = sum log det A_g.
   */
  Fit evaluate(double[] theta) {
    double[][] xvx = new double[p][p];
    double[] xvy = xty.clone();
    double yvy = yty;
    for (int i = 0; i < p; i++) {
      xvx[i] = xtx[i].clone();
    }
    double logDetV = 0.0;
    double[][] a = new double[q][q];
    for (GroupCrossProducts g : groups) {
      for (int i = 0; i < q; i++) {
        for (int j = 0; j < q; j++) {
          a[i][j] = theta[i] * g.xtx()[i][j] * theta[j] + (i == j ? 1.0 : 0.0);
        }
      }
      Cholesky chol = Cholesky.of(a, "random-effects block", null);
      logDetV += chol.logDeterminant();
      double[][] w = new double[p][];
      double[] lambdaZtX = new double[q];
      for (int k = 0; k < p; k++) {
        for (int i = 0; i < q; i++) {
          lambdaZtX[i] = theta[i] * g.xtx()[i][k];
        }
        w[k] = chol.forwardSolve(lambdaZtX);
      }
      double[] lambdaZty = new double[q];
      for (int i = 0; i < q; i++) {
        lambdaZty[i] = theta[i] * g.xty()[i];
      }
      double[] wy = chol.forwardSolve(lambdaZty);
      for (int k = 0; k < p; k++) {
        xvy[k] -= dot(w[k], wy);
        for (int m = 0; m < p; m++) {
          xvx[k][m] -= dot(w[k], w[m]);
        }
      }
      yvy -= dot(wy, wy);
    }
    Cholesky xtViX = Cholesky.of(xvx, "mixed-model design X'V^-1X", columnNames);
    double[] beta = xtViX.solve(xvy);
    double[] projected = xtViX.forwardSolve(xvy);
    double penalisedRss = yvy - dot(projected, projected);
    if (!(penalisedRss > 0.0)) {
      throw new StatisticsException("mixed model fits the outcome perfectly (no residual variance); "
          + "check that the outcome is not computed from the predictors");
    }
    double df = n - p;
    double criterion = logDetV + xtViX.logDeterminant() + df * (1.0 + Math.log(2.0 * Math.PI * penalisedRss / df));
    return new Fit(criterion, beta, penalisedRss, xtViX);
  }

  private static double dot(double[] u, double[] v) {
    double s = 0.0;
    for (int i = 0; i < u.length; i++) {
      s += u[i] * v[i];
    }
    return s;
  }
}
