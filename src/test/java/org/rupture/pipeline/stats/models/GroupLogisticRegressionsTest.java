package org.rupture.pipeline.stats.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rupture.pipeline.stats.Golden.assertGolden;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.rupture.pipeline.stats.Golden;

/**
 * Per-site logistic regressions y ~ x fitted side by side against glm(binomial) on each site's rows
 * (src/test/r/site_logistic_golden.R, data set src/test/resources/models/site_logistic.csv).
 */
class GroupLogisticRegressionsTest {
  private static final double TOLERANCE = 1e-6;

  @Test
  void everySiteMatchesItsOwnGlmOrSaysWhyItHasNone() throws IOException {
    List<String> siteOfRow = new ArrayList<>();
    List<double[]> rows = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        getClass().getResourceAsStream("/models/site_logistic.csv"), StandardCharsets.UTF_8))) {
      in.readLine();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] f = line.split(",");
        siteOfRow.add(f[0].replace("\"", ""));
        rows.add(new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2])});
      }
    }
    Map<String, Integer> index = new LinkedHashMap<>();
    siteOfRow.forEach(s -> index.putIfAbsent(s, index.size()));
    int[] group = siteOfRow.stream().mapToInt(index::get).toArray();
    double[] x = rows.stream().mapToDouble(r -> r[0]).toArray();
    double[] y = rows.stream().mapToDouble(r -> r[1]).toArray();
    boolean[] fit = new boolean[index.size()];
    java.util.Arrays.fill(fit, true);
    List<GroupLogisticRegressions.Fit> fits = GroupLogisticRegressions.fit(
        GroupLogisticRegressions.inMemory(group, x, y, index.size()), fit, "x", "y");

    List<JsonNode> cases = Golden.cases("models/site_logistic.json");
    assertEquals(index.size(), cases.size());
    int fitted = 0;
    for (JsonNode g : cases) {
      String site = g.get("site").asText();
      GroupLogisticRegressions.Fit f = fits.get(index.get(site));
      assertEquals(g.get("n").asLong(), f.n(), site);
      if (g.has("failure")) {
        assertFalse(f.fitted(), site + " should not be fitted");
        String expected = switch (g.get("failure").asText()) {
          case "rows" -> "needs more than 2";
          case "variance" -> "no variance in x";
          default -> "separation";
        };
        assertTrue(f.failure().contains(expected), site + ": " + f.failure());
        continue;
      }
      assertTrue(f.fitted(), site + ": " + f.failure());
      fitted++;
      assertGolden("site glm.intercept", g, "intercept", f.intercept(), TOLERANCE);
      assertGolden("site glm.intercept_se", g, "intercept_se", f.interceptSe(), TOLERANCE);
      assertGolden("site glm.slope", g, "slope", f.slope(), TOLERANCE);
      assertGolden("site glm.slope_se", g, "slope_se", f.slopeSe(), TOLERANCE);
      assertGolden("site glm.deviance", g, "deviance", f.deviance(), TOLERANCE);
      Coefficient c = f.slopeCoefficient("x");
      assertGolden("site glm.z", g, "slope_z", c.statistic(), TOLERANCE);
      assertGolden("site glm.p", g, "slope_p", c.p(), TOLERANCE);
      assertGolden("site glm.ci", g, "slope_ci_lower", c.ciLower(), TOLERANCE);
      assertGolden("site glm.ci", g, "slope_ci_upper", c.ciUpper(), TOLERANCE);
    }
    assertEquals(4, fitted);
  }

  @Test
  void sitesNotAskedForAreLeftAlone() {
    int[] group = {0, 0, 0, 0, 1, 1, 1, 1};
    double[] x = {1, 2, 3, 4, 1, 2, 3, 4};
    double[] y = {0, 1, 0, 1, 1, 0, 1, 0};
    List<GroupLogisticRegressions.Fit> fits = GroupLogisticRegressions.fit(
        GroupLogisticRegressions.inMemory(group, x, y, 2), new boolean[] {false, true}, "x", "y");
    assertFalse(fits.get(0).fitted());
    assertTrue(fits.get(1).fitted(), fits.get(1).failure());
    assertEquals(4, fits.get(0).n());
  }

  @AfterAll
  static void report() {
    Golden.reportDeviations("per-site logistic regression");
  }
}
