package org.rupture.pipeline.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleSummaryTest {
  private static final String ONE_SITE = "only 1 site in the data; pooling needs at least 2";

  @Test
  void consoleSummaryShowsOneLinePerPooledEffectThenItsNotesAndTheLegend() {
    List<String> lines = ConsoleSummary.render(List.of(
        new ConsoleSummary.Line("resolution_outcome", "patient", "IIP", "r", 6, 104, 0.216, 0.008, 0.406, 5.64, 1,
            "supports", List.of(true, true), null),
        new ConsoleSummary.Line("training_effect", null, "IIP", "smd", 8, 283, 0.594, 0.149, 1.040, 69.0, 1,
            "supports", List.of(false, true), null),
        new ConsoleSummary.Line("intensity_outcome", "therapist", "WHO5", "r", 8, 332, 0.05, -0.1, 0.2, 0.0, -1,
            "inconclusive", List.of(), null),
        new ConsoleSummary.Line("training_effect", null, "WHO5", "smd", 1, 20, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN, 1, "not pooled", Arrays.asList(null, null), ONE_SITE),
        new ConsoleSummary.Line("rater_difference", "therapist-patient", null, "md", 1, 20, Double.NaN, Double.NaN,
            Double.NaN, Double.NaN, 1, "not pooled", List.of(), ONE_SITE)));
    assertEquals(List.of(
        "analysis               rater             measure  effect sites patients  pooled [95% CI]              I2"
            + "  expected met  evidence        vs published",
        "resolution_outcome     patient           IIP      r          6      104    0.216 [ 0.008,  0.406]   5.6%"
            + "  +        yes  supports        2/2 compatible",
        "training_effect        -                 IIP      smd        8      283    0.594 [ 0.149,  1.040]  69.0%"
            + "  +        yes  supports        1/2 compatible",
        "intensity_outcome      therapist         WHO5     r          8      332    0.050 [-0.100,  0.200]   0.0%"
            + "  -        no   inconclusive    -",
        "training_effect        -                 WHO5     smd        1       20  -                             -"
            + "  +        -    not pooled [1]  -",
        "rater_difference       therapist-patient -        md         1       20  -                             -"
            + "  +        -    not pooled [1]  -",
        "[1] not pooled: " + ONE_SITE,
        ConsoleSummary.LEGEND.get(0),
        ConsoleSummary.LEGEND.get(1)), lines);
  }

  @Test
  void differentReasonsGetTheirOwnNotesInOrderOfFirstUse() {
    List<String> lines = ConsoleSummary.render(List.of(
        line("no site has data: no patient with mean_resolution and improvement on GAF"),
        line(ONE_SITE),
        line("no site has data: no patient with mean_resolution and improvement on GAF")));
    assertEquals(List.of("not pooled [1]", "not pooled [2]", "not pooled [1]"),
        lines.subList(1, 4).stream().map(l -> l.substring(l.indexOf("not pooled"), l.length() - 1).strip()).toList());
    assertEquals(List.of("[1] not pooled: no site has data: no patient with mean_resolution and improvement on GAF",
        "[2] not pooled: " + ONE_SITE), lines.subList(4, 6));
  }

  @Test
  void theVsPublishedColumnSaysCompatibleIncompatibleOrHowManyOfSeveral() {
    assertEquals("compatible", ConsoleSummary.published(List.of(true), true));
    assertEquals("incompatible", ConsoleSummary.published(List.of(false), true));
    assertEquals("0/2 compatible", ConsoleSummary.published(List.of(false, false), true));
    assertEquals("-", ConsoleSummary.published(List.of(), true));
    assertEquals("-", ConsoleSummary.published(Arrays.asList((Boolean) null), false));
    // pooled but not compared: an odds ratio against a published r
    assertEquals("not comparable", ConsoleSummary.published(Arrays.asList((Boolean) null), true));
  }

  @Test
  void anOddsRatioMeetsThePlusSignAboveOneAndTheMinusSignBelowIt() {
    List<String> lines = ConsoleSummary.render(List.of(
        new ConsoleSummary.Line("resolution_retention", "patient", null, "log_or", 6, 150, 1.8, 1.2, 2.7, 10.0, 1,
            "supports", Arrays.asList((Boolean) null), null),
        new ConsoleSummary.Line("resolution_retention", "therapist", null, "log_or", 6, 150, 0.8, 0.5, 1.3, 0.0, 1,
            "inconclusive", List.of(), null)));
    assertEquals("resolution_retention   patient           -        log_or     6      150    1.800 [ 1.200,  2.700]"
        + "  10.0%  +        yes  supports        not comparable", lines.get(1));
    assertEquals("resolution_retention   therapist         -        log_or     6      150    0.800 [ 0.500,  1.300]"
        + "   0.0%  +        no   inconclusive    -", lines.get(2));
  }

  @Test
  void theLegendNamesEveryColumnThatNeedsIt() {
    String legend = String.join("\n", ConsoleSummary.LEGEND);
    for (String column : List.of("expected", "met", "evidence", "sites", "patients", "vs published",
        "results/evidence.csv")) {
      assertEquals(true, legend.contains(column), column);
    }
    assertEquals(2, ConsoleSummary.LEGEND.size());
  }

  private static ConsoleSummary.Line line(String reason) {
    return new ConsoleSummary.Line("resolution_outcome", "observer", "GAF", "r", 0, 0, Double.NaN, Double.NaN,
        Double.NaN, Double.NaN, 1, "not pooled", List.of(), reason);
  }
}
