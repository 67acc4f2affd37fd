package org.rupture.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeaderIndexTest {
  @Test
  void everyPositionOfAColumnIsKnownNotOnlyTheFirst() {
    HeaderIndex h = new HeaderIndex(List.of("pid", "session_quality", "rater", "session_quality", "Rater"));
    assertEquals(1, h.indexOf("session_quality"));
    assertEquals(List.of(1, 3), h.positionsOf("session_quality"));
    // names that differ only in case are one column to indexOf, so both count
    assertEquals(2, h.indexOf("rater"));
    assertEquals(List.of(2, 4), h.positionsOf("RATER"));
    assertEquals(List.of(0), h.positionsOf("pid"));
    assertEquals(List.of(), h.positionsOf("tid"));
    assertEquals(List.of(), h.positionsOf(null));
  }
}
