package org.rupture.pipeline.stats.meta;

/**
 * Validated effect sizes y_i and sampling variances v_i of k studies, with the sums every estimator of
 * the intercept-only random-effects model needs. Like metafor, the effect sizes are centred on their
 * mean for estimating tau^2 (residuals are unchanged because the model has an intercept), which keeps
 * the sums accurate when the effects are large compared with their spread.
 */
final class StudyEffects {
  private final double[] yi;
  private final double[] vi;
  private final double[] centred;
  private final double mean;
  private final double meanVariance;
  private WeightedSums fixedSums;
  private AtTau2 lastSums;

  private StudyEffects(double[] yi, double[] vi) {
    this.yi = yi;
    this.vi = vi;
    int k = yi.length;
    double sum = 0;
    double sumV = 0;
    for (int i = 0; i < k; i++) {
      sum += yi[i];
      sumV += vi[i];
    }
    this.mean = sum / k;
    this.meanVariance = sumV / k;
    this.centred = new double[k];
    for (int i = 0; i < k; i++) {
      centred[i] = yi[i] - mean;
    }
  }

  /**
   * Checks and copies the input.
   *
   * @throws MetaAnalysisException when an array is null, the lengths differ, there is no study, a y_i
   *     is not finite, or a v_i is not finite and positive
   */
  static StudyEffects of(double[] yi, double[] vi) {
    if (yi == null || vi == null) {
      throw new MetaAnalysisException("Effect sizes (yi) and sampling variances (vi) must both be given.");
    }
    if (yi.length != vi.length) {
      throw new MetaAnalysisException("There are " + yi.length + " effect sizes (yi) but " + vi.length
          + " sampling variances (vi); each study needs exactly one of each.");
    }
    if (yi.length == 0) {
      throw new MetaAnalysisException("There are no studies to pool (k = 0).");
    }
    for (int i = 0; i < yi.length; i++) {
      if (!Double.isFinite(yi[i])) {
        throw new MetaAnalysisException("Study " + (i + 1) + ": the effect size yi is " + yi[i]
            + "; every study needs a finite effect size (remove the study or fix its value).");
      }
      if (!(vi[i] > 0) || !Double.isFinite(vi[i])) {
        throw new MetaAnalysisException("Study " + (i + 1) + ": the sampling variance vi is " + vi[i]
            + "; it must be positive and finite (a study without sampling error cannot be weighted).");
      }
    }
    return new StudyEffects(yi.clone(), vi.clone());
  }

  /** The same studies without study {@code omitted} (0-based); needs k >= 2. */
  StudyEffects without(int omitted) {
    int k = yi.length;
    double[] y = new double[k - 1];
    double[] v = new double[k - 1];
    System.arraycopy(yi, 0, y, 0, omitted);
    System.arraycopy(yi, omitted + 1, y, omitted, k - omitted - 1);
    System.arraycopy(vi, 0, v, 0, omitted);
    System.arraycopy(vi, omitted + 1, v, omitted, k - omitted - 1);
    return new StudyEffects(y, v);
  }

  int k() {
    return yi.length;
  }

  /** Mean sampling variance: the natural scale of tau^2, used for scale-free convergence criteria. */
  double meanVariance() {
    return meanVariance;
  }

  /** Sum of squared deviations of y_i from their unweighted mean. */
  double centredSumOfSquares() {
    double s = 0;
    for (double c : centred) {
      s += c * c;
    }
    return s;
  }

  /** Sum of log(v_i + tau^2), for the (restricted) log-likelihood. */
  double sumLogMarginalVariance(double tau2) {
    double s = 0;
    for (double v : vi) {
      s += Math.log(v + tau2);
    }
    return s;
  }

  /**
   * Weighted sums with weights w_i = 1 / (v_i + tau^2). The fixed-effect sums (tau^2 = 0) and those of
   * the last tau^2 asked for are kept: every fit asks for the fixed-effect sums and, after the check of
   * the likelihood at tau^2 = 0, for both again.
   */
  WeightedSums weighted(double tau2) {
    // the fields hold immutable records: a racing second computation only gives the same sums again
    if (tau2 == 0) {
      WeightedSums sums = fixedSums;
      if (sums == null) {
        sums = computeWeighted(0);
        fixedSums = sums;
      }
      return sums;
    }
    AtTau2 last = lastSums;
    if (last != null && last.tau2() == tau2) {
      return last.sums();
    }
    WeightedSums sums = computeWeighted(tau2);
    lastSums = new AtTau2(tau2, sums);
    return sums;
  }

  private record AtTau2(double tau2, WeightedSums sums) {}

  /**
   * One division per study, its weight kept for the second pass: the weighted sums are most of the work
   * of an iterative fit (k = 2,000 sites, leave-one-out: k fits of about six iterations each).
   *
   * <p>The traces of P and PP are sums of terms w_i (1 - w_i/sum w) and w_i^2 ((1 - w_i/sum w)^2 +
   * sum over j != i of (w_j/sum w)^2), not the textbook power-sum formulas: those subtract nearly equal
   * numbers when one study's weight dwarfs the others (tr(PP) came out exactly 0 at a ratio of 1e9 between
   * sampling variances, and REML's step divided by it). Only the largest weight can hold more than half of
   * a sum, so its complements are summed directly and every other term is computed without cancellation.
   */
  private WeightedSums computeWeighted(double tau2) {
    int k = yi.length;
    double[] weights = new double[k];
    double sumW = 0;
    double sumW2 = 0;
    double sumWy = 0;
    int largest = 0;
    for (int i = 0; i < k; i++) {
      double w = 1 / (vi[i] + tau2);
      weights[i] = w;
      sumW += w;
      sumW2 += w * w;
      sumWy += w * centred[i];
      if (w > weights[largest]) {
        largest = i;
      }
    }
    double centredMu = sumWy / sumW;
    double rss = 0;
    double sumW2R2 = 0;
    double traceP = 0;
    double tracePP = 0;
    double othersW = 0;
    double othersW2 = 0;
    for (int i = 0; i < k; i++) {
      double w = weights[i];
      double wr = w * (centred[i] - centredMu);
      rss += wr * (centred[i] - centredMu);
      sumW2R2 += wr * wr;
      if (i != largest) {
        othersW += w;
        othersW2 += w * w;
        double complement = (sumW - w) / sumW;
        traceP += w * complement;
        tracePP += w * w * (complement * complement + (sumW2 - w * w) / (sumW * sumW));
      }
    }
    double w = weights[largest];
    double complement = othersW / sumW;
    traceP += w * complement;
    tracePP += w * w * (complement * complement + othersW2 / (sumW * sumW));
    return new WeightedSums(sumW, sumW2, mean + centredMu, rss, sumW2R2, traceP, tracePP);
  }

  /**
   * Sums over studies with weights w_i = 1/(v_i + tau^2); mu is the weighted mean of y_i. With
   * W = diag(w) and P = W - w w' / sum(w) (metafor's P for an intercept-only model), y'Py = rss,
   * y'PPy = sumW2R2.
   *
   * @param sumW sum of w_i
   * @param sumW2 sum of w_i^2
   * @param mu weighted mean sum(w_i y_i) / sum(w_i)
   * @param rss weighted residual sum of squares sum(w_i (y_i - mu)^2), the generalised Q statistic
   * @param sumW2R2 sum(w_i^2 (y_i - mu)^2), minus the derivative of rss with respect to tau^2
   * @param traceP tr(P) = sum(w) - sum(w^2) / sum(w)
   * @param tracePP tr(PP) = sum(w^2) - 2 sum(w^3) / sum(w) + (sum(w^2) / sum(w))^2
   */
  record WeightedSums(double sumW, double sumW2, double mu, double rss, double sumW2R2, double traceP,
      double tracePP) {}
}
