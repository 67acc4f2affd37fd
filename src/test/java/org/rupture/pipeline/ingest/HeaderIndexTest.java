package org.rupture.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Locale;
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

  @Test
  void caseIsIgnoredTheSameWayInEveryDefaultLocale() {
    Locale before = Locale.getDefault();
    try {
      // in Turkish, "I".toLowerCase() is a dotless i: PATIENT_ID would not have matched patient_id
      Locale.setDefault(Locale.forLanguageTag("tr-TR"));
      HeaderIndex h = new HeaderIndex(List.of("PATIENT_ID", "SESSION"));
      assertEquals(0, h.indexOf("patient_id"));
      assertEquals(List.of(0), h.positionsOf("Patient_Id"));
    } finally {
      Locale.setDefault(before);
    }
  }
}
