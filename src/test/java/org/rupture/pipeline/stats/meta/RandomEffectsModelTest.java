package org.rupture.pipeline.stats.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Input validation, documented edge values and numerical robustness (the R comparison is the golden test). */
class RandomEffectsModelTest {
  private static final RandomEffectsModel REML_Z = new RandomEffectsModel(TauEstimator.REML, SignificanceTest.Z);

  @Test
  void rejectsInvalidInputNamingTheStudy() {
    assertMessage("no studies", () -> REML_Z.fit(new double[0], new double[0]));
    assertMessage("2 effect sizes (yi) but 3", () -> REML_Z.fit(new double[] {1, 2}, new double[] {1, 1, 1}));
    assertMessage("must both be given", () -> REML_Z.fit(null, new double[] {1}));
    assertMessage("Study 2: the effect size yi is NaN", () -> REML_Z.fit(new double[] {1, Double.NaN}, new double[] {1, 1}));
    assertMessage("Study 1: the effect size yi is Infinity",
        () -> REML_Z.fit(new double[] {Double.POSITIVE_INFINITY, 0}, new double[] {1, 1}));
    assertMessage("Study 3: the sampling variance vi is 0.0",
        () -> REML_Z.fit(new double[] {1, 2, 3}, new double[] {1, 1, 0}));
    assertMessage("Study 1: the sampling variance vi is -0.5", () -> REML_Z.fit(new double[] {1}, new double[] {-0.5}));
    assertMessage("Study 2: the sampling variance vi is NaN",
        () -> REML_Z.leaveOneOut(new double[] {1, 2}, new double[] {1, Double.NaN}));
  }

  @Test
  void singleStudyIsItsOwnEstimateWithZTestAndNoTau2Interval() {
    RandomEffectsModel knha = new RandomEffectsModel(TauEstimator.DL, SignificanceTest.KNHA);
    MetaAnalysisResult r = knha.fit(new double[] {0.4}, new double[] {0.04});
    assertEquals(0.4, r.estimate(), 0);
    assertEquals(0.2, r.se(), 1e-15);
    assertEquals(SignificanceTest.Z, r.test());
    assertEquals(0, r.tau2(), 0);
    assertEquals(0, r.qDf());
    assertEquals(1, r.qP(), 0);
    assertEquals(r.ciLower(), r.piLower(), 0);
    assertTrue(Double.isNaN(r.tau2CiLower()) && Double.isNaN(r.tau2CiUpper()));
    assertEquals(List.of(), knha.leaveOneOut(new double[] {0.4}, new double[] {0.04}));
  }

  @Test
  void zeroEstimateWithZeroKnappHartungErrorHasStatisticZeroAndPOne() {
    RandomEffectsModel knha = new RandomEffectsModel(TauEstimator.REML, SignificanceTest.KNHA);
    MetaAnalysisResult r = knha.fit(new double[] {0, 0, 0}, new double[] {0.1, 0.2, 0.3});
    assertEquals(0, r.se(), 0);
    assertEquals(0, r.statistic(), 0);
    assertEquals(1, r.p(), 0);
  }

  /** Results must scale exactly with the data (estimate by c, tau^2 by c^2): convergence is scale free. */
  @ParameterizedTest
  @EnumSource(TauEstimator.class)
  void isEquivariantUnderRescaling(TauEstimator method) {
    Random random = new Random(7);
    int k = 25;
    double[] yi = new double[k];
    double[] vi = new double[k];
    for (int i = 0; i < k; i++) {
      vi[i] = 0.01 + 0.2 * random.nextDouble();
      yi[i] = 0.3 + random.nextGaussian() * Math.sqrt(vi[i] + 0.05);
    }
    RandomEffectsModel model = new RandomEffectsModel(method, SignificanceTest.KNHA);
    MetaAnalysisResult base = model.fit(yi, vi);
    for (double c : new double[] {1e-5, 1e5}) {
      double[] y = new double[k];
      double[] v = new double[k];
      for (int i = 0; i < k; i++) {
        y[i] = c * yi[i];
        v[i] = c * c * vi[i];
      }
      MetaAnalysisResult scaled = model.fit(y, v);
      assertEquals(base.estimate(), scaled.estimate() / c, 1e-10, method + " estimate at scale " + c);
      assertEquals(base.se(), scaled.se() / c, 1e-10, method + " se at scale " + c);
      assertEquals(base.tau2(), scaled.tau2() / (c * c), 1e-10, method + " tau2 at scale " + c);
      assertEquals(base.i2(), scaled.i2(), 1e-8, method + " I2 at scale " + c);
      assertEquals(base.p(), scaled.p(), 1e-10, method + " p at scale " + c);
      if (method != TauEstimator.FE) {
        assertEquals(base.tau2CiUpper(), scaled.tau2CiUpper() / (c * c), 1e-9, method + " tau2 CI at scale " + c);
      }
    }
  }

  /** Many studies with variances over six orders of magnitude and strong heterogeneity still converge. */
  @ParameterizedTest
  @EnumSource(TauEstimator.class)
  void convergesOnLargeHeterogeneousData(TauEstimator method) {
    Random random = new Random(11);
    int k = 20_000;
    double[] yi = new double[k];
    double[] vi = new double[k];
    for (int i = 0; i < k; i++) {
      vi[i] = Math.exp(-7 + 14 * random.nextDouble());
      yi[i] = 2 + random.nextGaussian() * Math.sqrt(vi[i] + 4);
    }
    MetaAnalysisResult r = new RandomEffectsModel(method, SignificanceTest.Z).fit(yi, vi);
    assertEquals(2, r.estimate(), 0.1, method + " estimate");
    assertTrue(r.tau2() >= 0 && Double.isFinite(r.tau2CiUpper()) == (method != TauEstimator.FE), method + " tau2");
    // HS (subtracts k) and the one-step SJ are biased when the v_i differ this much; FE has tau^2 = 0.
    if (method != TauEstimator.FE && method != TauEstimator.HS && method != TauEstimator.SJ) {
      assertEquals(4, r.tau2(), 0.5, method + " tau2");
      assertTrue(r.tau2CiLower() < r.tau2() && r.tau2() < r.tau2CiUpper(), method + " tau2 inside its CI");
    }
  }

  @Test
  void reportingScalesTransformValues() {
    assertEquals(0.5, ReportingScale.IDENTITY.apply(0.5), 0);
    assertEquals(0.5, ReportingScale.FISHER_Z_TO_R.apply(0.5493061443340548), 1e-15);
    assertEquals(2.0, ReportingScale.LOG_TO_RATIO.apply(Math.log(2)), 1e-15);
  }

  private static void assertMessage(String expectedPart, Runnable call) {
    MetaAnalysisException e = assertThrows(MetaAnalysisException.class, call::run);
    assertTrue(e.getMessage().contains(expectedPart), () -> "message '" + e.getMessage() + "' lacks '" + expectedPart + "'");
  }
}
