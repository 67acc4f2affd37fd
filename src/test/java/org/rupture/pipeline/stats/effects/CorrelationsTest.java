package org.rupture.pipeline.stats.effects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rupture.pipeline.stats.Golden.assertGolden;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rupture.pipeline.stats.EffectEstimate;
import org.rupture.pipeline.stats.Golden;
import org.rupture.pipeline.stats.StatisticsException;

/** Pearson and repeated-measures correlations against R (src/test/r/effects_golden.R). */
class CorrelationsTest {
  private static final double TOLERANCE = 1e-6;

  static Stream<JsonNode> pearsonCases() {
    return Golden.cases("effects/pearson.json").stream();
  }

  static Stream<JsonNode> rmcorrCases() {
    return Golden.cases("effects/rmcorr.json").stream();
  }

  @ParameterizedTest
  @MethodSource("pearsonCases")
  void pearsonMatchesCorTest(JsonNode golden) {
    double[] x = Golden.doubles(golden.get("x"));
    double[] y = Golden.doubles(golden.get("y"));
    double mx = mean(x);
    double my = mean(y);
    double sxx = 0;
    double syy = 0;
    double sxy = 0;
    for (int i = 0; i < x.length; i++) {
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
      sxy += (x[i] - mx) * (y[i] - my);
    }
    EffectEstimate e = Correlations.pearson(x.length, sxx, syy, sxy);
    assertEquals("r", e.effectType());
    assertEquals(golden.get("n").asLong(), e.n());
    assertCorrelation("pearson", golden, e);
  }

  @ParameterizedTest
  @MethodSource("rmcorrCases")
  void repeatedMeasuresMatchesRmcorrDefinition(JsonNode golden) {
    String[] patient = Golden.strings(golden.get("patient"));
    double[] x = Golden.doubles(golden.get("x"));
    double[] y = Golden.doubles(golden.get("y"));
    Map<String, double[]> sums = new LinkedHashMap<>(); // patient -> {count, sum x, sum y}
    for (int i = 0; i < x.length; i++) {
      double[] s = sums.computeIfAbsent(patient[i], k -> new double[3]);
      s[0]++;
      s[1] += x[i];
      s[2] += y[i];
    }
    double sxx = 0;
    double syy = 0;
    double sxy = 0;
    for (int i = 0; i < x.length; i++) {
      double[] s = sums.get(patient[i]);
      double dx = x[i] - s[1] / s[0];
      double dy = y[i] - s[2] / s[0];
      sxx += dx * dx;
      syy += dy * dy;
      sxy += dx * dy;
    }
    EffectEstimate e = Correlations.repeatedMeasures(x.length, sums.size(), sxx, syy, sxy);
    assertEquals("r_rm", e.effectType());
    assertEquals(golden.get("n_rows").asLong(), e.n());
    assertEquals(golden.get("n_patients").asInt(), sums.size());
    assertCorrelation("rmcorr", golden, e);
  }

  private static void assertCorrelation(String prefix, JsonNode golden, EffectEstimate e) {
    assertGolden(prefix + ".r", golden, "r", e.estimate(), TOLERANCE);
    assertGolden(prefix + ".p", golden, "p", e.p(), TOLERANCE);
    assertGolden(prefix + ".ci_lower", golden, "ci_lower", e.ciLower(), TOLERANCE);
    assertGolden(prefix + ".ci_upper", golden, "ci_upper", e.ciUpper(), TOLERANCE);
    assertGolden(prefix + ".yi", golden, "yi", e.yi(), TOLERANCE);
    assertGolden(prefix + ".vi", golden, "vi", e.vi(), TOLERANCE);
    assertEquals(Math.sqrt(e.vi()), e.se(), 0.0);
  }

  @Test
  void pearsonRejectsTooFewPairs() {
    StatisticsException e = assertThrows(StatisticsException.class, () -> Correlations.pearson(3, 2, 2, 1));
    assertTrue(e.getMessage().contains("at least 4"), e.getMessage());
  }

  @Test
  void pearsonRejectsZeroVariance() {
    StatisticsException e = assertThrows(StatisticsException.class, () -> Correlations.pearson(10, 0, 2, 0));
    assertTrue(e.getMessage().contains("predictor has zero variance"), e.getMessage());
    e = assertThrows(StatisticsException.class, () -> Correlations.pearson(10, 3, 0, 0));
    assertTrue(e.getMessage().contains("outcome has zero variance"), e.getMessage());
  }

  @Test
  void pearsonRejectsPerfectCorrelation() {
    StatisticsException e = assertThrows(StatisticsException.class, () -> Correlations.pearson(10, 4, 9, -6));
    assertTrue(e.getMessage().contains("perfect correlation"), e.getMessage());
  }

  @Test
  void repeatedMeasuresRejectsTooFewDegreesOfFreedom() {
    // 3 patients with 2 rows each: df = 6 - 3 - 1 = 2 is the minimum, 5 rows give df = 1
    Correlations.repeatedMeasures(6, 3, 2, 3, 1);
    StatisticsException e = assertThrows(StatisticsException.class,
        () -> Correlations.repeatedMeasures(5, 3, 2, 3, 1));
    assertTrue(e.getMessage().contains("N = 5 rows from k = 3 patients"), e.getMessage());
  }

  @Test
  void repeatedMeasuresRejectsNoWithinPatientVariance() {
    assertThrows(StatisticsException.class, () -> Correlations.repeatedMeasures(20, 5, 0, 3, 0));
  }

  @Test
  void fisherZRoundTrips() {
    for (double r : List.of(-0.99, -0.3, 0.0, 0.5, 0.95)) {
      assertEquals(r, Correlations.inverseFisherZ(Correlations.fisherZ(r)), 1e-15);
    }
    assertEquals(0.5493061443340549, Correlations.fisherZ(0.5), 1e-15); // atanh(0.5) = log(3)/2
  }

  @AfterAll
  static void report() {
    Golden.reportDeviations("correlations");
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double d : v) {
      s += d;
    }
    return s / v.length;
  }
}
