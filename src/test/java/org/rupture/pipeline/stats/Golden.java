package org.rupture.pipeline.stats;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Golden values written by the R scripts under src/test/r (test resources golden/...), and
 * comparison against them that remembers the largest deviation per quantity. Run a test with
 * {@code -Dgolden.deviations=true} to print those maxima (the figures quoted in reports).
 */
public final class Golden {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, Double> LARGEST_DEVIATION = new TreeMap<>();

  private Golden() {}

  /** The {@code cases} array of a golden file, e.g. {@code effects/pearson.json}. */
  public static List<JsonNode> cases(String resource) {
    try (InputStream in = Golden.class.getResourceAsStream("/golden/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("missing golden file golden/" + resource + " (run the R script in src/test/r)");
      }
      List<JsonNode> cases = new ArrayList<>();
      JSON.readTree(in).get("cases").forEach(cases::add);
      assertTrue(!cases.isEmpty(), "golden file " + resource + " has no cases");
      return cases;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static double[] doubles(JsonNode array) {
    double[] values = new double[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).asDouble();
    }
    return values;
  }

  public static String[] strings(JsonNode array) {
    String[] values = new String[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).asText();
    }
    return values;
  }

  /** Asserts |actual - golden[field]| &lt;= tolerance and records the deviation under quantity. */
  public static void assertGolden(String quantity, JsonNode golden, String field, double actual, double tolerance) {
    JsonNode value = golden.get(field);
    if (value == null || !value.isNumber()) {
      throw new IllegalStateException("golden case '" + golden.path("name").asText() + "' has no number '" + field + "'");
    }
    assertClose(quantity, value.asDouble(), actual, tolerance, golden.path("name").asText());
  }

  /** Asserts |actual - expected| &lt;= tolerance and records the deviation under quantity. */
  public static void assertClose(String quantity, double expected, double actual, double tolerance, String context) {
    double deviation = Math.abs(actual - expected);
    synchronized (LARGEST_DEVIATION) {
      LARGEST_DEVIATION.merge(quantity, deviation, Math::max);
    }
    assertTrue(deviation <= tolerance, () -> quantity + " in '" + context + "': expected " + expected
        + " (R), got " + actual + ", deviation " + deviation + " > " + tolerance);
  }

  /** Prints the largest deviation per quantity when -Dgolden.deviations=true. */
  public static void reportDeviations(String title) {
    if (Boolean.getBoolean("golden.deviations")) {
      synchronized (LARGEST_DEVIATION) {
        System.out.println("largest deviation from R, " + title + ":");
        LARGEST_DEVIATION.forEach((k, v) -> System.out.printf("  %-32s %.3g%n", k, v));
        LARGEST_DEVIATION.clear();
      }
    }
  }
}
