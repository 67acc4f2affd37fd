package org.rupture.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rupture.pipeline.config.SiteMapping;
import org.rupture.pipeline.config.SiteMappingLoader;

/** The field issue shares from per-file counts (no Spark): sums per site, thresholds, keys and messages. */
class FieldIssueSharesTest {
  @TempDir Path dir;

  /** A mapping of site s1 that takes its dialect and session keys from a profile, as the sample's do. */
  private SiteMapping mapping() throws IOException {
    Files.createDirectories(dir.resolve("profiles"));
    Files.writeString(dir.resolve("profiles/p.yaml"), """
        dialect: {delimiter: ";", decimal: ",", date_formats: [dd.MM.yyyy]}
        sessions:
          files: "s*.csv"
          columns: {patient: pid, rater: rater, session_number: s, session_date: d, rupture_present: r,
                    rupture_intensity: i}
          rater_codes: {P: patient}
          yes_no: {"yes": ["1"], "no": ["0"]}
          scales: {rupture_intensity: [1, 5]}
          extra:
            sd: {column: sd, scale: [0, 4], target: [1, 5]}
        patients:
          files: "p*.csv"
          columns: {patient: pid, treatment: arm}
          treatment_codes: {"1": CBT}
          outcomes:
            - {measure: IIP, baseline: i0, termination: i1, direction: lower_is_better, range: [0, 4]}
            - {measure: WHO5, baseline: w0, termination: w1, direction: higher_is_better, range: [0, 100]}
        """);
    Files.writeString(dir.resolve("s1.yaml"), """
        site: s1
        extends: profiles/p.yaml
        sessions:
          scales: {rupture_intensity: [0, 4]}
        """);
    return SiteMappingLoader.loadAll(dir).get(0);
  }

  private static FileCounts file(String name, String site, String table, long accepted,
      Map<String, Map<String, Long>> issues) {
    return file(name, site, table, accepted, issues, Map.of());
  }

  private static FileCounts file(String name, String site, String table, long accepted,
      Map<String, Map<String, Long>> issues, Map<String, FileCounts.Extent> outOfRange) {
    return new FileCounts(name, site, "d1", table, "x", 1, accepted, accepted, accepted, 0, 0, true, issues,
        outOfRange);
  }

  @Test
  void sharesSumFilesPerSiteAndTableAndWarnAboveTheThresholdNamingTheKeyWhereItIsSet() throws IOException {
    SiteMapping m = mapping();
    String profile = dir.resolve("profiles/p.yaml").toString();
    String own = dir.resolve("s1.yaml").toString();
    FieldIssueShares shares = FieldIssueShares.of(List.of(
        file("s1/d1/s.csv", "s1", "session_ratings", 60,
            Map.of("session_date", Map.of("BAD_DATE", 60L), "rupture_intensity", Map.of("OUT_OF_RANGE", 10L))),
        file("s1/d2/s.csv", "s1", "session_ratings", 40,
            Map.of("session_date", Map.of("BAD_DATE", 39L), "rupture_intensity", Map.of("OUT_OF_RANGE", 15L,
                "NOT_NUMERIC", 30L))),
        file("s1/d1/p.csv", "s1", "patients", 10, Map.of("WHO5_termination", Map.of("OUT_OF_RANGE", 3L),
            "treatment", Map.of("UNKNOWN_CODE", 2L)))),
        Map.of("s1", m), 0.2, null, 0.01);

    assertEquals(List.of(
        "s1: WHO5_termination nulled in 3 of 10 patients records (30.0%, OUT_OF_RANGE); check "
            + "patients.outcomes[1].range in " + profile + " (profile of " + own + "); to change it for this mapping "
            + "only, set patients.outcomes (the whole list) in " + own + ", which overrides the profile",
        "s1: rupture_intensity nulled in 30 of 100 session_ratings records (30.0%, NOT_NUMERIC) and in 25 (25.0%, "
            + "OUT_OF_RANGE); check dialect.decimal in " + profile + " (profile of " + own + "); check "
            + "sessions.scales.rupture_intensity in " + own + "; to change it for this mapping only, set "
            + "dialect.decimal in " + own + ", which overrides the profile",
        "s1: session_date nulled in 99 of 100 session_ratings records (99.0%, BAD_DATE); check dialect.date_formats in "
            + profile + " (profile of " + own + "); to change it for this mapping only, set dialect.date_formats in "
            + own + ", which overrides the profile"),
        shares.warnings());
    FieldIssueShares.Share treatment = shares.shares().stream().filter(s -> s.field().equals("treatment")).findFirst()
        .orElseThrow();
    assertEquals(0.2, treatment.share(), 1e-12);    // 20%: not above the threshold
    assertEquals("patients.treatment_codes", treatment.key());
    assertEquals(profile, treatment.file());
    assertEquals(List.of(), shares.gateFailures());
    shares.enforceGate();                          // off: no gate

    FieldIssueShares gated = new FieldIssueShares(shares.shares(), shares.fileShares(), 0.2, 0.9, 0.01);
    assertEquals(1, gated.gateFailures().size());
    DataQualityException e = assertThrows(DataQualityException.class, gated::enforceGate);
    assertTrue(e.getMessage().startsWith("field issue share above quality.max_field_issue_share = 0.9 for s1: "
        + "session_date nulled in 99 of 100"), e.getMessage());
    FieldIssueShares tiny = new FieldIssueShares(shares.shares(), shares.fileShares(), 0.2, 0.0008, 0.01);
    e = assertThrows(DataQualityException.class, tiny::enforceGate);
    assertTrue(e.getMessage().startsWith("field issue share above quality.max_field_issue_share = 0.0008 for"),
        "as a config writes it, not 8.0E-4: " + e.getMessage());
  }

  /**
   * A new delivery whose dates all fail is a tenth of its site: the site's share stays below the threshold, the
   * file's own is 100%, so the file gets a line naming it, for the warning and for the gate. A site above the
   * threshold keeps its one line (its files are not repeated), and a file of fewer than 5 nulled records is
   * judged only within its site.
   */
  @Test
  void aFileAboveTheThresholdOfASiteBelowItGetsALineNamingTheFile() throws IOException {
    SiteMapping m = mapping();
    String profile = dir.resolve("profiles/p.yaml").toString();
    String own = dir.resolve("s1.yaml").toString();
    FieldIssueShares shares = FieldIssueShares.of(List.of(
        file("s1/d1/s.csv", "s1", "session_ratings", 900, Map.of("session_date", Map.of("BAD_DATE", 2L))),
        file("s1/d2/s.csv", "s1", "session_ratings", 100, Map.of("session_date", Map.of("BAD_DATE", 100L),
            "rupture_intensity", Map.of("NOT_NUMERIC", 3L))),
        file("s1/d3/s.csv", "s1", "session_ratings", 3, Map.of("session_date", Map.of("BAD_DATE", 3L))),
        file("s1/d4/s.csv", "s1", "session_ratings", 5, Map.of("session_date", Map.of("BAD_DATE", 5L))),
        file("s2/d1/s.csv", "s2", "session_ratings", 100, Map.of("session_date", Map.of("BAD_DATE", 100L))),
        file("s2/d2/s.csv", "s2", "session_ratings", 50, Map.of())),
        Map.of("s1", m), 0.2, null, 0.01);

    String check = "; check dialect.date_formats in " + profile + " (profile of " + own + "); to change it for this "
        + "mapping only, set dialect.date_formats in " + own + ", which overrides the profile";
    String d2 = "s1: session_date nulled in 100 of 100 session_ratings records of s1/d2/s.csv (100.0%, BAD_DATE)"
        + check;
    assertEquals(List.of(d2,
        "s1: session_date nulled in 5 of 5 session_ratings records of s1/d4/s.csv (100.0%, BAD_DATE)" + check,
        "s2: session_date nulled in 100 of 150 session_ratings records (66.7%, BAD_DATE)"),
        shares.warnings());
    FieldIssueShares.Share site = shares.above(0).get(1);
    assertEquals("s1 session_date 110 1008", String.join(" ", site.site(), site.field(), "" + site.records(),
        "" + site.accepted()), "the site's share stays below the threshold");
    assertEquals(List.of("s1/d2/s.csv", "s1/d4/s.csv"),
        shares.filesAbove(0.2).stream().map(FieldIssueShares.Share::source).toList());

    FieldIssueShares gated = new FieldIssueShares(shares.shares(), shares.fileShares(), 0.2, 0.9, 0.01);
    DataQualityException e = assertThrows(DataQualityException.class, gated::enforceGate);
    assertTrue(e.getMessage().startsWith("field issue share above quality.max_field_issue_share = 0.9 for " + d2
        + "; s1: session_date nulled in 5 of 5 session_ratings records of s1/d4/s.csv"), e.getMessage());
    assertEquals("s2: session_date nulled in 100 of 100 session_ratings records of s2/d1/s.csv (100.0%, BAD_DATE)",
        gated.gateFailures().get(2), "s2 at 66.7% is below the gate, its first delivery at 100% is not");
  }

  /**
   * A scale declared a point off ([0, 4] for 1-5 data) nulls only the 5s: 2% of the site, far below the warning
   * threshold, but above quality.out_of_range_warn_share, so a line names the declared scale and the values
   * outside it (above, below or on both sides). A file above it of a site below it gets the line; a few typos
   * (0.1%, or fewer than 5 records at a small site) do not.
   */
  @Test
  void outOfRangeValuesAboveTheirOwnSmallShareNameTheDeclaredScaleAndTheValues() throws IOException {
    SiteMapping m = mapping();
    String profile = dir.resolve("profiles/p.yaml").toString();
    String own = dir.resolve("s1.yaml").toString();
    FieldIssueShares shares = FieldIssueShares.of(List.of(
        file("s1/d1/s.csv", "s1", "session_ratings", 2000, Map.of("rupture_intensity", Map.of("OUT_OF_RANGE", 40L),
            "session_quality", Map.of("OUT_OF_RANGE", 3L)),
            Map.of("rupture_intensity", new FileCounts.Extent(5, 5), "session_quality", new FileCounts.Extent(55, 55))),
        file("s1/d2/s.csv", "s1", "session_ratings", 1000, Map.of("rupture_intensity", Map.of("OUT_OF_RANGE", 20L),
            "sd", Map.of("OUT_OF_RANGE", 30L)),
            Map.of("rupture_intensity", new FileCounts.Extent(5, 5), "sd", new FileCounts.Extent(-1, 6.25))),
        file("s1/d1/p.csv", "s1", "patients", 400, Map.of("IIP_baseline", Map.of("OUT_OF_RANGE", 8L)),
            Map.of("IIP_baseline", new FileCounts.Extent(-2, -1))),
        file("s2/d1/s.csv", "s2", "session_ratings", 100, Map.of("rupture_intensity", Map.of("OUT_OF_RANGE", 4L)),
            Map.of("rupture_intensity", new FileCounts.Extent(5, 5)))),
        Map.of("s1", m), 0.2, null, 0.01);

    List<String> warnings = shares.warnings();
    assertEquals(3, warnings.size(), String.join("\n", warnings));
    assertTrue(warnings.get(0).startsWith("s1: IIP_baseline out of range in 8 of 400 patients records (2.0%), "
        + "values -2 to -1 below the declared scale [0, 4]; check patients.outcomes[0].range in " + profile),
        warnings.get(0));
    assertEquals("s1: rupture_intensity out of range in 60 of 3000 session_ratings records (2.0%), values 5 to 5 "
        + "above the declared scale [0, 4]; check sessions.scales.rupture_intensity in " + own, warnings.get(1));
    assertTrue(warnings.get(2).startsWith("s1: sd out of range in 30 of 1000 session_ratings records of s1/d2/s.csv "
        + "(3.0%), values -1 to 6.25 outside the declared scale [0, 4]; check sessions.extra.sd.scale in " + profile),
        warnings.get(2));
    assertEquals(List.of(), shares.gateFailures(), "a warning only");
    assertEquals(new FileCounts.Extent(0, 4), FieldIssueShares.scaleOf(m, "session_ratings", "rupture_intensity"));
    assertNull(FieldIssueShares.scaleOf(m, "session_ratings", "alliance"), "no alliance items mapped");
    assertNull(FieldIssueShares.scaleOf(m, "patients", "sessions_attended"));
  }

  @Test
  void eachReasonNamesTheMappingKeyMostLikelyResponsible() throws IOException {
    SiteMapping m = mapping();
    Map<String, String> expected = Map.ofEntries(
        Map.entry("session_ratings session_date BAD_DATE", "dialect.date_formats"),
        Map.entry("session_ratings rupture_intensity NOT_NUMERIC", "dialect.decimal"),
        Map.entry("session_ratings rupture_intensity OUT_OF_RANGE", "sessions.scales.rupture_intensity"),
        Map.entry("session_ratings rupture_resolution NO_RUPTURE", "sessions.yes_no"),
        Map.entry("session_ratings rupture_present UNKNOWN_CODE", "sessions.yes_no"),
        Map.entry("session_ratings alliance OUT_OF_RANGE", "sessions.alliance.scale"),
        Map.entry("session_ratings alliance TOO_FEW_ITEMS", "sessions.alliance.min_items"),
        Map.entry("session_ratings sd OUT_OF_RANGE", "sessions.extra.sd.scale"),
        Map.entry("patients treatment UNKNOWN_CODE", "patients.treatment_codes"),
        Map.entry("patients dropout UNKNOWN_CODE", "patients.dropout_codes"),
        Map.entry("patients training_phase UNKNOWN_CODE", "patients.training_phase_codes"),
        Map.entry("patients sessions_attended NOT_NUMERIC", "patients.columns.sessions_attended"),
        Map.entry("patients IIP_baseline OUT_OF_RANGE", "patients.outcomes[0].range"),
        Map.entry("patients WHO5_termination NOT_NUMERIC", "dialect.decimal"));
    expected.forEach((what, key) -> {
      String[] w = what.split(" ");
      assertEquals(key, FieldIssueShares.keyOf(m, w[0], w[1], w[2]), what);
    });
    assertNull(FieldIssueShares.keyOf(m, "session_ratings", "unknown_extra", "OUT_OF_RANGE"));
    FieldIssueShares unknown = FieldIssueShares.of(List.of(file("s1/d1/s.csv", "s1", "session_ratings", 1,
        Map.of("unknown_extra", Map.of("OUT_OF_RANGE", 1L)))), Map.of("s1", m), 0.2, null, 0.01);
    assertEquals(List.of("s1: unknown_extra nulled in 1 of 1 session_ratings records (100.0%, OUT_OF_RANGE); "
        + "check the mapping " + dir.resolve("s1.yaml")), unknown.warnings());
  }
}
