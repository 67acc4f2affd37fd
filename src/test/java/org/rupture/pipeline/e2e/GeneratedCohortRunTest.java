package org.rupture.pipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rupture.pipeline.cli.Main;
import org.rupture.pipeline.report.ConsoleSummary;
import org.rupture.pipeline.testing.SparkTestBase;
import org.rupture.pipeline.testing.ConsoleRun;

/**
 * A cohort of one site from {@code generate}, run with the command {@code generate} prints: it runs on the
 * cohort's own mappings, the console says nothing was pooled and why, and ipd_models.json gives the models
 * that could not be fitted the site's patients as n.
 */
class GeneratedCohortRunTest extends SparkTestBase {
  private static final String ONE_SITE = "only 1 site in the data; pooling needs at least 2";

  @TempDir
  Path dir;

  @Test
  void aOneSiteCohortRunsWithThePrintedCommandAndSaysWhyNothingIsPooled() throws IOException {
    Path cohort = dir.resolve("g");
    ConsoleRun generated = main("generate", "--output", cohort.toString(), "--sites", "1", "--patients-per-site", "30",
        "--sessions", "8");
    assertEquals(0, generated.code(), generated.err());
    String runLine = generated.out().lines().filter(l -> l.startsWith("run it:")).findFirst().orElseThrow();
    String command = runLine.substring("run it:".length()).strip();
    assertTrue(command.startsWith("scripts/rupture run --config "), command);

    spark(); // the shared test session; the job uses it
    ConsoleRun r = main(command.substring("scripts/rupture ".length()).split(" "));
    assertEquals(0, r.code(), r.err());
    Path run = cohort.resolve("out/runs").resolve(Files.readString(cohort.resolve("out/CURRENT")).strip());

    // the stage line counts what was pooled, not how many pooled rows were written
    String analyze = r.out().lines().filter(l -> l.startsWith("analyze ")).findFirst().orElseThrow();
    assertTrue(analyze.endsWith("25 site effects, 0 of 25 pooled, 12 IPD models (10 not fitted)"), analyze);
    // every row is not pooled, with the note that says why under the table, then the legend
    List<String> out = r.out().lines().toList();
    int header = out.indexOf(out.stream().filter(l -> l.startsWith("analysis ")).findFirst().orElseThrow());
    List<String> rows = out.subList(header + 1, header + 26);
    assertTrue(rows.stream().allMatch(l -> l.contains(" 1 ") && l.endsWith("not pooled [1]  -")),
        String.join("\n", rows));
    assertEquals("[1] not pooled: " + ONE_SITE, out.get(header + 26));
    assertEquals(ConsoleSummary.LEGEND, out.subList(header + 27, header + 29));
    assertEquals("results: " + run.resolve("results"), out.get(header + 29));

    // a model not fitted for want of a second site has that site's patients as n (as pooled has them), not 0
    Map<String, Long> pooledN = new HashMap<>();
    List<String> pooled = Files.readAllLines(run.resolve("results/pooled.csv"));
    List<String> columns = Arrays.asList(pooled.get(0).split(","));
    for (String line : pooled.subList(1, pooled.size())) {
      String[] f = line.split(",", -1);
      if (f[columns.indexOf("effect_type")].equals("log_or")) {
        continue; // the retention analysis's odds ratio row; the one-stage model's n is that of its r row
      }
      pooledN.put(f[columns.indexOf("analysis")] + "|" + f[columns.indexOf("rater")] + "|"
          + f[columns.indexOf("measure")], Long.parseLong(f[columns.indexOf("n_total")]));
    }
    int notFitted = 0;
    int retention = 0;
    for (JsonNode model : new ObjectMapper().readTree(run.resolve("results/ipd_models.json").toFile())) {
      assertEquals(1, model.get("k").asInt(), model.toString());
      if (model.has("not_fitted")) {
        notFitted++;
        String key = model.get("analysis").asText() + "|" + text(model.get("rater")) + "|" + text(model.get("measure"));
        assertTrue(model.get("n").asLong() > 0, model.toString());
        assertEquals(pooledN.get(key), model.get("n").asLong(), key);
      } else if (model.get("model").asText().equals("logistic_irls")) {
        // the retention model (one site: dropout ~ mean_resolution) is compared with the pooled log OR, here not
        // pooled; its own estimate is on that scale, the odds ratio of retention exp(-b) [exp(-upper), exp(-lower)]
        retention++;
        JsonNode b = null;
        for (JsonNode c : model.get("fixed_effects")) {
          b = c.get("term").asText().equals("mean_resolution") ? c : b;
        }
        JsonNode comparison = model.get("two_stage_comparison");
        assertEquals("log_or", comparison.get("effect_type").asText(), comparison.toString());
        assertTrue(!comparison.has("estimate") && !comparison.has("ci_lower"), comparison.toString());
        assertEquals("not compared", comparison.get("agreement").asText(), comparison.toString());
        assertEquals(Math.exp(-b.get("estimate").asDouble()), comparison.get("one_stage_estimate").asDouble(), 1e-12);
        assertEquals(Math.exp(-b.get("ci_upper").asDouble()), comparison.get("one_stage_ci_lower").asDouble(), 1e-12);
        assertEquals(Math.exp(-b.get("ci_lower").asDouble()), comparison.get("one_stage_ci_upper").asDouble(), 1e-12);
        assertEquals(1 / model.get("odds_ratio").get("estimate").asDouble(),
            comparison.get("one_stage_estimate").asDouble(), 1e-12);
      }
    }
    assertEquals(10, notFitted);
    assertEquals(2, retention);
  }

  private static String text(JsonNode value) {
    return value == null || value.isNull() ? "" : value.asText();
  }

  private static ConsoleRun main(String... args) {
    return ConsoleRun.of(Main::run, args);
  }
}
