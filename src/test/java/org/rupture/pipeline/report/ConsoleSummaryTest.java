package org.rupture.pipeline.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleSummaryTest {
  @Test
  void consoleSummaryShowsOneLinePerPooledEffect() {
    List<String> lines = ConsoleSummary.render(List.of(
        new ConsoleSummary.Line("resolution_outcome", "patient", "IIP", "r", 6, 104, 0.216, 0.008, 0.406, 5.64, 1,
            "supports"),
        new ConsoleSummary.Line("training_effect", null, "IIP", "smd", 1, 20, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN, 1, "not pooled")));
    assertEquals(3, lines.size());
    assertTrue(lines.get(0).startsWith("analysis") && lines.get(0).contains("I2"), lines.get(0));
    assertTrue(lines.get(1).contains("  0.216 [ 0.008,  0.406]") && lines.get(1).contains("5.6%")
        && lines.get(1).contains(" yes ") && lines.get(1).endsWith("supports"), lines.get(1));
    assertTrue(lines.get(2).contains("training_effect") && lines.get(2).endsWith("not pooled"), lines.get(2));
  }
}
