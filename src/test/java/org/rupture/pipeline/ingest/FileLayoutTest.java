package org.rupture.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.rupture.pipeline.config.SiteMapping;
import org.rupture.pipeline.config.SiteMappingLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a header's columns land: what the parser reads and what the header check reports. */
class FileLayoutTest {
  static final String WIDE = """
      site: beta
      dialect: {delimiter: ";"}
      sessions:
        files: "sessions*.csv"
        layout: wide
        session_column_pattern: "{field}_s{session}"
        columns: {patient: pid, rater: rater, session_date: datum, rupture_present: rupt, rupture_intensity: int}
        rater_codes: {P: patient, T: therapist}
        alliance: {items: [w1, w2], scale: [1, 7], reverse: [], min_items: 1}
        extra:
          disclosure: {column: sd, scale: [0, 4], target: [1, 5]}
      """;

  @TempDir Path dir;

  private SiteMapping mapping(String yaml) throws IOException {
    Files.writeString(dir.resolve("site.yaml"), yaml);
    return SiteMappingLoader.loadAll(dir).get(0);
  }

  private FileLayout sessions(String header) throws IOException {
    return FileLayout.of(List.of(header.split(";", -1)), mapping(WIDE), SourceFile.Kind.SESSIONS);
  }

  /** Per session found, the header position of date, rupture and intensity (SESSION_FIELDS 2, 4, 5). */
  private static int[] fields(FileLayout l, int k) {
    return new int[] {l.wideIdx[k][2], l.wideIdx[k][4], l.wideIdx[k][5]};
  }

  @Test
  void zeroPaddedSessionColumnsAreReadUnderTheirOwnNames() throws IOException {
    FileLayout l = sessions("pid;rater;datum_s01;rupt_s01;int_s01;w1_s01;w2_s01;sd_s01;datum_s02;rupt_s02;int_s02;"
        + "w1_s02;w2_s02;sd_s02");
    assertEquals(List.of(), l.problems());
    assertArrayEquals(new int[] {1, 2}, l.sessionNumbers);
    assertArrayEquals(new int[] {2, 3, 4}, fields(l, 0));
    assertArrayEquals(new int[] {8, 9, 10}, fields(l, 1));
    assertArrayEquals(new int[] {5, 6}, l.wideAllianceIdx[0]);
    assertArrayEquals(new int[] {11, 12}, l.wideAllianceIdx[1]);
    assertArrayEquals(new int[] {7}, l.wideExtraIdx[0]);
    assertArrayEquals(new int[] {13}, l.wideExtraIdx[1]);
  }

  @Test
  void paddingAndCaseMayDifferBetweenColumnsOfOneSession() throws IOException {
    FileLayout l = sessions("pid;rater;DATUM_S1;rupt_s001;Int_S01;w1_s1;w2_S01;sd_s1");
    assertEquals(List.of(), l.problems());
    assertArrayEquals(new int[] {1}, l.sessionNumbers);
    assertArrayEquals(new int[] {2, 3, 4}, fields(l, 0));
    assertArrayEquals(new int[] {5, 6}, l.wideAllianceIdx[0]);
    assertArrayEquals(new int[] {7}, l.wideExtraIdx[0]);
  }

  /**
   * Per session, the header's own name of each column read, by the mapping's name of it (as field issues
   * name source columns); the alliance items together are named by the items present in the session.
   */
  @Test
  void eachSessionNamesTheHeaderColumnsItReadsByTheMappingsColumn() throws IOException {
    FileLayout l = sessions("pid;rater;DATUM_S1;rupt_s001;Int_S01;w1_s1;w2_S01;sd_s1;rupt_s2;w1_s02");
    assertEquals(List.of(), l.problems());
    assertEquals(2, l.wideColumnNames.size());
    assertEquals(java.util.Map.of("datum", "DATUM_S1", "rupt", "rupt_s001", "int", "Int_S01", "w1", "w1_s1",
        "w2", "w2_S01", "w1+w2", "w1_s1+w2_S01", "sd", "sd_s1"), l.wideColumnNames.get(0));
    assertEquals(java.util.Map.of("rupt", "rupt_s2", "w1", "w1_s02", "w1+w2", "w1_s02"), l.wideColumnNames.get(1));
  }

  @Test
  void aSessionWithOnlyAllianceOrExtraColumnsIsStillRead() throws IOException {
    // session 3 has no rating columns; its alliance items and extra variable must not be skipped
    FileLayout l = sessions("pid;rater;rupt_s1;w1_s3;sd_s4");
    assertEquals(List.of(), l.problems());
    assertArrayEquals(new int[] {1, 3, 4}, l.sessionNumbers);
    assertArrayEquals(new int[] {-1, 2, -1}, fields(l, 0));
    assertArrayEquals(new int[] {3, -1}, l.wideAllianceIdx[1]);
    assertArrayEquals(new int[] {4}, l.wideExtraIdx[2]);
  }

  @Test
  void twoColumnsForOneSessionOfOneVariableAreAHeaderError() throws IOException {
    FileLayout l = sessions("pid;rater;int_s1;rupt_s1;int_s01;w1_s2;W1_S02");
    assertEquals(2, l.problems().size(), l.problems().toString());
    assertEquals("sessions.columns.rupture_intensity: columns 'int_s1' (position 3) and 'int_s01' (position 5) are both "
        + "session 1 of 'int' under session_column_pattern '{field}_s{session}'; remove or rename one of them",
        l.problems().get(0));
    assertTrue(l.problems().get(1).startsWith("sessions.alliance.items: columns 'w1_s2' (position 6) and 'W1_S02' "
        + "(position 7) are both session 2 of 'w1'"), l.problems().toString());
  }

  @Test
  void aColumnThatReadsAsTwoVariablesIsAHeaderError() throws IOException {
    // without a separator, w105 is session 5 of w1 as much as session 5 of w10
    String yaml = WIDE.replace("{field}_s{session}", "{field}{session}").replace("[w1, w2]", "[w1, w10]");
    FileLayout l = FileLayout.of(List.of("pid", "rater", "rupt1", "w11", "w105"), mapping(yaml), SourceFile.Kind.SESSIONS);
    assertEquals(List.of("sessions.session_column_pattern: column 'w105' (position 5) reads as session 5 of 'w1' and "
        + "as session 5 of 'w10' under '{field}{session}'; put a separator between {field} and {session} in the "
        + "pattern, or rename the column"), l.problems());
  }

  @Test
  void aSessionNumberTooLargeForAnIntIsAHeaderErrorNotACrash() throws IOException {
    FileLayout l = sessions("pid;rater;rupt_s1;int_s99999999999");
    assertEquals(List.of("sessions.columns.rupture_intensity: column 'int_s99999999999' (position 4) has session number "
        + "99999999999, too large to be one"), l.problems());
    assertEquals("[1]", Arrays.toString(l.sessionNumbers));
  }

  @Test
  void noSessionColumnAtAllIsStillReported() throws IOException {
    FileLayout l = sessions("pid;rater;rupture_1;intensity_1");
    assertEquals(1, l.problems().size(), l.problems().toString());
    assertTrue(l.problems().get(0).startsWith("sessions.session_column_pattern: no column of the header matches"),
        l.problems().toString());
  }

  static final String LONG = """
      site: alpha
      drop_columns: [email]
      sessions:
        files: "sessions*.csv"
        columns: {patient: pid, rater: rater, session_number: session, rupture_present: rupture,
                  session_quality: session_quality}
        rater_codes: {P: patient, T: therapist}
      patients:
        files: "patients*.csv"
        columns: {patient: pid}
        outcomes:
          - {measure: IIP, baseline: iip0, termination: iip1, direction: lower_is_better}
      """;

  @Test
  void aDuplicatedColumnTheMappingReadsIsAHeaderError() throws IOException {
    FileLayout l = FileLayout.of(List.of("pid", "rater", "session", "session_quality", "rupture", "session_quality"),
        mapping(LONG), SourceFile.Kind.SESSIONS);
    assertEquals(List.of("sessions.columns.session_quality: column 'session_quality' is in the header 2 times "
        + "(positions 4 and 6), so which one to read is ambiguous; remove or rename the extra column in the export"),
        l.problems());
  }

  @Test
  void columnsDifferingOnlyInCaseAreDuplicatesToo() throws IOException {
    FileLayout l = FileLayout.of(List.of("pid", "iip0", "IIP1", "iip1", "PID"), mapping(LONG), SourceFile.Kind.PATIENTS);
    assertEquals(List.of("patients.columns.patient: column 'pid' is in the header 2 times (positions 1 'pid' and 5 "
        + "'PID'), so which one to read is ambiguous; remove or rename the extra column in the export",
        "patients.outcomes[0].termination: column 'iip1' is in the header 2 times (positions 3 'IIP1' and 4 'iip1'), "
        + "so which one to read is ambiguous; remove or rename the extra column in the export"), l.problems());
  }

  @Test
  void aDuplicatedRowColumnOfAWideExportIsAHeaderError() throws IOException {
    FileLayout l = sessions("pid;rater;rupt_s1;rater");
    assertEquals(List.of("sessions.columns.rater: column 'rater' is in the header 2 times (positions 2 and 4), so "
        + "which one to read is ambiguous; remove or rename the extra column in the export"), l.problems());
  }

  @Test
  void aDuplicatedColumnTheMappingDoesNotReadIsHarmless() throws IOException {
    FileLayout l = FileLayout.of(List.of("pid", "rater", "session", "email", "rupture", "session_quality", "note",
        "email", "note"),
        mapping(LONG), SourceFile.Kind.SESSIONS);
    assertEquals(List.of(), l.problems());
  }
}
