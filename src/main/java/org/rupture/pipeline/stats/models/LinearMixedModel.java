package org.rupture.pipeline.stats.models;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;
import org.apache.commons.math3.optim.univariate.BrentOptimizer;
import org.apache.commons.math3.optim.univariate.SearchInterval;
import org.apache.commons.math3.optim.univariate.UnivariateObjectiveFunction;
import org.apache.commons.math3.optim.univariate.UnivariatePointValuePair;
import org.rupture.pipeline.stats.StatisticsException;

/**
 * Linear mixed model y = X beta + Z b + e with a random intercept per group and optionally an
 * uncorrelated random slope on X's second column, fitted by REML exactly as R
 * {@code lme4::lmer(y ~ X + (1 | group) [+ (0 + x | group)])}, but from per-group cross-products
 * only (no rows).
 *
 * <p>As in lme4, the random effects are b = sigma Lambda u with Lambda = diag(theta) (relative
 * standard deviations) and u ~ N(0, I); for each theta, beta, sigma^2 and u are profiled out and the
 * REML criterion
 * {@code log det(Lambda'Z'Z Lambda + I) + log det(X'V^-1 X) + (n - p)(1 + log(2 pi r^2/(n - p)))}
 * (V = I + Z Lambda Lambda' Z', r^2 the penalised residual sum of squares) is minimised over
 * theta >= 0. Because Z is block-diagonal by group, V^-1 is applied group by group through the
 * Woodbury identity, which needs only each group's X'X, X'y and y'y.
 */
public final class LinearMixedModel {
  /**
   * Brent's tolerances on theta. In double precision the criterion only resolves theta to about
   * 1e-7 (it is flat to within one ulp there, in lme4 too); tighter settings just stop at that floor.
   */
  private static final double THETA_RELATIVE_TOLERANCE = 1e-12;
  private static final double THETA_ABSOLUTE_TOLERANCE = 1e-14;
  /** BOBYQA's final trust-region radius for two relative standard deviations. */
  private static final double BOBYQA_STOPPING_RADIUS = 1e-11;
  private static final int MAX_EVALUATIONS = 100_000;
  /** Candidate relative SDs (log-spaced) that bracket the one-dimensional optimum before Brent refines it. */
  private static final double[] THETA_GRID = logGrid(1e-4, 1e4, 33);

  private LinearMixedModel() {}

  /**
   * REML fit of y ~ X + (1 | group) [+ (0 + X[,1] | group) when randomSlope], as lme4::lmer, from
   * per-group cross-products; Wald statistics and CIs ({@code confint(method = "Wald")}) and
   * p-values from the normal distribution.
   *
   * @param groups one entry per group with X'X, X'y, y'y over its rows; the design columns are the
   *     same for every group, column 0 being the intercept
   * @param columnNames names of X's columns, in order
   * @param randomSlope whether column 1 also gets an (uncorrelated) random slope
   * @throws StatisticsException for fewer than 2 groups, too few rows, a singular design, a perfect
   *     fit or an optimiser that does not converge
   */
  public static MixedModelResult fitReml(
      List<GroupCrossProducts> groups, List<String> columnNames, boolean randomSlope) {
    RemlProfile profile = new RemlProfile(groups, columnNames, randomSlope);
    double[] theta = randomSlope ? minimiseTwoDimensional(profile) : new double[] {minimiseOneDimensional(profile)};
    RemlProfile.Fit fit = profile.evaluate(theta);

    int p = columnNames.size();
    double sigma2 = fit.penalisedRss() / (profile.n() - p);
    double[][] unscaledCovariance = fit.xtViX().inverse();
    List<Coefficient> fixed = new ArrayList<>(p);
    for (int j = 0; j < p; j++) {
      fixed.add(Coefficient.wald(columnNames.get(j), fit.beta()[j], Math.sqrt(sigma2 * unscaledCovariance[j][j])));
    }
    double slopeVariance = randomSlope ? sigma2 * theta[1] * theta[1] : Double.NaN;
    return new MixedModelResult(List.copyOf(fixed), sigma2 * theta[0] * theta[0], slopeVariance, sigma2,
        fit.criterion(), profile.n(), groups.size());
  }

  /** Grid search on log-spaced relative SDs (and 0), then Brent between the best point's neighbours. */
  private static double minimiseOneDimensional(RemlProfile profile) {
    double[] candidates = new double[THETA_GRID.length + 1];
    System.arraycopy(THETA_GRID, 0, candidates, 1, THETA_GRID.length);
    int best = 0;
    double bestValue = Double.POSITIVE_INFINITY;
    for (int i = 0; i < candidates.length; i++) {
      double value = profile.criterion(new double[] {candidates[i]});
      if (value < bestValue) {
        bestValue = value;
        best = i;
      }
    }
    if (best == candidates.length - 1) {
      throw new StatisticsException("mixed model did not converge: the between-group SD is over "
          + THETA_GRID[THETA_GRID.length - 1] + " times the residual SD (is the outcome constant within groups?)");
    }
    double lower = candidates[Math.max(best - 1, 0)];
    double upper = candidates[best + 1];
    BrentOptimizer brent = new BrentOptimizer(THETA_RELATIVE_TOLERANCE, THETA_ABSOLUTE_TOLERANCE);
    UnivariatePointValuePair optimum = brent.optimize(
        new MaxEval(MAX_EVALUATIONS),
        new UnivariateObjectiveFunction(t -> profile.criterion(new double[] {t})),
        GoalType.MINIMIZE,
        new SearchInterval(lower, upper, candidates[best]));
    // Brent never evaluates the interval's ends; the boundary theta = 0 (no group variance) can win
    return optimum.getValue() <= bestValue ? optimum.getPoint() : candidates[best];
  }

  /** BOBYQA over theta >= 0 from lme4's starting point (1, 1). */
  private static double[] minimiseTwoDimensional(RemlProfile profile) {
    BOBYQAOptimizer bobyqa = new BOBYQAOptimizer(5, 0.2, BOBYQA_STOPPING_RADIUS);
    PointValuePair optimum;
    try {
      optimum = bobyqa.optimize(
          new MaxEval(MAX_EVALUATIONS),
          new ObjectiveFunction(profile::criterion),
          GoalType.MINIMIZE,
          new InitialGuess(new double[] {1.0, 1.0}),
          new SimpleBounds(new double[] {0.0, 0.0},
              new double[] {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY}));
    } catch (TooManyEvaluationsException e) {
      throw new StatisticsException("mixed model with random slope did not converge in " + MAX_EVALUATIONS
          + " REML evaluations (try the model without the random slope)");
    }
    return optimum.getPoint();
  }

  private static double[] logGrid(double from, double to, int points) {
    double[] grid = new double[points];
    double step = Math.log(to / from) / (points - 1);
    for (int i = 0; i < points; i++) {
      grid[i] = from * Math.exp(i * step);
    }
    return grid;
  }
}
