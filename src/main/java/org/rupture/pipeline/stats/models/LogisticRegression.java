package org.rupture.pipeline.stats.models;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.rupture.pipeline.stats.StatisticsException;

/**
 * Binomial logistic regression by iteratively reweighted least squares, as R
 * {@code glm(family = binomial)}: each iteration solves (X'WX) beta = X'Wz from one aggregate of
 * the rows, until the deviance changes by less than {@link #EPSILON} relative (R's criterion
 * |dev - dev_old|/(|dev| + 0.1)) and the last step moved no coefficient by more than {@link #STEP_TOLERANCE}
 * of its standard error. Standard errors come from (X'WX)^-1 at the returned coefficients, i.e. after the last
 * step (R's glm reports those of its last iteration's weights, one step behind its coefficients).
 */
public final class LogisticRegression {
  /** Tighter than glm's default 1e-8 so that coefficients agree with R's to far better than 1e-6. */
  static final double EPSILON = 1e-12;
  /**
   * Largest last step, in standard errors, of converged coefficients. The deviance is quadratic in the step, so
   * a relative deviance change below {@link #EPSILON} still allows a step of about sqrt(2 EPSILON deviance)
   * standard errors, which grows with the number of rows (1e-5 at a deviance of 100, 1e-3 at 1e6); IRLS
   * converges quadratically, so after a step below this bound the coefficients are within ~1e-12 standard
   * errors of the maximum, whatever the deviance's scale.
   */
  static final double STEP_TOLERANCE = 1e-6;
  static final int MAX_ITERATIONS = 100;
  /**
   * Separation bound on the smallest eigenvalue of (X'X/4)^-1 X'WX, the average of 4 mu(1 - mu)
   * along the worst direction of the design: below it, fitted probabilities along that direction
   * are numerically 0 or 1 (|eta| above about 20), and the coefficients are running off to infinity.
   */
  static final double SEPARATION_BOUND = 1e-8;

  private LogisticRegression() {}

  /**
   * Fits the model from IRLS aggregates, starting at beta = 0. The columns (for example intercept,
   * predictor, site indicators) are whatever the aggregator's rows contain, named by columnNames.
   *
   * @throws StatisticsException for a singular design, separation (a predictor or a site that
   *     predicts the outcome perfectly, e.g. a site without any dropout) or no convergence
   */
  public static LogisticResult fit(IrlsAggregator aggregator, List<String> columnNames) {
    int p = columnNames.size();
    double[] beta = new double[p];
    WeightedCrossProducts current = aggregator.aggregate(beta);
    if (current.n() <= p) {
      throw new StatisticsException("logistic regression needs more rows than coefficients, got "
          + current.n() + " rows for " + p + " coefficients " + columnNames);
    }
    // at beta = 0 every weight is 1/4, so this is X'X/4: the reference for the separation check
    WeightedCrossProducts quarterXtx = current;
    Normal reference = Normal.of(quarterXtx, "logistic regression design X'X", columnNames);
    reference.check();
    // the separation as first seen: once the weights have underflowed nearly everywhere, every direction
    // looks separated, and only an earlier iteration, where the separating direction alone had collapsed,
    // names it
    String firstSeparation = null;
    for (int iteration = 1; iteration <= MAX_ITERATIONS; iteration++) {
      double[] next;
      try {
        next = Normal.of(current, "logistic regression X'WX", columnNames).solve(current.xtwz());
      } catch (StatisticsException singular) {
        // X'X/4 passed its check, so X'WX is singular only where the weights mu(1 - mu) have underflowed:
        // fitted probabilities of 0 or 1, i.e. separation
        String separation = firstSeparation != null ? firstSeparation : separation(quarterXtx, current, columnNames);
        throw separation != null ? new StatisticsException(separation) : singular;
      }
      WeightedCrossProducts nextAggregate = aggregator.aggregate(next);
      boolean converged = Math.abs(nextAggregate.deviance() - current.deviance())
          / (Math.abs(nextAggregate.deviance()) + 0.1) < EPSILON;
      double[] step = new double[p];
      for (int j = 0; j < p; j++) {
        step[j] = next[j] - beta[j];
      }
      beta = next;
      current = nextAggregate;
      if (firstSeparation == null && !converged && reference.separated(current)) {
        firstSeparation = separation(quarterXtx, current, columnNames);
      }
      if (converged) {
        String separation = reference.separated(current) ? separation(quarterXtx, current, columnNames) : null;
        if (separation != null) {
          throw new StatisticsException(separation);
        }
        // the covariance at the returned coefficients; returned once the step to them was negligible too
        double[] variance = Normal.of(current, "logistic regression X'WX", columnNames).inverseDiagonal();
        if (smallStep(step, variance)) {
          return result(beta, variance, current, iteration, columnNames);
        }
      }
    }
    throw new StatisticsException("logistic regression did not converge in " + MAX_ITERATIONS
        + " IRLS iterations (deviance " + current.deviance() + "); check for separation or extreme predictor values");
  }

  /**
   * The normal-equation matrix X'WX of one aggregate, dense or, when its trailing columns are site
   * indicators ({@link WeightedCrossProducts#denseColumns}), an {@link ArrowheadMatrix}: the same
   * arithmetic in O(p) instead of O(p^3) per step at thousands of sites.
   */
  private record Normal(WeightedCrossProducts aggregate, String what, List<String> columnNames,
      ArrowheadMatrix arrowhead) {
    static Normal of(WeightedCrossProducts a, String what, List<String> columnNames) {
      boolean structured = a.denseColumns() < a.xtwx().length;
      return new Normal(a, what, columnNames, structured ? ArrowheadMatrix.of(a.xtwx(), a.denseColumns()) : null);
    }

    /** Throws for a singular matrix. */
    void check() {
      if (arrowhead != null) {
        arrowhead.requireNonSingular(what, columnNames);
      } else {
        Cholesky.of(aggregate.xtwx(), what, columnNames);
      }
    }

    double[] solve(double[] b) {
      return arrowhead != null ? arrowhead.solve(b, what, columnNames)
          : Cholesky.of(aggregate.xtwx(), what, columnNames).solve(b);
    }

    double[] inverseDiagonal() {
      if (arrowhead != null) {
        return arrowhead.inverseDiagonal(what, columnNames);
      }
      double[][] inverse = Cholesky.of(aggregate.xtwx(), what, columnNames).inverse();
      double[] diag = new double[inverse.length];
      for (int j = 0; j < diag.length; j++) {
        diag[j] = inverse[j][j];
      }
      return diag;
    }

    /**
     * Whether the final X'WX has a generalized eigenvalue against this X'X/4 below {@link #SEPARATION_BOUND}.
     * Dense designs always go on to the full check, which also finds the column to name; structured ones
     * test for an eigenvalue below the bound by inertia and take the dense path only to name the column.
     */
    boolean separated(WeightedCrossProducts last) {
      if (arrowhead == null || last.denseColumns() >= last.xtwx().length) {
        return true;
      }
      return ArrowheadMatrix.of(last.xtwx(), last.denseColumns()).hasEigenvalueBelow(arrowhead, SEPARATION_BOUND);
    }
  }

  /** IRLS aggregates computed over in-memory rows; x includes the intercept column, y is 0/1. */
  public static IrlsAggregator inMemory(double[][] x, double[] y) {
    if (x.length != y.length) {
      throw new IllegalArgumentException(x.length + " design rows but " + y.length + " responses");
    }
    return beta -> {
      LogisticRowAccumulator sums = new LogisticRowAccumulator(beta);
      for (int i = 0; i < x.length; i++) {
        sums.add(x[i], y[i]);
      }
      return sums.result();
    };
  }

  /**
   * The separation error when X'WX of {@code last} has a generalized eigenvalue against X'X/4 below the
   * bound, naming the column along whose direction it is; null otherwise.
   */
  private static String separation(WeightedCrossProducts quarterXtxAggregate, WeightedCrossProducts last,
      List<String> columnNames) {
    double[][] xtwx = last.xtwx();
    int p = xtwx.length;
    Cholesky quarterXtx = Cholesky.of(quarterXtxAggregate.xtwx(), "logistic regression design X'X", columnNames);
    double[] xtxDiagonal = new double[p];
    for (int j = 0; j < p; j++) {
      xtxDiagonal[j] = quarterXtxAggregate.xtwx()[j][j];
    }
    // M = L^-1 X'WX L^-T, symmetric, with the same eigenvalues as (X'X/4)^-1 X'WX
    double[][] half = new double[p][];
    for (int j = 0; j < p; j++) {
      half[j] = quarterXtx.forwardSolve(xtwx[j]);
    }
    double[][] m = new double[p][];
    double[] column = new double[p];
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < p; j++) {
        column[j] = half[j][i];
      }
      m[i] = quarterXtx.forwardSolve(column);
    }
    RealMatrix symmetric = MatrixUtils.createRealMatrix(m);
    symmetric = symmetric.add(symmetric.transpose()).scalarMultiply(0.5);
    EigenDecomposition eigen = new EigenDecomposition(symmetric);
    double[] values = eigen.getRealEigenvalues();
    int worst = 0;
    for (int i = 1; i < p; i++) {
      if (values[i] < values[worst]) {
        worst = i;
      }
    }
    if (values[worst] < SEPARATION_BOUND) {
      return "logistic regression has (quasi-)complete separation: fitted probabilities "
          + "are numerically 0 or 1 along " + dominantColumn(eigen.getEigenvector(worst).toArray(), quarterXtx,
              xtxDiagonal, columnNames)
          + ", whose coefficient runs off to infinity (typically a site where nobody, or everybody, dropped out, "
          + "or a predictor that splits the outcome perfectly); drop or merge that site, or drop that predictor";
    }
    return null;
  }

  /** The column contributing most (coefficient times column norm) to the design direction L^-T v. */
  private static String dominantColumn(
      double[] v, Cholesky quarterXtx, double[] xtxDiagonal, List<String> columnNames) {
    double[] direction = quarterXtx.backSolve(v);
    double[] contribution = new double[direction.length];
    for (int j = 0; j < direction.length; j++) {
      contribution[j] = Math.abs(direction[j]) * Math.sqrt(xtxDiagonal[j]);
    }
    int best = 0;
    for (int j = 1; j < direction.length; j++) {
      if (contribution[j] > contribution[best]) {
        best = j;
      }
    }
    return "'" + columnNames.get(best) + "'";
  }

  /** Whether every |step_j| is at most {@link #STEP_TOLERANCE} standard errors sqrt(variance_j). */
  private static boolean smallStep(double[] step, double[] variance) {
    for (int j = 0; j < step.length; j++) {
      if (!(Math.abs(step[j]) <= STEP_TOLERANCE * Math.sqrt(variance[j]))) {
        return false;
      }
    }
    return true;
  }

  private static LogisticResult result(double[] beta, double[] variance, WeightedCrossProducts last, int iterations,
      List<String> columnNames) {
    List<Coefficient> coefficients = new ArrayList<>(beta.length);
    for (int j = 0; j < beta.length; j++) {
      coefficients.add(Coefficient.wald(columnNames.get(j), beta[j], Math.sqrt(variance[j])));
    }
    return new LogisticResult(List.copyOf(coefficients), last.deviance(), iterations, last.n());
  }
}
