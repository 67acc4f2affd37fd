package org.rupture.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config mistakes fail before Spark starts, naming the file, the key and the fix. */
class SiteMappingLoaderTest {
  static final String PROFILE = """
      dialect: {delimiter: ";", decimal: ",", encoding: windows-1252, date_formats: [dd.MM.yyyy]}
      missing_codes: ["", "-99"]
      sessions:
        files: "psq_*.csv"
        layout: wide
        session_column_pattern: "{field}_s{session}"
        columns: {patient: pid, rater: rater, rupture_present: rup, rupture_intensity: int}
        rater_codes: {P: patient, T: therapist}
        scales: {rupture_intensity: [0, 4]}
      """;

  @TempDir Path dir;
  /** The least a mapping needs besides its site, for tests about other keys. */
  static final String SESSIONS =
      "sessions: {files: x.csv, columns: {patient: p, rater: r, session_number: s, rupture_present: rp}}\n";

  private Path write(String name, String yaml) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, yaml);
    return p;
  }

  private ConfigException failure(String yaml) throws IOException {
    write("site.yaml", yaml);
    return assertThrows(ConfigException.class, () -> SiteMappingLoader.loadAll(dir));
  }

  @Test
  void profilesMergeMapsKeyByKeyAndMappingsOverrideOnlyWhatDiffers() throws IOException {
    write("profiles/wide.yaml", PROFILE);
    write("clinics.yaml", """
        site_pattern: "clinic-*"
        extends: profiles/wide.yaml
        sessions:
          scales: {rupture_intensity: [1, 5]}
        """);
    List<SiteMapping> all = SiteMappingLoader.loadAll(dir);
    assertEquals(1, all.size());
    SiteMapping m = all.get(0);
    assertTrue(m.claims("clinic-042"));
    assertEquals(';', m.dialect().delimiter());
    assertEquals(',', m.dialect().decimal());
    assertEquals(SiteMapping.Layout.WIDE, m.sessions().layout());
    assertEquals(1.0, m.sessions().scales().get("rupture_intensity")[0]);
    assertEquals("int_s3", m.sessions().column("rupture_intensity", 3));
  }

  @Test
  void unknownKeySuggestsTheNearestOne() throws IOException {
    ConfigException e = failure("site: a\nsessions: {files: x.csv, colums: {patient: p}}\n");
    assertTrue(e.getMessage().contains("site.yaml at 'sessions.colums': unknown key; did you mean 'columns'?"), e.getMessage());
  }

  @Test
  void badScaleNamesKeyAndExpectedForm() throws IOException {
    ConfigException e = failure("site: a\nsessions: {files: x.csv, columns: {patient: p, rater: r, session_number: s, "
        + "rupture_present: rp}, scales: {rupture_intensity: [4, 0]}}\n");
    assertTrue(e.getMessage().contains("'sessions.scales.rupture_intensity': range [4.0, 0.0] must have min < max"), e.getMessage());
  }

  @Test
  void missingFilePatternSaysWhatToAdd() throws IOException {
    ConfigException e = failure("site: a\npatients: {columns: {patient: p}}\n");
    assertTrue(e.getMessage().contains("'patients.files': missing; give a glob for the patient files"), e.getMessage());
  }

  @Test
  void missingProfileAndCyclesAreReported() throws IOException {
    assertTrue(failure("site: a\nextends: profiles/none.yaml\n").getMessage().contains("profile 'profiles/none.yaml' not found"));
    write("profiles/x.yaml", "extends: profiles/y.yaml\n");
    write("profiles/y.yaml", "extends: profiles/x.yaml\n");
    assertTrue(failure("site: a\nextends: profiles/x.yaml\n").getMessage().contains("cycle"));
  }

  @Test
  void twoMappingsClaimingOneSiteIsAnError() throws IOException {
    String body = "sessions: {files: x.csv, columns: {patient: p, rater: r, session_number: s, rupture_present: rp}}\n";
    write("a.yaml", "site: alpha\n" + body);
    write("b.yaml", "sites: [alpha, beta]\n" + body);
    ConfigException e = assertThrows(ConfigException.class, () -> SiteMappingLoader.loadAll(dir));
    assertTrue(e.getMessage().contains("site 'alpha' is also claimed by"), e.getMessage());
  }

  @Test
  void aSingleValueWhereAListBelongsIsRejectedWithTheListToWrite() throws IOException {
    ConfigException e = failure("sites: alpha\n" + SESSIONS);
    assertEquals("sites", e.key());
    assertTrue(e.getMessage().endsWith("expected a list, found 'alpha'; write [alpha]"), e.getMessage());
    assertEquals("missing_codes", failure("site: a\nmissing_codes: -99\n" + SESSIONS).key());
  }

  @Test
  void unknownRaterAndEncodingAreRejected() throws IOException {
    assertTrue(failure("site: a\ndialect: {encoding: klingon}\nsessions: {files: x.csv, columns: {patient: p, rater: r, "
        + "session_number: s, rupture_present: rp}}\n").getMessage().contains("unknown encoding 'klingon'"));
    assertTrue(failure("site: a\nsessions: {files: x.csv, columns: {patient: p, rater: r, session_number: s, "
        + "rupture_present: rp}, rater_codes: {P: client}}\n").getMessage().contains("maps to 'client'"));
  }

  @Test
  void aDatePatternSparkCannotParseFailsAtLoadWithTheEntryAndTheFix() throws IOException {
    // java.time accepts both patterns; Spark's parser refuses them, which ingest found only at run time (exit 1)
    ConfigException e = failure("site: a\ndialect: {date_formats: [\"dd/MM/YYYY\"]}\n" + SESSIONS);
    assertTrue(e.getMessage().contains("site.yaml at 'dialect.date_formats[0]': 'dd/MM/YYYY'"), e.getMessage());
    assertTrue(e.getMessage().contains("use yyyy for the year"), e.getMessage());
    assertEquals("dialect.date_formats[0]", e.key());

    e = failure("site: a\ndialect: {date_formats: [yyyy-MM-dd, \"yyyy-MM-dd qqqqq\"]}\n" + SESSIONS);
    assertTrue(e.getMessage().contains("at 'dialect.date_formats[1]': 'yyyy-MM-dd qqqqq'"), e.getMessage());
    assertTrue(e.getMessage().contains("'q'"), e.getMessage());

    e = failure("site: a\ndialect: {date_formats: [\"yyyy-ww\"]}\n" + SESSIONS);
    assertTrue(e.getMessage().contains("week"), e.getMessage());
    e = failure("site: a\ndialect: {date_formats: [\"dd MMMMM yyyy\"]}\n" + SESSIONS);
    assertTrue(e.getMessage().contains("'MMMMM'"), e.getMessage());
    e = failure("site: a\ndialect: {date_formats: [\"yyyy-MM-dd'\"]}\n" + SESSIONS);
    assertTrue(e.getMessage().contains("'yyyy-MM-dd''"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  @Test
  void datePatternsSparkParsesAreAccepted() throws IOException {
    write("site.yaml", "site: a\ndialect: {date_formats: [yyyy-MM-dd, dd.MM.yyyy, dd/MM/yy, \"d MMM yyyy\", "
        + "\"yyyy-MM-dd'T'HH:mm:ss\", \"MM/dd/yyyy HH:mm\"]}\n" + SESSIONS);
    assertEquals(6, SiteMappingLoader.loadAll(dir).get(0).dialect().dateFormats().size());
  }

  @Test
  void aDatePatternSparkParsesIntoWrongDatesFailsAtLoadWithTheFix() throws IOException {
    // Spark accepts dd.mm.yyyy and reads the middle number as minutes: every date of the site fell in January
    ConfigException e = failure("site: a\ndialect: {date_formats: [dd.mm.yyyy]}\n" + SESSIONS);
    assertEquals("dialect.date_formats[0]", e.key());
    assertTrue(e.getMessage().contains("site.yaml at 'dialect.date_formats[0]': 'dd.mm.yyyy' reads mm as minutes "
        + "(months are MM), so every date would fall in January; write dd.MM.yyyy"), e.getMessage());
    // in a profile: reported there, naming the mapping
    write("profiles/p.yaml", PROFILE.replace("dd.MM.yyyy", "\"dd/mm/yyyy\""));
    Files.delete(dir.resolve("site.yaml"));
    Path alpha = write("alpha.yaml", "site: alpha\nextends: profiles/p.yaml\n");
    e = assertThrows(ConfigException.class, () -> SiteMappingLoader.loadAll(dir));
    assertTrue(e.getMessage().contains(dir.resolve("profiles/p.yaml") + " at 'dialect.date_formats[0]': 'dd/mm/yyyy' "
        + "reads mm as minutes"), e.getMessage());
    assertTrue(e.getMessage().contains("a profile that " + alpha + " extends"), e.getMessage());
    Files.delete(alpha);

    e = failure("site: a\ndialect: {date_formats: [\"DD.MM.yyyy\"]}\n" + SESSIONS);
    assertTrue(e.getMessage().contains("'DD.MM.yyyy' reads DD as the day of the year (days of the month are dd)"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("write dd.MM.yyyy"), e.getMessage());
    e = failure("site: a\ndialect: {date_formats: [\"yyyy-MM-dd mm:ss\"]}\n" + SESSIONS);
    assertTrue(e.getMessage().contains("'yyyy-MM-dd mm:ss' has mm (minutes) but no hour, so it forms no time; for a "
        + "date with a time add HH"), e.getMessage());
    e = failure("site: a\ndialect: {date_formats: [\"MM/dd\"]}\n" + SESSIONS);
    assertTrue(e.getMessage().contains("'MM/dd' has no year (yyyy), so every date would fall in 1970"), e.getMessage());
    e = failure("site: a\ndialect: {date_formats: [\"dd.yyyy\"]}\n" + SESSIONS);
    assertTrue(e.getMessage().contains("has no month (MM)"), e.getMessage());
    e = failure("site: a\ndialect: {date_formats: [\"MM.yyyy\"]}\n" + SESSIONS);
    assertTrue(e.getMessage().contains("has no day of the month (dd)"), e.getMessage());
    // YYYY (week-based year) Spark refuses itself, with the fix
    assertTrue(failure("site: a\ndialect: {date_formats: [\"dd.MM.YYYY\"]}\n" + SESSIONS).getMessage()
        .contains("use yyyy for the year"));
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());

    // letters in quotes are text, and the day of the year alone is a date
    write("site.yaml", "site: a\ndialect: {date_formats: [\"yyyy-DDD\", \"'dm 'dd.MM.yyyy\", "
        + "\"yyyy-MM-dd'T'hh:mm a\", \"yyyy-MM-dd[ HH:mm:ss.SSS]\", \"dd.MM.yy\"]}\n" + SESSIONS);
    assertEquals(5, SiteMappingLoader.loadAll(dir).get(0).dialect().dateFormats().size());
  }

  @Test
  void anEmptyDateFormatListIsRejectedWithTheFix() throws IOException {
    // it was accepted, and then every session_date of the site was nulled as BAD_DATE
    ConfigException e = failure("site: a\ndialect: {date_formats: []}\n" + SESSIONS);
    assertEquals("dialect.date_formats", e.key());
    assertTrue(e.getMessage().contains("site.yaml at 'dialect.date_formats': is empty, so no date could be read"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("list at least one format, e.g. [yyyy-MM-dd] or [dd.MM.yyyy], or remove the key "
        + "for the default [yyyy-MM-dd]"), e.getMessage());

    // a mapping emptying its profile's list is to blame, not the profile
    write("profiles/p.yaml", PROFILE);
    Path alpha = write("alpha.yaml", "site: alpha\nextends: profiles/p.yaml\ndialect: {date_formats: []}\n");
    Files.delete(dir.resolve("site.yaml"));
    e = assertThrows(ConfigException.class, () -> SiteMappingLoader.loadAll(dir));
    assertTrue(e.getMessage().contains(alpha + " at 'dialect.date_formats': is empty"), e.getMessage());

    // no key, or no value: the default
    Files.delete(alpha);
    write("site.yaml", "site: a\ndialect: {date_formats: ~}\n" + SESSIONS);
    assertEquals(List.of("yyyy-MM-dd"), SiteMappingLoader.loadAll(dir).get(0).dialect().dateFormats());
  }

  @Test
  void aYesNoMapNeedsACodeForEachAnswer() throws IOException {
    String sessions = "sessions: {files: x.csv, columns: {patient: p, rater: r, session_number: s, rupture_present: rp}, ";
    ConfigException e = failure("site: a\n" + sessions + "yes_no: {\"yes\": [ja]}}\n");
    assertEquals("sessions.yes_no.no", e.key());
    assertTrue(e.getMessage().contains("at 'sessions.yes_no.no': no code for 'no', so every rupture_present answered "
        + "'no' would be nulled as UNKNOWN_CODE; list the codes of column 'rp' for it, e.g. no: [\"0\"], or remove "
        + "yes_no for the default"), e.getMessage());
    assertEquals("sessions.yes_no.yes", failure("site: a\n" + sessions + "yes_no: {}}\n").key());
    assertEquals("sessions.yes_no.yes", failure("site: a\n" + sessions + "yes_no: {\"yes\": [], \"no\": [\"0\"]}}\n").key());
  }

  @Test
  void anEmptyRaterCodeMapIsRejectedWhereARaterColumnIsRead() throws IOException {
    ConfigException e = failure("site: a\nsessions: {files: x.csv, columns: {patient: p, rater: who, session_number: s, "
        + "rupture_present: rp}, rater_codes: {}}\n");
    assertEquals("sessions.rater_codes", e.key());
    assertTrue(e.getMessage().contains("at 'sessions.rater_codes': is empty, so no rater could be read (every row would "
        + "be quarantined as UNKNOWN_RATER); map the codes of column 'who'"), e.getMessage());
    // one rater for every row: no column, no codes needed
    write("site.yaml", "site: a\nsessions: {files: x.csv, columns: {patient: p, session_number: s, rupture_present: rp}, "
        + "rater_value: patient, rater_codes: {}}\n");
    assertEquals("patient", SiteMappingLoader.loadAll(dir).get(0).sessions().raterValue());
  }

  @Test
  void patientCodeMapsMustListSomeCode() throws IOException {
    String patients = "patients: {files: p.csv, columns: {patient: p, treatment: arm, dropout: d, training_phase: ph}, ";
    String codes = "treatment_codes: {\"1\": CBT}, ";
    // a mapped treatment column without codes nulled every treatment
    ConfigException e = failure("site: a\n" + patients + "dropout_codes: {\"yes\": [\"1\"]}}\n");
    assertEquals("patients.treatment_codes", e.key());
    assertTrue(e.getMessage().contains("at 'patients.treatment_codes': missing, so no treatment could be read (every "
        + "one would be nulled as UNKNOWN_CODE); map each code of column 'arm' to its treatment"), e.getMessage());
    assertTrue(failure("site: a\n" + patients + "treatment_codes: {}}\n").getMessage()
        .contains("at 'patients.treatment_codes': is empty, so no treatment could be read"));

    e = failure("site: a\n" + patients + codes + "dropout_codes: {}}\n");
    assertEquals("patients.dropout_codes", e.key());
    assertTrue(e.getMessage().contains("at 'patients.dropout_codes': lists no code, so every dropout would be nulled as "
        + "UNKNOWN_CODE; list the codes"), e.getMessage());
    e = failure("site: a\n" + patients + codes + "training_phase_codes: {pre: [], post: []}}\n");
    assertEquals("patients.training_phase_codes", e.key());

    // one side may be empty: a dropout flag with retained patients left blank; no trained therapist yet
    write("site.yaml", "site: a\n" + patients + codes + "dropout_codes: {\"yes\": [x]}, training_phase_codes: "
        + "{pre: [vor]}}\n");
    SiteMapping m = SiteMappingLoader.loadAll(dir).get(0);
    assertEquals(List.of(), m.patients().dropoutCodes().get("no"));
    assertEquals(List.of(), m.patients().trainingPhaseCodes().get("post"));
  }

  @Test
  void aMistakeInAProfileIsReportedInTheProfileNamingTheMappingThatExtendsIt() throws IOException {
    Path profile = write("profiles/long-csv.yaml", PROFILE + "dialekt: {delimiter: \",\"}\n");
    Path alpha = write("alpha.yaml", "site: alpha\nextends: profiles/long-csv.yaml\n");
    ConfigException e = assertThrows(ConfigException.class, () -> SiteMappingLoader.loadAll(dir));
    assertEquals(profile.toString(), e.file(), e.getMessage());
    assertEquals("dialekt", e.key());
    assertTrue(e.getMessage().contains(profile + " at 'dialekt': unknown key; did you mean 'dialect'?"), e.getMessage());
    assertTrue(e.getMessage().contains("a profile that " + alpha + " extends"), e.getMessage());

    // a nested key, in a section the mapping overrides in part: still the profile's
    write("profiles/long-csv.yaml", PROFILE.replace("layout: wide", "layout: wide\n  colums: {patient: p}"));
    write("alpha.yaml", "site: alpha\nextends: profiles/long-csv.yaml\nsessions: {files: \"other_*.csv\"}\n");
    e = assertThrows(ConfigException.class, () -> SiteMappingLoader.loadAll(dir));
    assertTrue(e.getMessage().contains(profile + " at 'sessions.colums': unknown key"), e.getMessage());
  }

  @Test
  void anInvalidValueIsReportedInTheFileThatSetsIt() throws IOException {
    Path profile = write("profiles/p.yaml", PROFILE.replace("dd.MM.yyyy", "\"dd.MM.YYYY\""));
    Path alpha = write("alpha.yaml", "site: alpha\nextends: profiles/p.yaml\n");
    ConfigException e = assertThrows(ConfigException.class, () -> SiteMappingLoader.loadAll(dir));
    assertTrue(e.getMessage().contains(profile + " at 'dialect.date_formats[0]'"), e.getMessage());

    // the mapping overrides the profile's valid value with a bad one: the mapping is to blame
    write("profiles/p.yaml", PROFILE);
    write("alpha.yaml", "site: alpha\nextends: profiles/p.yaml\ndialect: {encoding: klingon}\n");
    e = assertThrows(ConfigException.class, () -> SiteMappingLoader.loadAll(dir));
    assertTrue(e.getMessage().contains(alpha + " at 'dialect.encoding': unknown encoding"), e.getMessage());
    assertFalse(e.getMessage().contains("profile"), e.getMessage());

    // a profile's section the mapping replaces by a scalar: the mapping's value, the mapping's file
    write("alpha.yaml", "site: alpha\nextends: profiles/p.yaml\nsessions: psq.csv\n");
    e = assertThrows(ConfigException.class, () -> SiteMappingLoader.loadAll(dir));
    assertTrue(e.getMessage().contains(alpha + " at 'sessions': expected a map of keys"), e.getMessage());
  }

  @Test
  void aMistakeInAProfileOfAProfileNamesTheWholeChain() throws IOException {
    Path base = write("profiles/base.yaml", PROFILE + "missing_kodes: [\"-99\"]\n");
    Path mid = write("profiles/mid.yaml", "extends: profiles/base.yaml\ndrop_columns: [email]\n");
    Path alpha = write("alpha.yaml", "site: alpha\nextends: profiles/mid.yaml\n");
    ConfigException e = assertThrows(ConfigException.class, () -> SiteMappingLoader.loadAll(dir));
    assertTrue(e.getMessage().contains(base + " at 'missing_kodes': unknown key; did you mean 'missing_codes'?"),
        e.getMessage());
    assertTrue(e.getMessage().contains("a profile that " + alpha + " extends through " + mid), e.getMessage());
  }

  @Test
  void maxSessionsIsAnUnknownKeyNotSilentlyIgnored() throws IOException {
    // it was accepted and then never used: a mapping setting it believed sessions were capped
    ConfigException e = failure("site: a\nsessions: {files: x.csv, max_sessions: 12, columns: {patient: p, rater: r, "
        + "session_number: s, rupture_present: rp}}\n");
    assertTrue(e.getMessage().contains("site.yaml at 'sessions.max_sessions': unknown key"), e.getMessage());
    assertFalse(e.getMessage().contains("max_sessions,"), "not among the allowed keys: " + e.getMessage());
  }

  @Test
  void aWidePatternNeedsFieldAndSessionOnceEach() throws IOException {
    for (String pattern : List.of("{field}_s{session}_{session}", "{field}{field}_s{session}", "{field}_s")) {
      ConfigException e = failure("site: beta\n" + PROFILE.replace("{field}_s{session}", pattern));
      assertTrue(e.getMessage().contains("at 'sessions.session_column_pattern': a wide layout needs a pattern with "
          + "{field} and {session} once each") && e.getMessage().contains("found '" + pattern + "'"), e.getMessage());
    }
  }

  @Test
  void aLoadedMappingKnowsWhichFileSetsEachKey() throws IOException {
    Path base = write("profiles/base.yaml", PROFILE);
    Path mid = write("profiles/mid.yaml", "extends: profiles/base.yaml\npatients: {files: \"pat_*.csv\", "
        + "columns: {patient: pid}, outcomes: [{measure: IIP, baseline: b, termination: t, direction: lower_is_better}]}\n");
    Path alpha = write("alpha.yaml", "site: alpha\nextends: profiles/mid.yaml\nsessions: {columns: {rater: who}}\n");
    KeySources k = SiteMappingLoader.loadAll(dir).get(0).sources();
    assertEquals(alpha.toString(), k.mapping());
    assertEquals(base.toString(), k.fileOf("sessions.columns.patient"));
    assertEquals(base + " (profile of " + alpha + " through " + mid + ")", k.where("sessions.files"));
    // a key the mapping overrides, in a section the profile sets too, is the mapping's
    assertEquals(alpha.toString(), k.where("sessions.columns.rater"));
    assertFalse(k.inProfile("sessions.columns.rater"));
    assertEquals("", k.overrideHint("sessions.columns.rater"));
    assertEquals(mid + " (profile of " + alpha + ")", k.where("patients.outcomes[0].baseline"));
    assertTrue(k.overrideHint("patients.outcomes[0].baseline").contains("set patients.outcomes (the whole list) in " + alpha),
        k.overrideHint("patients.outcomes[0].baseline"));
    assertTrue(k.overrideHint("sessions.columns.patient").contains("set sessions.columns.patient in " + alpha),
        k.overrideHint("sessions.columns.patient"));
    assertEquals(" (set in " + mid + ", a profile that " + alpha + " extends)", k.setIn("patients.files", alpha.toString()));
    assertEquals("", k.setIn("patients.files", mid.toString()));
  }

  @Test
  void whereKeysComeFromIsNoPartOfWhatTheMappingSays() throws IOException {
    // the same mapping, whole or split into a profile: files already parsed under one stay valid under the other
    write("alpha.yaml", "site: alpha\n" + PROFILE);
    String whole = org.rupture.pipeline.ingest.IngestState.mappingHash(SiteMappingLoader.loadAll(dir).get(0));
    write("profiles/wide.yaml", PROFILE);
    write("alpha.yaml", "site: alpha\nextends: profiles/wide.yaml\n");
    assertEquals(whole, org.rupture.pipeline.ingest.IngestState.mappingHash(SiteMappingLoader.loadAll(dir).get(0)));
  }
}
