package org.rupture.pipeline.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rupture.pipeline.features.FeatureCatalog;

/** Exclusion rules of SPEC 7 applied by the kinds to one site's moments (no Spark). */
class SiteEffectTest {
  private static final AnalysisConfig DEFAULTS = AnalysisConfig.defaults();
  private static final SiteMoments.CrossProductSums NO_SUMS = new SiteMoments.CrossProductSums(0, 0, 0, 0, 0, 0, 0, 0,
      0, 0);

  private static AnalysisSpec spec(String id) {
    return DEFAULTS.analyses().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
  }

  private static SiteMoments patientMoments(long n, double varX, double varY, double covXY) {
    return new SiteMoments(new EffectKey("a", "patient", null), "S01", n, 0.5, 0.5, varX, varY, covXY, 0, 0, Double.NaN,
        Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, NO_SUMS);
  }

  @Test
  void aSmallSiteKeepsItsEstimateButIsNotPooled() {
    AnalysisSpec spec = spec("resolution_outcome");
    SiteEffect e = spec.kind().siteEffect(spec, patientMoments(7, 1.0, 2.0, 0.5), 10);
    assertEquals("n=7 below min_site_n=10", e.excludedReason());
    assertNotNull(e.estimate());
    assertFalse(e.pooled());
    assertTrue(spec.kind().siteEffect(spec, patientMoments(10, 1.0, 2.0, 0.5), 10).pooled());
  }

  @Test
  void zeroVarianceIsAnExclusionNotANaN() {
    AnalysisSpec spec = spec("resolution_outcome");
    SiteEffect e = spec.kind().siteEffect(spec, patientMoments(25, 0.0, 2.0, 0.0), 10);
    assertNull(e.estimate());
    assertTrue(e.excludedReason().contains("zero variance"), e.excludedReason());

    AnalysisSpec paired = spec("rater_difference");
    SiteEffect p = paired.kind().siteEffect(paired, patientMoments(25, 0.0, Double.NaN, Double.NaN), 10);
    assertNull(p.estimate());
    assertTrue(p.excludedReason().contains("differences are equal"), p.excludedReason());
  }

  @Test
  void groupComparisonsNeedTwoPatientsPerGroup() {
    AnalysisSpec spec = spec("treatment_difference");
    SiteMoments oneInArm = new SiteMoments(new EffectKey("a", "patient", null), "S01", 13, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 1, 0.2, Double.NaN, 12, 0.4, 0.01, NO_SUMS);
    SiteEffect e = spec.kind().siteEffect(spec, oneInArm, 10);
    assertEquals(13, e.n());
    assertNull(e.estimate());
    assertTrue(e.excludedReason().contains("at least 2 patients in each group"), e.excludedReason());
  }

  @Test
  void repeatedMeasuresCountContributingPatients() {
    AnalysisSpec spec = spec("intensity_alliance");
    SiteMoments m = new SiteMoments(new EffectKey("a", "patient", null), "S01", 14, 0, 0, 0, 0, 0, 12, 40, 10.0, 8.0,
        -3.0, 0, 0, 0, 0, 0, 0, NO_SUMS);
    SiteEffect e = spec.kind().siteEffect(spec, m, 10);
    assertEquals(12, e.n(), "patients with at least 2 rows, not all 14");
    assertTrue(e.pooled());
    assertEquals(-3.0 / Math.sqrt(80.0), e.estimate().estimate(), 1e-15);

    SiteMoments noneWithTwoRows = new SiteMoments(new EffectKey("a", "patient", null), "S01", 3, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, NO_SUMS);
    SiteEffect none = spec.kind().siteEffect(spec, noneWithTwoRows, 10);
    assertEquals(0, none.n());
    assertEquals("no patient with both rupture_intensity and alliance in at least 2 early-window rupture sessions",
        none.excludedReason(), "3 patients with one usable session each: what is missing, not n=0 below min_site_n");
  }

  @Test
  void aSiteWithNoPatientSaysWhatNoneOfItsPatientsHas() {
    Map<String, String> reasons = new LinkedHashMap<>();
    reasons.put("resolution_outcome", "no patient with both mean_resolution and improvement on IIP");
    reasons.put("resolution_retention", "no patient with both mean_resolution and retained");
    reasons.put("intensity_quality",
        "no patient with both rupture_intensity and session_quality in at least 2 early-window rupture sessions");
    reasons.put("rater_difference", "no patient with rupture_rate from both therapist and patient");
    reasons.put("treatment_difference", "no patient in either group of treatment (CBT vs other) with rupture_rate");
    reasons.put("training_effect",
        "no patient in either group of therapist_training_phase (post vs pre) with improvement on IIP");
    reasons.forEach((id, reason) -> {
      AnalysisSpec spec = spec(id);
      EffectKey key = new EffectKey(id, "patient", FeatureCatalog.IMPROVEMENT.equals(spec.outcome()) ? "IIP" : null);
      SiteEffect e = spec.kind().siteEffect(spec, SiteMoments.none(key, "S09"), 10);
      assertEquals(key, e.key(), id);
      assertEquals("S09", e.site(), id);
      assertEquals(spec.kind().effectType(), e.effectType(), id);
      assertEquals(0, e.n(), id);
      assertNull(e.estimate(), id);
      assertFalse(e.pooled(), id);
      assertEquals(reason, e.excludedReason(), id);
    });
  }
}
