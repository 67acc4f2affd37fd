package org.rupture.pipeline.stats.meta;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.special.Erf;
import org.apache.commons.math3.special.Gamma;

/**
 * Intercept-only random-effects (or fixed-effect) meta-analysis of effect sizes y_i with known sampling
 * variances v_i at the 95% level, reproducing R {@code metafor::rma.uni} (3.8) with its
 * {@code confint}, {@code predict} and {@code leave1out}:
 * <ul>
 *   <li>tau^2 by the chosen {@link TauEstimator}; weights w_i = 1/(v_i + tau^2), mu = sum(w y)/sum(w),
 *       Var(mu) = 1/sum(w) (DerSimonian and Laird 1986);
 *   <li>z test, or Knapp and Hartung (2003): Var(mu) x s^2 with s^2 = sum(w_i (y_i - mu)^2)/(k - 1) and
 *       a t distribution with k - 1 df ({@link SignificanceTest});
 *   <li>Cochran's Q with weights 1/v_i, k - 1 df; I^2 = 100 tau^2/(vt + tau^2) and H^2 = tau^2/vt + 1
 *       with the "typical" sampling variance vt = (k - 1)/tr P (Higgins and Thompson 2002; metafor's
 *       definition), or for FE the Q-based max(0, 100 (Q - (k - 1))/Q) and Q/(k - 1);
 *   <li>95% Q-profile confidence interval of tau^2 (Viechtbauer 2007, Stat Med 26:37-52): the tau^2 at
 *       which the generalised Q equals the 97.5% and 2.5% chi-square(k - 1) quantiles, truncated at 0;
 *   <li>95% prediction interval mu +- crit sqrt(Var(mu) + tau^2), crit from the normal or (KNHA) t(k - 1)
 *       distribution, as metafor's {@code predict} by default.
 * </ul>
 * Undefined values are documented on {@link MetaAnalysisResult}. Instances are immutable and
 * thread-safe.
 */
public final class RandomEffectsModel {
  private static final double TWO_SIDED_ALPHA = 0.05;
  private static final double Z_CRITICAL = Math.sqrt(2) * Erf.erfcInv(TWO_SIDED_ALPHA);
  /** Accuracy of the t and chi-square quantiles (commons-math defaults to 1e-9). */
  private static final double QUANTILE_ACCURACY = 1e-15;
  /** metafor sets the Knapp-Hartung factor to 0 when the residual sum of squares is at most this. */
  private static final double MACHINE_EPSILON = Math.ulp(1.0);

  private final TauEstimator method;
  private final SignificanceTest test;

  /**
   * @param method the tau^2 estimator
   * @param test z or Knapp-Hartung
   */
  public RandomEffectsModel(TauEstimator method, SignificanceTest test) {
    this.method = Objects.requireNonNull(method, "method");
    this.test = Objects.requireNonNull(test, "test");
  }

  /**
   * Pools the studies.
   *
   * @param yi effect sizes, finite
   * @param vi their sampling variances, finite and positive
   * @throws MetaAnalysisException for invalid input (the message names the study) or a failed iteration
   */
  public MetaAnalysisResult fit(double[] yi, double[] vi) {
    return fit(StudyEffects.of(yi, vi), true);
  }

  /**
   * Refits the model once without each study in turn (as {@code metafor::leave1out}); O(k^2) work.
   *
   * @return one entry per study in input order; empty when k = 1 (metafor: "Stopped because k = 1")
   * @throws MetaAnalysisException for invalid input
   */
  public List<LeaveOneOut> leaveOneOut(double[] yi, double[] vi) {
    StudyEffects studies = StudyEffects.of(yi, vi);
    if (studies.k() == 1) {
      return new ArrayList<>();
    }
    // k fits of k - 1 studies each: quadratic in k (2,000 sites: seconds per analysis), and independent,
    // so they run in parallel; the list keeps input order
    return IntStream.range(0, studies.k()).parallel().mapToObj(i -> {
      MetaAnalysisResult fit = fit(studies.without(i), false);
      return new LeaveOneOut(i, fit.estimate(), fit.se(), fit.ciLower(), fit.ciUpper(), fit.p(),
          fit.tau2(), fit.i2(), fit.h2(), fit.q(), fit.qP());
    }).collect(Collectors.toCollection(ArrayList::new));
  }

  private MetaAnalysisResult fit(StudyEffects studies, boolean withTau2Interval) {
    int k = studies.k();
    if (k == 1) {
      return singleStudy(studies);
    }
    int df = k - 1;
    double tau2 = method.estimate(studies);
    StudyEffects.WeightedSums fixed = studies.weighted(0);
    StudyEffects.WeightedSums sums = studies.weighted(tau2);
    double variance = 1 / sums.sumW();
    double critical = Z_CRITICAL;
    if (test == SignificanceTest.KNHA) {
      variance *= sums.rss() <= MACHINE_EPSILON ? 0 : sums.rss() / df;
      critical = new TDistribution(null, df, QUANTILE_ACCURACY).inverseCumulativeProbability(1 - TWO_SIDED_ALPHA / 2);
    }
    double mu = sums.mu();
    double se = Math.sqrt(variance);
    double statistic = ratio(mu, se);
    double p = test == SignificanceTest.KNHA ? tPValue(statistic, df) : zPValue(statistic);
    double halfCi = critical * se;
    double halfPi = method == TauEstimator.FE ? halfCi : critical * Math.sqrt(variance + tau2);

    double q = Math.max(0, fixed.rss());
    double qP = Gamma.regularizedGammaQ(df / 2.0, q / 2);
    double i2;
    double h2;
    if (method == TauEstimator.FE) {
      i2 = Math.max(0, 100 * (q - df) / q);
      h2 = q / df;
    } else {
      double typicalVariance = df / fixed.traceP();
      i2 = 100 * tau2 / (typicalVariance + tau2);
      h2 = tau2 / typicalVariance + 1;
    }
    double tau2Lower = Double.NaN;
    double tau2Upper = Double.NaN;
    if (withTau2Interval && method != TauEstimator.FE) {
      ChiSquaredDistribution chiSquare = new ChiSquaredDistribution(null, df, QUANTILE_ACCURACY);
      tau2Lower = GeneralisedQ.solve(studies, chiSquare.inverseCumulativeProbability(1 - TWO_SIDED_ALPHA / 2));
      tau2Upper = GeneralisedQ.solve(studies, chiSquare.inverseCumulativeProbability(TWO_SIDED_ALPHA / 2));
    }
    return checked(new MetaAnalysisResult(method, test, k, mu, se, statistic, mu - halfCi, mu + halfCi, p,
        mu - halfPi, mu + halfPi, tau2, tau2Lower, tau2Upper, i2, h2, q, df, qP));
  }

  /** k = 1: metafor fits tau^2 = 0 and the z test, with Q = 0 on 0 df, p = 1, I^2 = 0, H^2 = 1. */
  private MetaAnalysisResult singleStudy(StudyEffects studies) {
    StudyEffects.WeightedSums sums = studies.weighted(0);
    double mu = sums.mu();
    double se = Math.sqrt(1 / sums.sumW());
    double statistic = ratio(mu, se);
    double half = Z_CRITICAL * se;
    return checked(new MetaAnalysisResult(method, SignificanceTest.Z, 1, mu, se, statistic, mu - half,
        mu + half, zPValue(statistic), mu - half, mu + half, 0, Double.NaN, Double.NaN, 0, 1, 0, 0, 1));
  }

  /** estimate / se, with 0/0 (a zero estimate with a zero Knapp-Hartung SE) defined as 0. */
  private static double ratio(double estimate, double se) {
    return estimate == 0 ? 0 : estimate / se;
  }

  private static double zPValue(double z) {
    return Erf.erfc(Math.abs(z) / Math.sqrt(2));
  }

  private static double tPValue(double t, int df) {
    if (Double.isInfinite(t)) {
      return 0;
    }
    return 2 * new TDistribution(null, df).cumulativeProbability(-Math.abs(t));
  }

  /** Guards against a silent NaN from numerically extreme input (e.g. overflowing squares). */
  private static MetaAnalysisResult checked(MetaAnalysisResult r) {
    double[] values = {r.estimate(), r.se(), r.statistic(), r.ciLower(), r.ciUpper(), r.p(), r.piLower(),
        r.piUpper(), r.tau2(), r.i2(), r.h2(), r.q(), r.qP()};
    for (double value : values) {
      if (Double.isNaN(value)) {
        throw new MetaAnalysisException("The meta-analysis (" + r.method() + ", k = " + r.k()
            + ") produced an undefined value; the effect sizes or variances are numerically extreme"
            + " (rescale them, e.g. to standard units).");
      }
    }
    return r;
  }
}
