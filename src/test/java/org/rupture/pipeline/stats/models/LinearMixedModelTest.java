package org.rupture.pipeline.stats.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rupture.pipeline.stats.Golden.assertGolden;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rupture.pipeline.stats.Golden;
import org.rupture.pipeline.stats.StatisticsException;

/** REML mixed models from per-site cross-products against lme4::lmer (src/test/r/models_golden.R). */
class LinearMixedModelTest {
  private static final double TOLERANCE = 1e-5;
  private static final List<String> COLUMNS = List.of("(Intercept)", "x", "baseline");

  static Stream<JsonNode> cases() {
    return Golden.cases("models/lmer.json").stream();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void randomInterceptMatchesLmer(JsonNode golden) {
    MixedModelResult fit = LinearMixedModel.fitReml(crossProducts(golden), COLUMNS, false);
    assertFit("lmer_intercept", golden, golden.get("random_intercept"), fit);
    assertTrue(Double.isNaN(fit.slopeVariance()));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void randomInterceptAndSlopeMatchesLmer(JsonNode golden) {
    MixedModelResult fit = LinearMixedModel.fitReml(crossProducts(golden), COLUMNS, true);
    assertFit("lmer_slope", golden, golden.get("random_slope"), fit);
    assertClose("lmer_slope.slope_variance", golden, golden.get("random_slope"), "slope_variance", fit.slopeVariance());
  }

  private static void assertFit(String prefix, JsonNode golden, JsonNode expected, MixedModelResult fit) {
    assertEquals(golden.get("n").asLong(), fit.n());
    assertEquals(golden.get("groups").asInt(), fit.groups());
    assertEquals(COLUMNS.size(), fit.fixedEffects().size());
    for (JsonNode fe : expected.get("fixed_effects")) {
      Coefficient c = fit.fixedEffect(fe.get("name").asText());
      assertGolden(prefix + ".estimate", fe, "estimate", c.estimate(), TOLERANCE);
      assertGolden(prefix + ".se", fe, "se", c.se(), TOLERANCE);
      assertGolden(prefix + ".statistic", fe, "statistic", c.statistic(), TOLERANCE);
      assertGolden(prefix + ".ci_lower", fe, "ci_lower", c.ciLower(), TOLERANCE);
      assertGolden(prefix + ".ci_upper", fe, "ci_upper", c.ciUpper(), TOLERANCE);
      assertGolden(prefix + ".p", fe, "p", c.p(), TOLERANCE);
    }
    assertClose(prefix + ".intercept_variance", golden, expected, "intercept_variance", fit.interceptVariance());
    assertClose(prefix + ".residual_variance", golden, expected, "residual_variance", fit.residualVariance());
    assertClose(prefix + ".reml", golden, expected, "reml", fit.remlCriterion());
  }

  private static void assertClose(String quantity, JsonNode golden, JsonNode expected, String field, double actual) {
    Golden.assertClose(quantity, expected.get(field).asDouble(), actual, TOLERANCE, golden.get("name").asText());
  }

  /** Per-site X'X, X'y, y'y of the design [1, x, baseline], as a grouped aggregation would produce. */
  static List<GroupCrossProducts> crossProducts(JsonNode golden) {
    String[] site = Golden.strings(golden.get("site"));
    double[] x = Golden.doubles(golden.get("x"));
    double[] baseline = Golden.doubles(golden.get("baseline"));
    double[] y = Golden.doubles(golden.get("y"));
    Map<String, List<Integer>> rows = new LinkedHashMap<>();
    for (int i = 0; i < site.length; i++) {
      rows.computeIfAbsent(site[i], k -> new ArrayList<>()).add(i);
    }
    List<GroupCrossProducts> groups = new ArrayList<>();
    rows.forEach((name, indices) -> {
      double[][] xtx = new double[3][3];
      double[] xty = new double[3];
      double yty = 0;
      for (int i : indices) {
        double[] row = {1.0, x[i], baseline[i]};
        for (int j = 0; j < 3; j++) {
          xty[j] += row[j] * y[i];
          for (int k = 0; k < 3; k++) {
            xtx[j][k] += row[j] * row[k];
          }
        }
        yty += y[i] * y[i];
      }
      groups.add(new GroupCrossProducts(name, indices.size(), xtx, xty, yty));
    });
    return groups;
  }

  @Test
  void rejectsASingleGroup() {
    List<GroupCrossProducts> one = crossProducts(Golden.cases("models/lmer.json").get(0)).subList(0, 1);
    StatisticsException e = assertThrows(StatisticsException.class,
        () -> LinearMixedModel.fitReml(one, COLUMNS, false));
    assertTrue(e.getMessage().contains("at least 2 groups"), e.getMessage());
  }

  @Test
  void rejectsACollinearDesign() {
    // baseline = 2 x in every row: X'X is singular
    List<GroupCrossProducts> groups = new ArrayList<>();
    for (int g = 0; g < 3; g++) {
      double[][] xtx = new double[3][3];
      double[] xty = new double[3];
      double yty = 0;
      for (int i = 0; i < 6; i++) {
        double xi = i + g;
        double yi = 1 + 0.5 * xi + (i % 2 == 0 ? 0.3 : -0.3) + g;
        double[] row = {1, xi, 2 * xi};
        for (int j = 0; j < 3; j++) {
          xty[j] += row[j] * yi;
          for (int k = 0; k < 3; k++) {
            xtx[j][k] += row[j] * row[k];
          }
        }
        yty += yi * yi;
      }
      groups.add(new GroupCrossProducts("S" + g, 6, xtx, xty, yty));
    }
    StatisticsException e = assertThrows(StatisticsException.class,
        () -> LinearMixedModel.fitReml(groups, COLUMNS, false));
    assertTrue(e.getMessage().contains("singular") && e.getMessage().contains("'baseline'"), e.getMessage());
  }

  @Test
  void rejectsARandomSlopeWithoutAPredictorColumn() {
    List<GroupCrossProducts> groups = List.of(
        new GroupCrossProducts("A", 3, new double[][] {{3}}, new double[] {6}, 14),
        new GroupCrossProducts("B", 3, new double[][] {{3}}, new double[] {9}, 29));
    assertThrows(StatisticsException.class, () -> LinearMixedModel.fitReml(groups, List.of("(Intercept)"), true));
  }

  @AfterAll
  static void report() {
    Golden.reportDeviations("linear mixed models");
  }
}
