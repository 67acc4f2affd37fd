package org.rupture.pipeline.stats.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rupture.pipeline.stats.Golden.assertGolden;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rupture.pipeline.stats.Golden;
import org.rupture.pipeline.stats.StatisticsException;

/** IRLS logistic regression with site indicators against glm(binomial) (src/test/r/models_golden.R). */
class LogisticRegressionTest {
  private static final double TOLERANCE = 1e-6;

  static Stream<JsonNode> fittedCases() {
    return Golden.cases("models/glm.json").stream().filter(c -> !c.has("separated_site"));
  }

  @ParameterizedTest
  @MethodSource("fittedCases")
  void matchesGlmBinomial(JsonNode golden) {
    Design design = Design.of(golden);
    LogisticResult fit = LogisticRegression.fit(LogisticRegression.inMemory(design.x, design.y), design.columns);
    assertEquals(golden.get("n").asLong(), fit.n());
    assertEquals(golden.get("coefficients").size(), fit.coefficients().size());
    for (JsonNode expected : golden.get("coefficients")) {
      Coefficient c = fit.coefficient(expected.get("name").asText());
      assertGolden("glm.estimate", expected, "estimate", c.estimate(), TOLERANCE);
      assertGolden("glm.se", expected, "se", c.se(), TOLERANCE);
      assertGolden("glm.z", expected, "statistic", c.statistic(), TOLERANCE);
      assertGolden("glm.p", expected, "p", c.p(), TOLERANCE);
      assertGolden("glm.ci_lower", expected, "ci_lower", c.ciLower(), TOLERANCE);
      assertGolden("glm.ci_upper", expected, "ci_upper", c.ciUpper(), TOLERANCE);
    }
    assertGolden("glm.deviance", golden, "deviance", fit.deviance(), TOLERANCE);
    LogisticResult.OddsRatio or = fit.oddsRatio("x");
    assertGolden("glm.odds_ratio", golden, "odds_ratio_x", or.oddsRatio(), TOLERANCE);
    double[] orCi = Golden.doubles(golden.get("odds_ratio_x_ci"));
    Golden.assertClose("glm.odds_ratio_ci", orCi[0], or.ciLower(), TOLERANCE, golden.get("name").asText());
    Golden.assertClose("glm.odds_ratio_ci", orCi[1], or.ciUpper(), TOLERANCE, golden.get("name").asText());
  }

  /**
   * The returned fit is converged: one more Newton (IRLS) step from its coefficients moves none of them by
   * more than 1e-9 of its standard error, and the standard errors are those of X'WX at those coefficients.
   */
  @ParameterizedTest
  @MethodSource("fittedCases")
  void fitIsConvergedAndItsCovarianceIsAtTheReturnedCoefficients(JsonNode golden) {
    Design design = Design.of(golden);
    assertConverged(LogisticRegression.inMemory(design.x, design.y), design.columns);
  }

  /**
   * 200,000 rows: the deviance (about 2.5e5) is quadratic in the step, so a relative deviance change below 1e-12
   * alone would accept a last step of up to ~7e-4 standard errors; the fit must be converged whatever the scale.
   */
  @Test
  void manyRowsAreConvergedToo() {
    int n = 200_000;
    double[][] x = new double[n][];
    double[] y = new double[n];
    Random random = new Random(20240612);
    for (int i = 0; i < n; i++) {
      double xi = 1 + 4 * random.nextDouble();
      int site = random.nextInt(3);
      x[i] = new double[] {1, xi, site == 1 ? 1 : 0, site == 2 ? 1 : 0};
      double eta = -1.2 + 0.7 * (xi - 3) + 0.4 * site;
      y[i] = random.nextDouble() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
    }
    assertConverged(LogisticRegression.inMemory(x, y), List.of("(Intercept)", "x", "site2", "site3"));
  }

  private static void assertConverged(IrlsAggregator aggregator, List<String> columns) {
    LogisticResult fit = LogisticRegression.fit(aggregator, columns);
    double[] beta = fit.coefficients().stream().mapToDouble(Coefficient::estimate).toArray();
    WeightedCrossProducts at = aggregator.aggregate(beta);
    Cholesky xtwx = Cholesky.of(at.xtwx(), "X'WX", columns);
    double[] next = xtwx.solve(at.xtwz());
    double[][] inverse = xtwx.inverse();
    for (int j = 0; j < beta.length; j++) {
      double se = fit.coefficients().get(j).se();
      assertEquals(Math.sqrt(inverse[j][j]), se, 1e-12 * se, columns.get(j) + " se");
      assertTrue(Math.abs(next[j] - beta[j]) <= 1e-9 * se,
          columns.get(j) + ": one more IRLS step moves it by " + Math.abs(next[j] - beta[j]) / se + " SE");
    }
  }

  @Test
  void siteWithoutDropoutsIsReportedAsSeparation() {
    JsonNode golden = Golden.cases("models/glm.json").stream()
        .filter(c -> c.has("separated_site")).findFirst().orElseThrow();
    Design design = Design.of(golden);
    StatisticsException e = assertThrows(StatisticsException.class,
        () -> LogisticRegression.fit(LogisticRegression.inMemory(design.x, design.y), design.columns));
    assertTrue(e.getMessage().contains("separation"), e.getMessage());
    assertTrue(e.getMessage().contains("'site" + golden.get("separated_site").asText() + "'"), e.getMessage());
  }

  @Test
  void predictorThatSplitsTheOutcomeIsReportedAsSeparation() {
    double[][] x = new double[20][];
    double[] y = new double[20];
    for (int i = 0; i < 20; i++) {
      x[i] = new double[] {1, i};
      y[i] = i < 10 ? 0 : 1;
    }
    StatisticsException e = assertThrows(StatisticsException.class,
        () -> LogisticRegression.fit(LogisticRegression.inMemory(x, y), List.of("(Intercept)", "x")));
    assertTrue(e.getMessage().contains("separation"), e.getMessage());
  }

  /**
   * Quasi-complete separation (below x = 3 nobody, above it everybody, at 3 both) with site indicators:
   * R's glm warns "fitted probabilities numerically 0 or 1 occurred" and reports an odds ratio of about
   * 1e247 for x. X'WX becomes singular during the iterations, before they converge; the error must still
   * say separation and name x, not report a singular design.
   */
  @Test
  void separationThatMakesXtwxSingularIsReportedAsSeparation() {
    int[] site = {
      1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
      1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2,
      2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3,
      3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
      3, 3, 3};
    double[] x = {
      3.489, 0.85, 3.144, 5.716, 0.796, 4.921, 3.052, 5.321, 4.22, 1.388,
      5.386, 2.917, 0.149, 0.022, 2.95, 3, 3, 2.705, 1.812, 0.844,
      2.064, 1.896, 5.041, 0.01, 4.504, 5.035, 0.72, 5.558, 4.278, 5.409,
      1.739, 2.233, 3, 3, 2.357, 5.993, 3.535, 2.164, 2.568, 1.651,
      0.29, 0.61, 5.008, 1.714, 5.614, 1.496, 1.594, 3.066, 1.139, 3,
      3};
    double[] y = {
      1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 0,
      0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0,
      1, 1, 0, 1, 1, 1, 0, 0, 1, 0, 0, 1,
      1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1,
      0, 1, 0};
    double[][] design = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      design[i] = new double[] {1, x[i], site[i] == 2 ? 1 : 0, site[i] == 3 ? 1 : 0};
    }
    StatisticsException e = assertThrows(StatisticsException.class, () -> LogisticRegression.fit(
        LogisticRegression.inMemory(design, y), List.of("(Intercept)", "x", "site2", "site3")));
    assertTrue(e.getMessage().contains("separation") && e.getMessage().contains("'x'"), e.getMessage());
  }

  @Test
  void collinearColumnsAreASingularDesign() {
    double[][] x = new double[12][];
    double[] y = new double[12];
    for (int i = 0; i < 12; i++) {
      x[i] = new double[] {1, i % 5, 3 * (i % 5)};
      y[i] = i % 3 == 0 ? 1 : 0;
    }
    StatisticsException e = assertThrows(StatisticsException.class,
        () -> LogisticRegression.fit(LogisticRegression.inMemory(x, y), List.of("(Intercept)", "x", "x3")));
    assertTrue(e.getMessage().contains("singular") && e.getMessage().contains("'x3'"), e.getMessage());
  }

  @Test
  void accumulatorsOfDisjointRowsMergeToTheWholeSum() {
    double[] beta = {0.3, -0.7};
    double[][] rows = {{1, 0.5}, {1, 2.0}, {1, -1.0}, {1, 3.5}};
    double[] y = {1, 0, 1, 0};
    LogisticRowAccumulator whole = new LogisticRowAccumulator(beta);
    LogisticRowAccumulator first = new LogisticRowAccumulator(beta);
    LogisticRowAccumulator second = new LogisticRowAccumulator(beta);
    for (int i = 0; i < rows.length; i++) {
      whole.add(rows[i], y[i]);
      (i < 2 ? first : second).add(rows[i], y[i]);
    }
    WeightedCrossProducts expected = whole.result();
    WeightedCrossProducts merged = first.merge(second).result();
    assertEquals(expected.n(), merged.n());
    assertEquals(expected.deviance(), merged.deviance(), 1e-14);
    for (int j = 0; j < 2; j++) {
      assertEquals(expected.xtwz()[j], merged.xtwz()[j], 1e-14);
      for (int k = 0; k < 2; k++) {
        assertEquals(expected.xtwx()[j][k], merged.xtwx()[j][k], 1e-14);
      }
    }
    // one row by hand: eta = 0.3 - 0.35 = -0.05, y = 1
    double mu = 1 / (1 + Math.exp(0.05));
    WeightedCrossProducts single = new LogisticRowAccumulator(beta).add(rows[0], 1).result();
    assertEquals(mu * (1 - mu) * 0.25, single.xtwx()[1][1], 1e-15);
    assertEquals(0.5 * (mu * (1 - mu) * -0.05 + 1 - mu), single.xtwz()[1], 1e-15);
    assertEquals(-2 * Math.log(mu), single.deviance(), 1e-15);
  }

  @AfterAll
  static void report() {
    Golden.reportDeviations("logistic regression");
  }

  /** Intercept, x and one indicator per site except the first (R's treatment contrasts, sorted levels). */
  private record Design(double[][] x, double[] y, List<String> columns) {
    static Design of(JsonNode golden) {
      String[] site = Golden.strings(golden.get("site"));
      double[] predictor = Golden.doubles(golden.get("x"));
      double[] y = Golden.doubles(golden.get("dropout"));
      List<String> levels = new ArrayList<>(new TreeSet<>(List.of(site)));
      List<String> columns = new ArrayList<>(List.of("(Intercept)", "x"));
      levels.subList(1, levels.size()).forEach(l -> columns.add("site" + l));
      double[][] x = new double[site.length][columns.size()];
      for (int i = 0; i < site.length; i++) {
        x[i][0] = 1;
        x[i][1] = predictor[i];
        int level = levels.indexOf(site[i]);
        if (level > 0) {
          x[i][1 + level] = 1;
        }
      }
      return new Design(x, y, columns);
    }
  }
}
