package org.rupture.pipeline.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.rupture.pipeline.stats.meta.MetaAnalysisResult;
import org.rupture.pipeline.stats.meta.SignificanceTest;
import org.rupture.pipeline.stats.meta.TauEstimator;

/** Supporting vs. contrasting evidence (literature.md) from a pooled result. */
class EvidenceCheckTest {
  private static final AnalysisConfig DEFAULTS = AnalysisConfig.defaults();

  private static AnalysisSpec spec(String id) {
    return DEFAULTS.analyses().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
  }

  /** A pooled result on the yi scale with the given estimate and CI (other values irrelevant here). */
  private static PooledEffect pooled(AnalysisSpec spec, double estimate, double lower, double upper, long[] groups) {
    MetaAnalysisResult r = new MetaAnalysisResult(TauEstimator.REML, SignificanceTest.Z, 6, estimate, 0.1, 0, lower,
        upper, 0.5, lower, upper, 0, 0, 0.1, 0, 1, 3, 5, 0.7);
    return new PooledEffect(new EffectKey(spec.id(), "patient", "IIP"), spec, 6, 150, groups, r, null);
  }

  @Test
  void verdictFollowsTheIntervalAndTheClaimedSign() {
    AnalysisSpec positive = spec("resolution_outcome");
    AnalysisSpec negative = spec("intensity_outcome");
    assertEquals(Evidence.SUPPORTS, EvidenceCheck.verdict(pooled(positive, 0.3, 0.1, 0.5, null)));
    assertEquals(Evidence.CONTRASTS, EvidenceCheck.verdict(pooled(positive, -0.3, -0.5, -0.1, null)));
    assertEquals(Evidence.INCONCLUSIVE, EvidenceCheck.verdict(pooled(positive, 0.3, -0.1, 0.7, null)));
    assertEquals(Evidence.SUPPORTS, EvidenceCheck.verdict(pooled(negative, -0.3, -0.5, -0.1, null)));
    assertEquals(Evidence.NOT_POOLED, EvidenceCheck.verdict(
        new PooledEffect(new EffectKey("x", null, null), positive, 1, 20, null, null, "1 site(s)")));
  }

  @Test
  void compatibilityComparesIntervalsOnThePublishedScale() {
    // Fisher z [0.6, 0.9] is r [0.537, 0.716]: overlaps Eubanks 2018 [.10, .47]? no; Safran 2011 [.09, .39]? no
    List<Evidence> far = EvidenceCheck.check(pooled(spec("resolution_outcome"), 0.75, 0.6, 0.9, null));
    assertEquals(2, far.size());
    assertFalse(far.get(0).compatible());
    assertEquals(Math.tanh(0.6), far.get(0).comparableCiLower(), 1e-15);
    // z [0.2, 0.5] is r [0.197, 0.462]: overlaps both
    assertTrue(EvidenceCheck.check(pooled(spec("resolution_outcome"), 0.35, 0.2, 0.5, null)).stream()
        .allMatch(Evidence::compatible));
    // no published effect size: no compatibility
    Evidence none = EvidenceCheck.check(pooled(spec("intensity_outcome"), -0.3, -0.5, -0.1, null)).get(0);
    assertNull(none.published());
    assertNull(none.compatible());
  }

  @Test
  void aPooledSmdIsConvertedToRWithThePooledGroupSizes() {
    // training_effect: g = 1.0 [0.5, 1.5] with 40 + 40 patients; r = g / sqrt(g^2 + 80^2 / 1600)
    Evidence e = EvidenceCheck.check(pooled(spec("training_effect"), 1.0, 0.5, 1.5, new long[] {40, 40})).get(0);
    assertEquals(1.0 / Math.sqrt(1.0 + 4.0), e.comparableEstimate(), 1e-15);
    assertEquals(1.5 / Math.sqrt(2.25 + 4.0), e.comparableCiUpper(), 1e-15);
    assertTrue(e.compatible(), "r [0.243, 0.6] overlaps [.46, .78]");
  }

  @Test
  void aPooledOddsRatioHasItsVerdictOnTheLogScaleAndIsNotComparedWithAPublishedR() {
    AnalysisSpec retention = spec("resolution_retention");
    MetaAnalysisResult r = new MetaAnalysisResult(TauEstimator.REML, SignificanceTest.Z, 6, 0.4, 0.1, 0, 0.2,
        0.6, 0.5, 0.2, 0.6, 0, 0, 0.1, 0, 1, 3, 5, 0.7);
    PooledEffect or = new PooledEffect(new EffectKey(retention.id(), "patient", null), retention,
        SiteOddsRatios.EFFECT_TYPE, org.rupture.pipeline.stats.meta.ReportingScale.LOG_TO_RATIO, 6, 150, null, r, null);
    // log OR [0.2, 0.6] is OR [1.22, 1.82]: above 1, the claimed +
    assertEquals(Math.exp(0.2), or.ciLower(), 1e-15);
    assertEquals(Evidence.SUPPORTS, EvidenceCheck.verdict(or));
    // the same claim citing a published r: the odds ratio row is not put on the r scale
    AnalysisSpec cited = new AnalysisSpec(retention.id(), retention.kind(), retention.predictor(), retention.outcome(),
        retention.raters(), null, null, 1, retention.claim(),
        List.of(new PublishedEffect("a meta-analysis", PublishedEffect.R, 0.2, 0.1, 0.3)));
    PooledEffect citedOr = new PooledEffect(or.key(), cited, or.effectType(), or.scale(), 6, 150, null, r, null);
    Evidence e = EvidenceCheck.check(citedOr).get(0);
    assertEquals(Evidence.SUPPORTS, e.verdict());
    assertNull(e.compatible());
    assertTrue(Double.isNaN(e.comparableEstimate()));
    assertTrue(EvidenceCheck.notComparable(citedOr, e.published()).contains("not comparable with the published r"));
    // its r row is compared as usual
    PooledEffect citedR = new PooledEffect(or.key(), cited, 6, 150, null, r, null);
    assertNull(EvidenceCheck.notComparable(citedR, e.published()));
    assertTrue(EvidenceCheck.check(citedR).get(0).compatible());
  }
}
