package org.rupture.pipeline.stats.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compares {@link RandomEffectsModel} with R metafor 3.8 on every golden file written by
 * src/test/r/meta_golden.R: each data set x estimator x test, every reported value, the Q-profile CI of
 * tau^2, the prediction interval and leave-one-out. Tolerance 1e-6 absolute for every value, the tau^2 CI included.
 * Values metafor cannot compute (null in the golden file) must be our documented values.
 */
class RandomEffectsModelGoldenTest {
  private static final double TOLERANCE = 1e-6;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Largest absolute deviation from R per key, printed after the run. */
  private static final Map<String, Double> LARGEST_DEVIATION = new ConcurrentHashMap<>();

  static Stream<Arguments> goldenFits() throws IOException, URISyntaxException {
    Path dir = Path.of(RandomEffectsModelGoldenTest.class.getResource("/golden/meta").toURI());
    List<Arguments> cases = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        JsonNode doc = JSON.readTree(file.toFile());
        double[] yi = doubles(doc.get("yi"));
        double[] vi = doubles(doc.get("vi"));
        for (JsonNode fit : doc.get("fits")) {
          String name = doc.get("dataset").asText() + " " + fit.get("method").asText() + " "
              + fit.get("test").asText();
          cases.add(Arguments.of(name, yi, vi, fit));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenFits")
  void matchesMetafor(String name, double[] yi, double[] vi, JsonNode expected) {
    assertTrue(!expected.has("error"), name + ": metafor failed: " + expected.path("error").asText());
    RandomEffectsModel model = new RandomEffectsModel(TauEstimator.valueOf(expected.get("method").asText()),
        SignificanceTest.valueOf(expected.get("test").asText().toUpperCase(Locale.ROOT)));
    MetaAnalysisResult r = model.fit(yi, vi);

    assertEquals(expected.get("k").asInt(), r.k(), name + " k");
    assertEquals(expected.get("Q_df").asInt(), r.qDf(), name + " Q_df");
    assertEquals(expected.get("test_used").asText().toUpperCase(Locale.ROOT), r.test().name(), name + " test");
    close(name, "estimate", expected.get("estimate"), r.estimate(), TOLERANCE);
    close(name, "se", expected.get("se"), r.se(), TOLERANCE);
    close(name, "statistic", expected.get("statistic"), r.statistic(), TOLERANCE);
    close(name, "ci_lower", expected.get("ci_lower"), r.ciLower(), TOLERANCE);
    close(name, "ci_upper", expected.get("ci_upper"), r.ciUpper(), TOLERANCE);
    close(name, "p", expected.get("p"), r.p(), TOLERANCE);
    close(name, "tau2", expected.get("tau2"), r.tau2(), TOLERANCE);
    close(name, "I2", expected.get("I2"), r.i2(), TOLERANCE);
    close(name, "H2", expected.get("H2"), r.h2(), TOLERANCE);
    close(name, "Q", expected.get("Q"), r.q(), TOLERANCE);
    close(name, "Q_p", expected.get("Q_p"), r.qP(), TOLERANCE);
    if (expected.get("pi_lower").isNull()) {
      // metafor's predict() gives no PI for FE; ours is documented to equal the CI (tau^2 = 0).
      assertEquals(TauEstimator.FE, r.method(), name + ": null PI only expected for FE");
      assertEquals(r.ciLower(), r.piLower(), 0, name + " FE pi_lower = ci_lower");
      assertEquals(r.ciUpper(), r.piUpper(), 0, name + " FE pi_upper = ci_upper");
    } else {
      close(name, "pi_lower", expected.get("pi_lower"), r.piLower(), TOLERANCE);
      close(name, "pi_upper", expected.get("pi_upper"), r.piUpper(), TOLERANCE);
    }
    if (expected.get("tau2_ci_lower").isNull()) {
      // metafor's confint() stops for FE and k = 1; ours is documented as NaN there.
      assertTrue(r.method() == TauEstimator.FE || r.k() == 1, name + ": null tau2 CI only expected for FE or k = 1");
      assertTrue(Double.isNaN(r.tau2CiLower()) && Double.isNaN(r.tau2CiUpper()), name + " tau2 CI NaN");
    } else {
      close(name, "tau2_ci_lower", expected.get("tau2_ci_lower"), r.tau2CiLower(), TOLERANCE);
      close(name, "tau2_ci_upper", expected.get("tau2_ci_upper"), r.tau2CiUpper(), TOLERANCE);
    }

    List<LeaveOneOut> loo = model.leaveOneOut(yi, vi);
    JsonNode l1o = expected.get("leave_one_out");
    if (l1o == null) {
      assertEquals(r.k() == 1 ? 0 : r.k(), loo.size(), name + " leave-one-out size");
      return;
    }
    assertEquals(r.k(), loo.size(), name + " leave-one-out size");
    for (int i = 0; i < loo.size(); i++) {
      LeaveOneOut o = loo.get(i);
      String at = name + " leave-one-out " + (i + 1);
      assertEquals(i, o.omitted(), at);
      close(at, "loo.estimate", l1o.get("estimate").get(i), o.estimate(), TOLERANCE);
      close(at, "loo.se", l1o.get("se").get(i), o.se(), TOLERANCE);
      close(at, "loo.ci_lower", l1o.get("ci_lower").get(i), o.ciLower(), TOLERANCE);
      close(at, "loo.ci_upper", l1o.get("ci_upper").get(i), o.ciUpper(), TOLERANCE);
      close(at, "loo.p", l1o.get("p").get(i), o.p(), TOLERANCE);
      close(at, "loo.tau2", l1o.get("tau2").get(i), o.tau2(), TOLERANCE);
      close(at, "loo.I2", l1o.get("I2").get(i), o.i2(), TOLERANCE);
      close(at, "loo.H2", l1o.get("H2").get(i), o.h2(), TOLERANCE);
      close(at, "loo.Q", l1o.get("Q").get(i), o.q(), TOLERANCE);
      close(at, "loo.Q_p", l1o.get("Q_p").get(i), o.qP(), TOLERANCE);
    }
  }

  @AfterAll
  static void printLargestDeviations() {
    StringBuilder report = new StringBuilder("Largest |Java - metafor| per key:");
    new TreeMap<>(LARGEST_DEVIATION).forEach((key, d) -> report.append(String.format(Locale.ROOT, "%n  %-14s %.3e", key, d)));
    System.out.println(report);
  }

  private static void close(String where, String key, JsonNode expected, double actual, double tolerance) {
    if (expected == null || expected.isNull()) {
      fail(where + " " + key + ": golden value is null but no documented value applies");
    }
    if (expected.isTextual()) { // "Infinity" / "-Infinity": a zero Knapp-Hartung SE
      double infinity = Double.parseDouble(expected.asText());
      assertEquals(infinity, actual, 0, where + " " + key);
      LARGEST_DEVIATION.merge(key, 0.0, Math::max);
      return;
    }
    double deviation = Math.abs(expected.asDouble() - actual);
    LARGEST_DEVIATION.merge(key, deviation, Math::max);
    assertTrue(deviation <= tolerance, () -> where + " " + key + ": expected " + expected.asDouble()
        + " but was " + actual + " (|diff| " + deviation + " > " + tolerance + ")");
  }

  private static double[] doubles(JsonNode array) {
    double[] values = new double[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).asDouble();
    }
    return values;
  }
}
