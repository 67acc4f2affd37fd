package org.rupture.pipeline.analysis;

import java.util.List;
import org.rupture.pipeline.stats.models.Coefficient;
import org.rupture.pipeline.stats.models.LogisticResult;
import org.rupture.pipeline.stats.models.MixedModelResult;

/**
 * One one-stage individual-patient-data model of {@code results/ipd_models.json}, with its agreement with
 * the two-stage pooled effect of the same analysis x rater x measure.
 *
 * @param key             analysis, rater, measure
 * @param spec            the analysis
 * @param type            linear mixed or logistic
 * @param formula         the model, R style
 * @param predictorTerm   name of the predictor's coefficient
 * @param sites           sites in the model (when not fitted: the sites with data it would have had)
 * @param sitesLeftOut    sites left out and why (logistic: sites without both outcomes carry no information
 *                        on the predictor once they have their own intercept)
 * @param mixed           the linear mixed model fit (null for logistic)
 * @param randomSlope     linear mixed: whether the predictor has a random slope
 * @param logistic        the logistic fit (null for linear mixed)
 * @param notFitted       why the model could not be fitted (then both fits are null), else null
 * @param note            how the model departs from its usual form, else null (logistic with one site: no
 *                        site term)
 * @param twoStage        the two-stage pooled effect of the same key it is compared with (null when there is
 *                        none): for a logistic model the pooled log odds ratio (effect_type log_or) when the
 *                        analysis has one, else the analysis's own effect (r, r_rm, smd)
 * @param available       patients of {@code sites}: those the model has, or would have had when not fitted
 */
public record IpdModel(EffectKey key, AnalysisSpec spec, OneStageModel type, String formula, String predictorTerm,
    List<String> sites, List<String> sitesLeftOut, MixedModelResult mixed, boolean randomSlope,
    LogisticResult logistic, String notFitted, String note, PooledEffect twoStage, long available) {
  /** Both intervals show the same direction, or both include zero. */
  public static final String AGREE = "agree";
  /** One interval excludes zero, the other does not: compatible within their uncertainty. */
  public static final String DIFFER_IN_SIGNIFICANCE = "differ in significance";
  /** The intervals exclude zero on opposite sides: a disagreement beyond their uncertainty. */
  public static final String OPPOSITE_DIRECTIONS = "opposite directions";
  /** The model was not fitted, or there is no pooled two-stage estimate to compare with. */
  public static final String NOT_COMPARED = "not compared";

  /** The predictor's coefficient (log odds ratio per unit for logistic models). */
  public Coefficient predictor() {
    return mixed != null ? mixed.fixedEffect(predictorTerm) : logistic.coefficient(predictorTerm);
  }

  /**
   * Patients in the model; when not fitted, the patients of its {@link #sites} it would have had (so with
   * {@code k = 1} the one site's patients, not 0; 0 only when no site has data).
   */
  public long n() {
    return mixed != null ? mixed.n() : logistic != null ? logistic.n() : available;
  }

  /**
   * The one-stage predictor on the two-stage effect's scale where the two share one: a fitted logistic model
   * compared with a pooled log odds ratio gives the odds ratio of <em>retention</em> per unit of the predictor,
   * exp(-b) with 95% CI exp(-upper), exp(-lower) and the coefficient's p (the coefficient b is on dropout, the
   * pooled log OR on retained). Null otherwise: a linear mixed model's slope (improvement per unit) and a pooled
   * correlation or SMD are not on one scale, nor is a logistic coefficient and a pooled r.
   */
  public LogisticResult.OddsRatio retentionOddsRatio() {
    if (logistic == null || twoStage == null || !SiteOddsRatios.EFFECT_TYPE.equals(twoStage.effectType())) {
      return null;
    }
    Coefficient c = predictor();
    return new LogisticResult.OddsRatio(c.name(), Math.exp(-c.estimate()), Math.exp(-c.ciUpper()),
        Math.exp(-c.ciLower()), c.p());
  }

  /** True when one-stage and two-stage disagree beyond their uncertainty. */
  public boolean disagrees() {
    return OPPOSITE_DIRECTIONS.equals(agreement());
  }

  /**
   * {@link #AGREE}, {@link #DIFFER_IN_SIGNIFICANCE}, {@link #OPPOSITE_DIRECTIONS} or {@link #NOT_COMPARED}:
   * the direction the predictor's 95% interval shows against the two-stage pooled interval's (on its yi scale,
   * see {@link PooledEffect#direction}: a pooled log OR's against 0, i.e. its OR interval against 1). A logistic
   * coefficient is on dropout while the two-stage effect (the log OR of retention, or for an analysis without
   * odds ratios its correlation) is on retained, so its direction is reversed before comparing.
   */
  public String agreement() {
    if (notFitted != null || twoStage == null || twoStage.result() == null) {
      return NOT_COMPARED;
    }
    Coefficient c = predictor();
    int one = c.ciLower() > 0 ? 1 : c.ciUpper() < 0 ? -1 : 0;
    if (type == OneStageModel.LOGISTIC) {
      one = -one;
    }
    int two = twoStage.direction();
    if (one == two) {
      return AGREE;
    }
    return one != 0 && two != 0 ? OPPOSITE_DIRECTIONS : DIFFER_IN_SIGNIFICANCE;
  }
}
