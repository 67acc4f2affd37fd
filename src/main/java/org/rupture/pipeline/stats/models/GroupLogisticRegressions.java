package org.rupture.pipeline.stats.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Independent logistic regressions y ~ x (intercept and slope) in each of several groups (sites), fitted
 * side by side by IRLS, as R {@code glm(y ~ x, family = binomial)} on each group's rows. Every step needs
 * only per-group sums at the groups' current coefficients (n, w, w x, w x^2, w z, w x z and the deviance,
 * {@link #SUMS} values per group, in that order), so one pass over all rows (one small distributed job)
 * serves every group's step: the {@link Aggregator}. A group stops when its deviance changes by less than
 * {@link #EPSILON} relative (glm's criterion |dev - dev_old|/(|dev| + 0.1)); its coefficients then stay
 * fixed while the others go on, and its standard errors come from its X'WX at the final coefficients.
 *
 * <p>A group whose fitted probabilities become numerically 0 or 1 along some direction of its design
 * (the smallest generalised eigenvalue of X'WX against X'X/4 below {@link #SEPARATION_BOUND}, as in
 * {@link LogisticRegression}) is (quasi-)separated: its slope runs off to infinity, and it fails with that
 * reason; so does one that has not converged after {@link #MAX_ITERATIONS} steps.
 */
public final class GroupLogisticRegressions {
  /** Per-group sums of one step: n, w, w x, w x^2, w z, w x z, deviance. */
  public static final int SUMS = 7;
  static final double EPSILON = 1e-12;
  static final int MAX_ITERATIONS = 100;
  static final double SEPARATION_BOUND = 1e-8;

  private GroupLogisticRegressions() {
  }

  /** One IRLS step's per-group sums ({@link #SUMS} per group, group after group) at the given coefficients. */
  @FunctionalInterface
  public interface Aggregator {
    double[] sums(double[] intercepts, double[] slopes);
  }

  /**
   * One group's fit: intercept and slope with their Wald standard errors, or the reason it has none.
   *
   * @param n          rows of the group
   * @param iterations IRLS steps until it converged (or failed)
   * @param failure    null when fitted; otherwise why not (too few rows, no variance, separation, no convergence)
   */
  public record Fit(long n, double intercept, double slope, double interceptSe, double slopeSe, double deviance,
      int iterations, String failure) {
    public boolean fitted() {
      return failure == null;
    }

    /** The slope's Wald inference (z, 95% CI, p) on the log-odds scale. */
    public Coefficient slopeCoefficient(String name) {
      return Coefficient.wald(name, slope, slopeSe);
    }

    static Fit failed(long n, int iterations, String failure) {
      return new Fit(n, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, iterations, failure);
    }
  }

  /**
   * Fits every group of {@code fit} (true = fit it; the others are reported as not fitted, "not fitted", and
   * cost nothing but their share of each pass) from {@code aggregator}'s passes, all groups at once.
   *
   * @param predictor names x in failure reasons, e.g. mean_resolution
   * @param response  names y in failure reasons, e.g. retained
   */
  public static List<Fit> fit(Aggregator aggregator, boolean[] fit, String predictor, String response) {
    int k = fit.length;
    double[] a = new double[k];
    double[] b = new double[k];
    double[] current = aggregator.sums(a, b);
    Fit[] out = new Fit[k];
    // X'X/4 of each group: at beta = 0 every weight is 1/4
    double[][] reference = new double[k][];
    for (int g = 0; g < k; g++) {
      int o = g * SUMS;
      long n = Math.round(current[o]);
      if (!fit[g]) {
        out[g] = Fit.failed(n, 0, "not fitted");
      } else if (n <= 2) {
        out[g] = Fit.failed(n, 0, "logistic regression of " + response + " on " + predictor
            + " needs more than 2 patients, got " + n);
      } else {
        double w = current[o + 1];
        double wx = current[o + 2];
        double wxx = current[o + 3];
        double det = w * wxx - wx * wx;
        if (!(det > 1e-12 * w * wxx)) {
          out[g] = Fit.failed(n, 0, "no variance in " + predictor);
        } else {
          reference[g] = new double[] {w, wx, wxx};
        }
      }
    }
    for (int iteration = 1; iteration <= MAX_ITERATIONS && Arrays.stream(out).anyMatch(f -> f == null); iteration++) {
      double[] nextA = a.clone();
      double[] nextB = b.clone();
      for (int g = 0; g < k; g++) {
        if (out[g] != null) {
          continue;
        }
        int o = g * SUMS;
        double w = current[o + 1];
        double wx = current[o + 2];
        double wxx = current[o + 3];
        double det = w * wxx - wx * wx;
        if (!(det > 0) || !Double.isFinite(det)) {
          out[g] = Fit.failed(Math.round(current[o]), iteration, separation(predictor, response));
          continue;
        }
        double wz = current[o + 4];
        double wxz = current[o + 5];
        nextA[g] = (wxx * wz - wx * wxz) / det;
        nextB[g] = (w * wxz - wx * wz) / det;
      }
      double[] next = aggregator.sums(nextA, nextB);
      for (int g = 0; g < k; g++) {
        if (out[g] != null) {
          continue;
        }
        int o = g * SUMS;
        double deviance = next[o + 6];
        boolean converged = Math.abs(deviance - current[o + 6]) / (Math.abs(deviance) + 0.1) < EPSILON;
        if (separated(reference[g], next, o)) {
          out[g] = Fit.failed(Math.round(next[o]), iteration, separation(predictor, response));
        } else if (converged) {
          out[g] = converged(next, o, nextA[g], nextB[g], iteration);
        }
      }
      a = nextA;
      b = nextB;
      // a group stopped keeps its coefficients (the next pass computes its sums again, unused)
      for (int g = 0; g < k; g++) {
        if (out[g] != null && out[g].fitted()) {
          a[g] = out[g].intercept();
          b[g] = out[g].slope();
        }
      }
      current = next;
    }
    List<Fit> fits = new ArrayList<>(k);
    for (int g = 0; g < k; g++) {
      fits.add(out[g] != null ? out[g] : Fit.failed(Math.round(current[g * SUMS]), MAX_ITERATIONS,
          "logistic regression of " + response + " on " + predictor + " did not converge in " + MAX_ITERATIONS
              + " IRLS iterations"));
    }
    return fits;
  }

  private static String separation(String predictor, String response) {
    return "(quasi-)complete separation: " + predictor + " splits " + response
        + " (nearly) perfectly, so the log odds ratio runs off to infinity";
  }

  private static Fit converged(double[] sums, int o, double a, double b, int iteration) {
    double w = sums[o + 1];
    double wx = sums[o + 2];
    double wxx = sums[o + 3];
    double det = w * wxx - wx * wx;
    return new Fit(Math.round(sums[o]), a, b, Math.sqrt(wxx / det), Math.sqrt(w / det), sums[o + 6], iteration, null);
  }

  /**
   * Whether the group's X'WX has a generalised eigenvalue against its X'X/4 ({@code reference}: w, w x, w x^2
   * at weight 1/4) below {@link #SEPARATION_BOUND}: the smaller root of det(A - lambda B) = 0.
   */
  static boolean separated(double[] reference, double[] sums, int o) {
    double b11 = reference[0];
    double b12 = reference[1];
    double b22 = reference[2];
    double a11 = sums[o + 1];
    double a12 = sums[o + 2];
    double a22 = sums[o + 3];
    double d = b11 * b22 - b12 * b12;
    double c = a11 * b22 + a22 * b11 - 2 * a12 * b12;
    double e = a11 * a22 - a12 * a12;
    double disc = Math.max(c * c - 4 * d * e, 0.0);
    double smallest = c > 0 ? 2 * e / (c + Math.sqrt(disc)) : 0.0;
    return !(smallest >= SEPARATION_BOUND);
  }

  /** Per-group sums over in-memory rows: group index (0..groups-1), x and a 0/1 y per row. */
  public static Aggregator inMemory(int[] group, double[] x, double[] y, int groups) {
    return (intercepts, slopes) -> {
      double[] out = new double[groups * SUMS];
      for (int i = 0; i < group.length; i++) {
        addRow(out, group[i], intercepts[group[i]] + slopes[group[i]] * x[i], x[i], y[i]);
      }
      return out;
    };
  }

  /** Adds one row's terms (as {@link LogisticRowAccumulator} computes them) to its group's sums. */
  public static void addRow(double[] sums, int g, double eta, double x, double y) {
    double mu = LogisticRowAccumulator.mean(eta);
    double w = LogisticRowAccumulator.weight(mu);
    double wz = LogisticRowAccumulator.workingTimesWeight(eta, mu, y);
    int o = g * SUMS;
    sums[o] += 1;
    sums[o + 1] += w;
    sums[o + 2] += w * x;
    sums[o + 3] += w * x * x;
    sums[o + 4] += wz;
    sums[o + 5] += x * wz;
    sums[o + 6] += LogisticRowAccumulator.deviance(eta, y);
  }
}
