package org.rupture.pipeline.stats.effects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rupture.pipeline.stats.Golden.assertGolden;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rupture.pipeline.stats.EffectEstimate;
import org.rupture.pipeline.stats.Golden;
import org.rupture.pipeline.stats.StatisticsException;

/** Paired differences and Hedges' g against R (src/test/r/effects_golden.R). */
class MeanDifferencesTest {
  private static final double TOLERANCE = 1e-6;

  static Stream<JsonNode> pairedCases() {
    return Golden.cases("effects/paired.json").stream();
  }

  static Stream<JsonNode> smdCases() {
    return Golden.cases("effects/smd.json").stream();
  }

  @ParameterizedTest
  @MethodSource("pairedCases")
  void pairedMatchesPairedTTest(JsonNode golden) {
    double[] therapist = Golden.doubles(golden.get("therapist"));
    double[] patient = Golden.doubles(golden.get("patient"));
    double[] d = new double[therapist.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = therapist[i] - patient[i];
    }
    EffectEstimate e = MeanDifferences.paired(d.length, mean(d), sd(d));
    assertEquals("md", e.effectType());
    assertEquals(golden.get("n").asLong(), e.n());
    assertGolden("paired.estimate", golden, "estimate", e.estimate(), TOLERANCE);
    assertGolden("paired.se", golden, "se", e.se(), TOLERANCE);
    assertGolden("paired.p", golden, "p", e.p(), TOLERANCE);
    assertGolden("paired.ci_lower", golden, "ci_lower", e.ciLower(), TOLERANCE);
    assertGolden("paired.ci_upper", golden, "ci_upper", e.ciUpper(), TOLERANCE);
    assertGolden("paired.yi", golden, "yi", e.yi(), TOLERANCE);
    assertGolden("paired.vi", golden, "vi", e.vi(), TOLERANCE);
  }

  @ParameterizedTest
  @MethodSource("smdCases")
  void hedgesGMatchesEscalc(JsonNode golden) {
    double[] g1 = Golden.doubles(golden.get("group1"));
    double[] g2 = Golden.doubles(golden.get("group2"));
    EffectEstimate e = MeanDifferences.hedgesG(g1.length, mean(g1), sd(g1), g2.length, mean(g2), sd(g2));
    assertEquals("smd", e.effectType());
    assertEquals(golden.get("n1").asLong() + golden.get("n2").asLong(), e.n());
    assertGolden("smd.yi", golden, "yi", e.yi(), TOLERANCE);
    assertGolden("smd.estimate", golden, "yi", e.estimate(), TOLERANCE);
    assertGolden("smd.vi", golden, "vi", e.vi(), TOLERANCE);
    assertGolden("smd.se", golden, "se", e.se(), TOLERANCE);
    assertGolden("smd.p", golden, "p", e.p(), TOLERANCE);
    assertGolden("smd.ci_lower", golden, "ci_lower", e.ciLower(), TOLERANCE);
    assertGolden("smd.ci_upper", golden, "ci_upper", e.ciUpper(), TOLERANCE);
    assertGolden("smd.r", golden, "r", MeanDifferences.gToR(e.yi(), g1.length, g2.length), TOLERANCE);
  }

  @Test
  void pairedRejectsSinglePairAndConstantDifferences() {
    StatisticsException e = assertThrows(StatisticsException.class, () -> MeanDifferences.paired(1, 0.2, 0.1));
    assertTrue(e.getMessage().contains("at least 2 pairs"), e.getMessage());
    e = assertThrows(StatisticsException.class, () -> MeanDifferences.paired(8, 0.2, 0.0));
    assertTrue(e.getMessage().contains("all 8 differences are equal"), e.getMessage());
  }

  @Test
  void hedgesGRejectsTinyGroupsAndZeroSpread() {
    StatisticsException e = assertThrows(StatisticsException.class,
        () -> MeanDifferences.hedgesG(1, 3.0, 0.0, 10, 2.0, 1.0));
    assertTrue(e.getMessage().contains("at least 2 patients in each group"), e.getMessage());
    e = assertThrows(StatisticsException.class, () -> MeanDifferences.hedgesG(5, 3.0, 0.0, 6, 2.0, 0.0));
    assertTrue(e.getMessage().contains("pooled SD is zero"), e.getMessage());
  }

  @Test
  void gToRIsZeroAtZeroAndKeepsTheSign() {
    assertEquals(0.0, MeanDifferences.gToR(0.0, 10, 20), 0.0);
    // balanced groups: r = g / sqrt(g^2 + 4)
    assertEquals(-0.5 / Math.sqrt(0.25 + 4), MeanDifferences.gToR(-0.5, 15, 15), 1e-15);
  }

  @AfterAll
  static void report() {
    Golden.reportDeviations("mean differences");
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double d : v) {
      s += d;
    }
    return s / v.length;
  }

  private static double sd(double[] v) {
    double m = mean(v);
    double s = 0;
    for (double d : v) {
      s += (d - m) * (d - m);
    }
    return Math.sqrt(s / (v.length - 1));
  }
}
