package org.rupture.pipeline.stats.meta;

/**
 * Estimators of the between-study variance tau^2 in the intercept-only random-effects model
 * y_i = mu + u_i + e_i, u_i ~ N(0, tau^2), e_i ~ N(0, v_i), each computed exactly as
 * {@code metafor::rma.uni(method = ...)} (metafor 3.8 documentation, "rma.uni", section "Specifying
 * the Model"; Viechtbauer 2005, J Educ Behav Stat 30:261-293). Every estimate is truncated at 0.
 *
 * <p>Notation: w_i = 1/v_i; Q = sum(w_i (y_i - mu_w)^2) is Cochran's Q; tr P = sum w - sum w^2 / sum w.
 * Each constant is the strategy that computes its estimate; all need k >= 2 (with k = 1,
 * {@link RandomEffectsModel} sets tau^2 = 0 without calling them, as metafor).
 */
public enum TauEstimator {
  /**
   * Restricted maximum likelihood (metafor's default), by Fisher scoring from the HE estimate with step
   * halving at the boundary (Viechtbauer 2005).
   */
  REML {
    @Override
    double estimate(StudyEffects studies) {
      return FisherScoring.REML.estimate(studies, HE.estimate(studies));
    }
  },
  /** DerSimonian and Laird (1986) method of moments: (Q - (k - 1)) / tr P. */
  DL {
    @Override
    double estimate(StudyEffects studies) {
      StudyEffects.WeightedSums fixed = studies.weighted(0);
      return Math.max(0, (fixed.rss() - (studies.k() - 1)) / fixed.traceP());
    }
  },
  /**
   * Paule and Mandel (1982): the tau^2 at which the generalised Q statistic equals its expectation k - 1
   * (0 when Q(0) is already below k - 1), found as a root like metafor's {@code uniroot}.
   */
  PM {
    @Override
    double estimate(StudyEffects studies) {
      return GeneralisedQ.solve(studies, studies.k() - 1);
    }
  },
  /** Maximum likelihood, by Fisher scoring from the HE estimate with step halving (Viechtbauer 2005). */
  ML {
    @Override
    double estimate(StudyEffects studies) {
      return FisherScoring.ML.estimate(studies, HE.estimate(studies));
    }
  },
  /** Hunter and Schmidt (2004): (Q - k) / sum w (metafor's "HS", which subtracts k, not k - 1). */
  HS {
    @Override
    double estimate(StudyEffects studies) {
      StudyEffects.WeightedSums fixed = studies.weighted(0);
      return Math.max(0, (fixed.rss() - studies.k()) / fixed.sumW());
    }
  },
  /**
   * Sidik and Jonkman (2005), as metafor's "SJ": one step from tau0^2 = sum((y_i - ybar)^2) / k,
   * tau^2 = tau0^2 Q(tau0^2) / (k - 1) with Q the generalised Q statistic at weights 1/(v_i + tau0^2).
   * (metafor's iterated variant is "SJIT", which is not offered.)
   */
  SJ {
    @Override
    double estimate(StudyEffects studies) {
      int k = studies.k();
      double initial = studies.centredSumOfSquares() / k;
      return Math.max(0, initial * studies.weighted(initial).rss() / (k - 1));
    }
  },
  /**
   * Hedges (1983) unweighted method of moments: (sum((y_i - ybar)^2) - sum(v_i) (k - 1)/k) / (k - 1).
   * Also the starting value of the REML, ML and EB iterations.
   */
  HE {
    @Override
    double estimate(StudyEffects studies) {
      int k = studies.k();
      double sumV = studies.meanVariance() * k;
      return Math.max(0, (studies.centredSumOfSquares() - sumV * (k - 1) / k) / (k - 1));
    }
  },
  /** Empirical Bayes (Morris 1983), by metafor's scoring iteration from the HE estimate. */
  EB {
    @Override
    double estimate(StudyEffects studies) {
      return FisherScoring.EB.estimate(studies, HE.estimate(studies));
    }
  },
  /**
   * Fixed-effect (common-effect) model: tau^2 = 0 by assumption. I^2 and H^2 then come from Q
   * (max(0, (Q - (k - 1))/Q) x 100 and Q/(k - 1)), the tau^2 CI is not defined and the prediction
   * interval equals the confidence interval.
   */
  FE {
    @Override
    double estimate(StudyEffects studies) {
      return 0;
    }
  };

  /** tau^2 >= 0 for k >= 2 validated studies. */
  abstract double estimate(StudyEffects studies);
}
