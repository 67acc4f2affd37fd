package org.rupture.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rupture.pipeline.testing.ConsoleRun;

/** The {@code meta} command end to end on in-memory streams, against metafor's values for dat.molloy2014. */
class MetaCommandTest {
  private static final double TOLERANCE = 1e-6;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private static ConsoleRun run(String... args) {
    return ConsoleRun.of(MetaCommand::run, args);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"REML, z", "REML, knha", "DL, z", "DL, knha", "PM, z", "PM, knha", "ML, z", "ML, knha", "HS, z",
      "HS, knha", "SJ, z", "SJ, knha", "HE, z", "HE, knha", "EB, z", "EB, knha", "FE, z", "FE, knha"})
  void correlationsMatchMetaforBackTransformedToR(String method, String test) throws IOException {
    JsonNode golden = JSON.readTree(getClass().getResourceAsStream("/golden/meta/molloy2014.json"));
    JsonNode ri = golden.get("ri");
    JsonNode ni = golden.get("ni");
    StringBuilder csv = new StringBuilder("study,r,n\n");
    long totalN = 0;
    for (int i = 0; i < ri.size(); i++) {
      csv.append("Study ").append(i + 1).append(',').append(ri.get(i).asText()).append(',').append(ni.get(i).asInt()).append('\n');
      totalN += ni.get(i).asInt();
    }
    Path input = Files.writeString(dir.resolve("molloy.csv"), csv);
    JsonNode expected = null;
    for (JsonNode fit : golden.get("fits")) {
      if (fit.get("method").asText().equals(method) && fit.get("test").asText().equals(test)) {
        expected = fit;
      }
    }

    ConsoleRun result = run("--input", input.toString(), "--method", method.toLowerCase(), "--test", test);

    assertEquals(0, result.code(), result.err());
    assertEquals(method.equals("FE"), !result.err().isEmpty(), "only FE warns: " + result.err());
    JsonNode out = JSON.readTree(result.out());
    assertEquals(List.of("analysis", "predictor", "outcome", "rater", "effect_type", "method", "test", "k",
        "n_total", "yi_estimate", "yi_se", "estimate",
        "ci_lower", "ci_upper", "p", "pi_lower", "pi_upper", "tau2", "tau2_ci_lower", "tau2_ci_upper", "I2", "H2",
        "Q", "Q_df", "Q_p", "leave_one_out"), fieldNames(out));
    assertEquals("r", out.get("effect_type").asText());
    for (String pipelineOnly : List.of("analysis", "predictor", "outcome", "rater")) {
      assertTrue(out.get(pipelineOnly).isNull(), pipelineOnly);
    }
    assertEquals(method, out.get("method").asText());
    assertEquals(test, out.get("test").asText());
    assertEquals(16, out.get("k").asInt());
    assertEquals(totalN, out.get("n_total").asLong());
    assertEquals(15, out.get("Q_df").asInt());
    close(expected.get("estimate").asDouble(), out, "yi_estimate");
    close(expected.get("se").asDouble(), out, "yi_se");
    close(Math.tanh(expected.get("estimate").asDouble()), out, "estimate");
    close(Math.tanh(expected.get("ci_lower").asDouble()), out, "ci_lower");
    close(Math.tanh(expected.get("ci_upper").asDouble()), out, "ci_upper");
    close(expected.get("p").asDouble(), out, "p");
    for (String key : List.of("tau2", "I2", "H2", "Q", "Q_p")) {
      close(expected.get(key).asDouble(), out, key);
    }
    if (method.equals("FE")) {
      assertTrue(out.get("tau2_ci_lower").isNull() && out.get("tau2_ci_upper").isNull());
      close(Math.tanh(expected.get("ci_lower").asDouble()), out, "pi_lower");
    } else {
      close(Math.tanh(expected.get("pi_lower").asDouble()), out, "pi_lower");
      close(Math.tanh(expected.get("pi_upper").asDouble()), out, "pi_upper");
      close(expected.get("tau2_ci_lower").asDouble(), out, "tau2_ci_lower");
      close(expected.get("tau2_ci_upper").asDouble(), out, "tau2_ci_upper");
    }
    JsonNode leaveOneOut = out.get("leave_one_out");
    assertEquals(16, leaveOneOut.size());
    for (int i = 0; i < 16; i++) {
      JsonNode row = leaveOneOut.get(i);
      assertEquals("Study " + (i + 1), row.get("study").asText());
      JsonNode l1o = expected.get("leave_one_out");
      close(l1o.get("estimate").get(i).asDouble(), row, "yi_estimate");
      close(l1o.get("se").get(i).asDouble(), row, "yi_se");
      close(Math.tanh(l1o.get("estimate").get(i).asDouble()), row, "estimate");
      close(Math.tanh(l1o.get("ci_lower").get(i).asDouble()), row, "ci_lower");
      close(Math.tanh(l1o.get("ci_upper").get(i).asDouble()), row, "ci_upper");
      close(l1o.get("p").get(i).asDouble(), row, "p");
      close(l1o.get("tau2").get(i).asDouble(), row, "tau2");
      close(l1o.get("I2").get(i).asDouble(), row, "I2");
      close(l1o.get("H2").get(i).asDouble(), row, "H2");
      close(l1o.get("Q").get(i).asDouble(), row, "Q");
      close(l1o.get("Q_p").get(i).asDouble(), row, "Q_p");
    }
  }

  @Test
  void effectSizesWithVariancesStayOnTheirScaleAndPrintAsTables() throws IOException {
    Path input = Files.writeString(dir.resolve("yi.csv"),
        "\uFEFFStudy,YI,VI,note\n\"Smith, 2001\",0.2,0.1,x\nJones 2003,0.5,0.05,y\n\nLee 2010,0.1,0.2,z\n");

    ConsoleRun json = run("--input", input.toString());
    assertEquals(0, json.code(), json.err());
    JsonNode out = JSON.readTree(json.out());
    assertEquals("yi", out.get("effect_type").asText());
    assertTrue(out.get("n_total").isNull());
    assertEquals(out.get("yi_estimate").asDouble(), out.get("estimate").asDouble(), 0);

    ConsoleRun table = run("--input", input.toString(), "--format", "table", "--method", "DL");
    assertEquals(0, table.code(), table.err());
    String[] lines = table.out().split("\n");
    assertEquals("pooled", lines[0]);
    assertTrue(lines[1].startsWith("analysis  predictor  outcome  rater  effect_type  method  test  k  n_total  "
        + "yi_estimate"), lines[1]);
    assertTrue(lines[2].startsWith("NA        NA         NA       NA     yi           DL      z     3  NA"), lines[2]);
    assertTrue(table.out().contains("\nleave_one_out\nstudy        estimate"), table.out());
    assertTrue(table.out().contains("\nSmith, 2001  "), table.out());
    assertTrue(table.out().contains("\nLee 2010     "), table.out());
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "study,r,n\\nA,0.2,50\\nB,1,40       | line 3 (data row 2), study 'B': r = 1 is outside (-1, 1)",
      "study,r,n\\nA,0.2,50\\nB,-1.0,40    | line 3 (data row 2), study 'B': r = -1.0 is outside (-1, 1)",
      "study,r,n\\nA,0.2,3                 | line 2 (data row 1), study 'A': n = 3 must be a whole number greater than 3",
      "study,r,n\\nA,0.2,20.5              | n = 20.5 must be a whole number",
      "study,r\\nA,0.2                     | line 1: the header is 'study,r' but must name the columns study,r,n",
      "r,n\\n0.2,50                        | must name the columns study,r,n",
      "study,yi,vi,r,n\\nA,1,1,0.2,50      | not both",
      "study,yi,vi\\nA,0.2,0.1\\nB,abc,0.1 | line 3 (data row 2), study 'B': yi = 'abc' is not a finite number",
      "study,yi,vi\\nA,0.2,0.1\\nB,NaN,0.1 | yi = 'NaN' is not a finite number",
      "study,yi,vi\\nA,0.2,\\nB,0.1,0.1    | line 2 (data row 1), study 'A': vi = '' is not a finite number",
      "study,yi,vi\\nA,0.2,0\\nB,0.1,0.1   | vi = 0 must be a positive sampling variance",
      "study,yi,vi\\nA,0.2,0.1\\nB,0.3     | line 3 (data row 2): 2 fields, but the header has 3",
      "study,yi,vi\\n,0.2,0.1              | the study label is empty",
      "study,yi,vi\\n\"A,0.2,0.1           | line 2: a quoted field is not closed",
      "study,yi,vi\\n                      | has a header but no data rows",
      "'   '                               | is empty; expected a header line"})
  void badInputNamesTheRowAndExitsTwo(String csv, String expectedMessage) throws IOException {
    Path input = Files.writeString(dir.resolve("bad.csv"), csv.strip().replace("\\n", "\n"));
    ConsoleRun result = run("--input", input.toString());
    assertEquals(2, result.code());
    assertEquals("", result.out());
    assertTrue(result.err().startsWith("meta: " + input), result.err());
    assertTrue(result.err().contains(expectedMessage), result.err());
    assertFalse(result.err().contains("Exception") || result.err().contains("\tat "), result.err());
  }

  @Test
  void badUsageExitsTwoWithTheUsageLine() {
    for (String[] args : List.of(new String[] {}, new String[] {"--input"}, new String[] {"--input", "x.csv", "--method", "XX"},
        new String[] {"--input", "x.csv", "--test", "t"}, new String[] {"--input", "x.csv", "--format", "xml"},
        new String[] {"--input", "x.csv", "--bogus", "1"}, new String[] {"--input", "a.csv", "--input=b.csv"})) {
      ConsoleRun result = run(args);
      assertEquals(2, result.code(), String.join(" ", args));
      assertEquals("", result.out());
      assertTrue(result.err().endsWith(MetaCommand.USAGE + System.lineSeparator()), result.err());
    }
    ConsoleRun missing = run("--input", dir.resolve("missing.csv").toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("missing.csv: file not found."), missing.err());
    ConsoleRun help = run("--help");
    assertEquals(0, help.code());
    assertEquals(MetaCommand.USAGE + System.lineSeparator(), help.out());
  }

  @Test
  void aMistypedOptionGetsTheNearestOneLikeTheOtherCommands() {
    ConsoleRun typo = run("--methd", "DL", "--input", "x.csv");
    assertEquals(2, typo.code(), typo.err());
    assertTrue(typo.err().startsWith("meta: unknown option '--methd'; did you mean --method?"), typo.err());
    assertTrue(run("--input", "x.csv", "--fromat=json").err().startsWith("meta: unknown option '--fromat=json'; "
        + "did you mean --format?"));
    ConsoleRun far = run("--input", "x.csv", "--bogus", "1");
    assertTrue(far.err().startsWith("meta: unknown option '--bogus'.\n".replace("\n", System.lineSeparator())),
        far.err());
  }

  private static void close(double expected, JsonNode node, String key) {
    assertTrue(node.get(key) != null && node.get(key).isNumber(), key + ": expected " + expected + " but was "
        + node.get(key));
    double actual = node.get(key).asDouble();
    assertTrue(Math.abs(expected - actual) <= TOLERANCE, key + ": expected " + expected + " but was " + actual);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
