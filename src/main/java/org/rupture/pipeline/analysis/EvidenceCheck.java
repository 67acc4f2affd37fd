package org.rupture.pipeline.analysis;

import java.util.ArrayList;
import java.util.List;
import org.rupture.pipeline.stats.effects.MeanDifferences;

/**
 * Classifies each pooled effect against its claim: supports (claimed direction, 95% CI excludes zero),
 * contrasts (opposite direction, CI excludes zero) or inconclusive; and for each published effect size of
 * the claim, whether the pooled interval overlaps the published one on the published scale (a pooled
 * Hedges' g is converted to r with the pooled group sizes when the publication reports r). A pooled odds
 * ratio (log_or) is compared with no published r or SMD: there is no conversion without the outcome's base
 * rate and the predictor's spread, so its rows say so ({@link #notComparable}) instead of overlapping
 * intervals on different scales. Verdicts are on the yi scale: an OR interval excluding 1 has a direction.
 */
public final class EvidenceCheck {
  private EvidenceCheck() {
  }

  /** One row per published effect of the claim (one row with no published effect when it has none). */
  public static List<Evidence> check(PooledEffect pooled) {
    String verdict = verdict(pooled);
    List<Evidence> rows = new ArrayList<>();
    if (pooled.spec().published().isEmpty()) {
      rows.add(new Evidence(pooled, verdict, null, Double.NaN, Double.NaN, Double.NaN, null));
      return rows;
    }
    for (PublishedEffect published : pooled.spec().published()) {
      if (pooled.result() == null || notComparable(pooled, published) != null) {
        rows.add(new Evidence(pooled, verdict, published, Double.NaN, Double.NaN, Double.NaN, null));
        continue;
      }
      double[] comparable = onPublishedScale(pooled, published);
      boolean overlap = comparable[1] <= published.ciUpper() && published.ciLower() <= comparable[2];
      rows.add(new Evidence(pooled, verdict, published, comparable[0], comparable[1], comparable[2], overlap));
    }
    return rows;
  }

  /** The verdict of a pooled effect on its claim. */
  public static String verdict(PooledEffect pooled) {
    if (pooled.result() == null) {
      return Evidence.NOT_POOLED;
    }
    int direction = pooled.direction();
    if (direction == 0) {
      return Evidence.INCONCLUSIVE;
    }
    return direction == pooled.spec().expectedSign() ? Evidence.SUPPORTS : Evidence.CONTRASTS;
  }

  /**
   * Why a pooled effect cannot be compared with a published one, or null when it can: a pooled odds ratio
   * against a published r or SMD (a point-biserial r or a g is not an odds ratio, and no conversion between
   * them holds without the base rate of the outcome and the spread of the predictor).
   */
  public static String notComparable(PooledEffect pooled, PublishedEffect published) {
    if (published == null || !pooled.effectType().equals(SiteOddsRatios.EFFECT_TYPE)) {
      return null;
    }
    return "an odds ratio is not comparable with the published " + published.effect()
        + "; compare the published effect with this analysis's r row";
  }

  /** Pooled {estimate, ci lower, ci upper} on the published effect's scale. */
  private static double[] onPublishedScale(PooledEffect pooled, PublishedEffect published) {
    double[] reported = {pooled.estimate(), pooled.ciLower(), pooled.ciUpper()};
    boolean smdAsR = pooled.effectType().equals("smd") && published.effect().equals(PublishedEffect.R);
    if (!smdAsR) {
      return reported;
    }
    long n1 = pooled.groupTotals()[0];
    long n2 = pooled.groupTotals()[1];
    return new double[] {MeanDifferences.gToR(reported[0], n1, n2), MeanDifferences.gToR(reported[1], n1, n2),
        MeanDifferences.gToR(reported[2], n1, n2)};
  }
}
