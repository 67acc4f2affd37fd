package org.rupture.pipeline.analysis;

import java.util.List;
import org.rupture.pipeline.features.FeatureCatalog;

/**
 * One configured analysis: one published claim tested per rater and per outcome measure (SPEC 7).
 *
 * @param id           stable name used in every output row
 * @param kind         how the analysis is computed (also fixes its level and effect type)
 * @param predictor    predictor variable (for a mean difference: the grouping variable, or the variable
 *                     whose rater difference is taken)
 * @param outcome      outcome variable; null for a paired rater difference
 * @param raters       raters analysed separately; for a paired difference [minuend, subtrahend]; empty
 *                     when no variable of the analysis depends on the rater
 * @param arm          mean differences between groups: the predictor value of the focal group
 * @param comparison   mean differences between groups: the comparison group's value (null = all others)
 * @param expectedSign +1 or -1, the direction the claim states
 * @param claim        the published claim, in words
 * @param published    published effect sizes the pooled result is compared with (may be empty)
 */
public record AnalysisSpec(String id, AnalysisKind kind, String predictor, String outcome, List<String> raters,
    String arm, String comparison, int expectedSign, String claim, List<PublishedEffect> published) {

  public AnalysisSpec {
    raters = List.copyOf(raters);
    published = List.copyOf(published);
  }

  /** Predictor as written in outputs: for group comparisons it names the two groups. */
  public String predictorLabel() {
    if (arm == null) {
      return predictor;
    }
    return predictor + " (" + arm + " vs " + (comparison == null ? "other" : comparison) + ")";
  }

  /**
   * The predictor column of the result tables, as SPEC 7 names it. A group comparison of a process variable
   * (treatment_difference: rupture_rate of CBT vs the other treatments) has that variable as its predictor,
   * named with the groups, and no outcome, like the rater difference of a process variable; one of an outcome
   * (training_effect: improvement after vs before the training) has the grouping as its predictor.
   */
  public String predictorColumn() {
    return comparesAProcessVariable()
        ? outcome + " (" + arm + " vs " + (comparison == null ? "others" : comparison) + ")"
        : predictorLabel();
  }

  /** The outcome column of the result tables: none for a comparison of a process variable (SPEC 7). */
  public String outcomeColumn() {
    return comparesAProcessVariable() ? null : outcome;
  }

  /** Groups of patients compared on a rated process variable rather than on an outcome. */
  private boolean comparesAProcessVariable() {
    return arm != null && outcome != null && !outcome.equals(FeatureCatalog.IMPROVEMENT)
        && !outcome.equals(FeatureCatalog.RETAINED);
  }

  /** Returns a copy with different raters, arm and comparison (kinds fill their defaults with it). */
  AnalysisSpec with(List<String> newRaters, String newArm, String newComparison) {
    return new AnalysisSpec(id, kind, predictor, outcome, newRaters, newArm, newComparison, expectedSign, claim,
        published);
  }
}
