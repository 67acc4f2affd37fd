package org.rupture.pipeline.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which session ratings a site lacks, as its excluded_reason says (no Spark). */
class DataExtentTest {
  private static final DataExtent EXTENT = new DataExtent(List.of("S04", "S01", "S05", "S07"),
      Set.of("S01", "S05", "S07"), Map.of("S01", Set.of("patient", "therapist"), "S07", Set.of("therapist")),
      List.of("IIP"));

  @Test
  void saysWhichSessionRatingsASiteLacks() {
    assertEquals(List.of("S01", "S04", "S05", "S07"), EXTENT.sites());
    List<String> patient = List.of("patient");
    List<String> both = List.of("therapist", "patient");
    assertEquals("no session ratings", EXTENT.missingSessions("S04", patient, 6));
    assertEquals("no session within the early window (sessions 1-6)", EXTENT.missingSessions("S05", patient, 6));
    assertEquals("no session within the early window (session 1)", EXTENT.missingSessions("S05", patient, 1));
    assertEquals("no session rated by the patient within the early window (sessions 1-6)",
        EXTENT.missingSessions("S07", both, 6));
    assertEquals("no session rated by the observer or the patient within the early window (sessions 1-8)",
        EXTENT.missingSessions("S07", List.of("observer", "patient"), 8));
    assertNull(EXTENT.missingSessions("S01", both, 6), "it has them: the kind says what its patients lack");
    assertNull(EXTENT.missingSessions("S04", List.of(), 6), "an analysis of no session rating");
  }
}
