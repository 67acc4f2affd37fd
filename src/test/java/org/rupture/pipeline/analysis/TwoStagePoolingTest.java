package org.rupture.pipeline.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.rupture.pipeline.stats.meta.SignificanceTest;
import org.rupture.pipeline.stats.meta.TauEstimator;

/** Why an analysis x rater x measure is not pooled, as its note says (no Spark). */
class TwoStagePoolingTest {
  private static final AnalysisSpec SPEC = AnalysisConfig.defaults().analyses().stream()
      .filter(s -> s.id().equals("resolution_outcome")).findFirst().orElseThrow();
  private static final EffectKey KEY = new EffectKey("resolution_outcome", "patient", "IIP");
  private static final SiteMoments.CrossProductSums NO_SUMS = new SiteMoments.CrossProductSums(0, 0, 0, 0, 0, 0, 0, 0,
      0, 0);
  private static final TwoStagePooling POOLING = new TwoStagePooling(TauEstimator.REML, SignificanceTest.Z);

  private static SiteEffect site(String site, long n) {
    return site(site, n, 0.5);
  }

  private static SiteEffect site(String site, long n, double covXY) {
    SiteMoments m = new SiteMoments(KEY, site, n, 0.5, 0.5, 1.0, 2.0, covXY, 0, 0, Double.NaN, Double.NaN, Double.NaN,
        0, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, NO_SUMS);
    return SPEC.kind().siteEffect(SPEC, m, 10);
  }

  /**
   * Of two pooled sites, each leave-one-out fit is the other site alone: its own effect, with tau^2 = 0 (as
   * metafor's leave1out and the meta command give it; both checked against R in RandomEffectsModelGoldenTest).
   */
  @Test
  void twoPooledSitesHaveALeaveOneOutFitEachThatIsTheOtherSite() {
    SiteEffect a = site("S01", 25, 0.5);
    SiteEffect b = site("S02", 30, 1.1);
    PooledEffect p = POOLING.pool(KEY, SPEC, List.of(a, b));
    List<LeaveOneOutEffect> l1o = POOLING.leaveOneOut(p, List.of(a, b));
    assertEquals(List.of("S01", "S02"), l1o.stream().map(LeaveOneOutEffect::omittedSite).toList());
    assertEquals(b.estimate().yi(), l1o.get(0).result().estimate(), 1e-12);
    assertEquals(a.estimate().yi(), l1o.get(1).result().estimate(), 1e-12);
    assertEquals(Math.sqrt(b.estimate().vi()), l1o.get(0).result().se(), 1e-12);
    assertEquals(0.0, l1o.get(0).result().tau2(), 0.0);
  }

  @Test
  void aSingleSiteIsNotPointedToAnExclusionItDoesNotHave() {
    SiteEffect only = site("S01", 25);
    assertNull(only.excludedReason());

    PooledEffect p = POOLING.pool(KEY, SPEC, List.of(only));
    assertNull(p.result());
    assertEquals(1, p.k());
    assertEquals(25, p.nTotal());
    assertEquals("only 1 site in the data; pooling needs at least 2", p.notPooled());
  }

  @Test
  void tooFewPooledSitesPointToTheExcludedOnes() {
    PooledEffect p = POOLING.pool(KEY, SPEC, List.of(site("S01", 25), site("S02", 7)));
    assertNull(p.result());
    assertEquals(1, p.k());
    assertEquals("1 site(s) could be pooled, at least 2 are needed (see excluded_reason in site_effects)",
        p.notPooled());
    assertTrue(POOLING.leaveOneOut(p, List.of(site("S01", 25), site("S02", 7))).isEmpty());
  }

  /** A key no site has a patient for (every site n = 0): k = 0 and what no site has, not "0 site(s) could be pooled". */
  @Test
  void anEffectNoSiteHasDataForSaysWhatIsMissing() {
    SiteEffect s1 = SPEC.kind().siteEffect(SPEC, SiteMoments.none(KEY, "S01"), 10);
    SiteEffect s2 = SPEC.kind().siteEffect(SPEC, SiteMoments.none(KEY, "S02"), 10);
    PooledEffect p = POOLING.pool(KEY, SPEC, List.of(s1, s2));
    assertNull(p.result());
    assertEquals(0, p.k());
    assertEquals(0, p.nTotal());
    assertEquals("no site has data: no patient with both mean_resolution and improvement on IIP", p.notPooled());
    assertEquals(Evidence.NOT_POOLED, EvidenceCheck.verdict(p));
    assertTrue(POOLING.leaveOneOut(p, List.of(s1, s2)).isEmpty());
    // a single site without data says so too, rather than that pooling needs two sites
    assertEquals(p.notPooled(), POOLING.pool(KEY, SPEC, List.of(s1)).notPooled());

    // sites lacking different things: the kind's reason
    SiteEffect other = new SiteEffect(KEY, "S03", "r", 0, null, null, "no session ratings");
    assertEquals("no site has data: no patient with both mean_resolution and improvement on IIP",
        POOLING.pool(KEY, SPEC, List.of(s1, other)).notPooled());
    assertEquals("no site has data: no session ratings", POOLING.pool(KEY, SPEC, List.of(other)).notPooled());
    assertEquals("no site in the data", POOLING.pool(KEY, SPEC, List.of()).notPooled());
  }
}
