package org.rupture.pipeline.stats.meta;

/**
 * The iterative tau^2 estimators of metafor's {@code rma.uni} that update tau^2 by a scoring step:
 * maximum likelihood, restricted maximum likelihood (Fisher scoring; Viechtbauer 2005) and the
 * empirical Bayes (Morris) estimator. Exactly as metafor: start at the Hedges (HE) estimate truncated
 * at 0; each iteration adds the step, halving it while it would make tau^2 negative; stop when tau^2
 * changes by no more than a threshold; for ML and REML, if the log-likelihood at tau^2 = 0 is higher
 * than at the converged value (a local maximum), use 0.
 *
 * <p>The threshold is relative, 1e-12 x (tau^2 + mean v_i), rather than metafor's absolute 1e-5, so the
 * result is precise on any scale and does not stall on rounding when tau^2 is large.
 */
enum FisherScoring {
  /** Maximum likelihood: step (y'PPy - sum w) / sum w^2. */
  ML {
    @Override
    double step(StudyEffects studies, StudyEffects.WeightedSums sums) {
      return (sums.sumW2R2() - sums.sumW()) / sums.sumW2();
    }

    @Override
    double logLikelihood(StudyEffects studies, double tau2) {
      StudyEffects.WeightedSums sums = studies.weighted(tau2);
      return -0.5 * (studies.sumLogMarginalVariance(tau2) + sums.rss());
    }
  },
  /** Restricted maximum likelihood: step (y'PPy - tr P) / tr(PP). */
  REML {
    @Override
    double step(StudyEffects studies, StudyEffects.WeightedSums sums) {
      return (sums.sumW2R2() - sums.traceP()) / sums.tracePP();
    }

    @Override
    double logLikelihood(StudyEffects studies, double tau2) {
      StudyEffects.WeightedSums sums = studies.weighted(tau2);
      return -0.5 * (studies.sumLogMarginalVariance(tau2) + Math.log(sums.sumW()) + sums.rss());
    }
  },
  /** Empirical Bayes: step (y'Py k/(k-1) - k) / sum w; its fixed point solves Q(tau^2) = k - 1. */
  EB {
    @Override
    double step(StudyEffects studies, StudyEffects.WeightedSums sums) {
      int k = studies.k();
      return (sums.rss() * k / (k - 1) - k) / sums.sumW();
    }

    @Override
    double logLikelihood(StudyEffects studies, double tau2) {
      return Double.NaN; // metafor runs no log-likelihood check for EB
    }
  };

  private static final double RELATIVE_THRESHOLD = 1e-12;
  private static final int MAX_ITERATIONS = 1000;
  /** Rounding margin for comparing log-likelihoods (their size grows with k). */
  private static final double LOG_LIKELIHOOD_TOLERANCE = 1e-10;

  /** The scoring step at the current tau^2 (before step halving). */
  abstract double step(StudyEffects studies, StudyEffects.WeightedSums sums);

  /** Log-likelihood up to a constant, or NaN for an estimator without metafor's tau^2 = 0 check. */
  abstract double logLikelihood(StudyEffects studies, double tau2);

  /** Iterates to convergence from {@code start} (>= 0). Needs k >= 2. */
  double estimate(StudyEffects studies, double start) {
    double tau2 = start;
    for (int iteration = 1; iteration <= MAX_ITERATIONS; iteration++) {
      double adjustment = step(studies, studies.weighted(tau2));
      if (!Double.isFinite(adjustment)) {
        throw new MetaAnalysisException(this + " Fisher scoring produced a non-finite step at tau^2 = "
            + tau2 + " (k = " + studies.k() + "); the data are numerically extreme, try method DL or PM.");
      }
      if (tau2 == 0 && adjustment < 0) {
        adjustment = 0; // metafor halves it until it underflows to zero
      }
      while (tau2 + adjustment < 0) {
        adjustment /= 2;
      }
      double previous = tau2;
      tau2 += adjustment;
      if (Math.abs(tau2 - previous) <= RELATIVE_THRESHOLD * (tau2 + studies.meanVariance())) {
        return checkedAgainstZero(studies, tau2);
      }
    }
    throw new MetaAnalysisException(this + " estimation of tau^2 did not converge in " + MAX_ITERATIONS
        + " iterations (k = " + studies.k() + "); try method PM or DL, which do not iterate this way.");
  }

  private double checkedAgainstZero(StudyEffects studies, double tau2) {
    if (tau2 <= RELATIVE_THRESHOLD * studies.meanVariance()) {
      return tau2;
    }
    double atZero = logLikelihood(studies, 0);
    if (Double.isNaN(atZero)) {
      return tau2;
    }
    double atEstimate = logLikelihood(studies, tau2);
    return atZero - atEstimate > LOG_LIKELIHOOD_TOLERANCE * (1 + Math.abs(atZero)) ? 0 : tau2;
  }
}
