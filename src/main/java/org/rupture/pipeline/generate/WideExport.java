package org.rupture.pipeline.generate;

import static org.rupture.pipeline.generate.SimulatedPatient.ALLIANCE_ITEMS;
import static org.rupture.pipeline.generate.SimulatedPatient.NOT_RETURNED;
import static org.rupture.pipeline.generate.SimulatedPatient.PATIENT;
import static org.rupture.pipeline.generate.SimulatedPatient.RATERS;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.List;

/**
 * The wide dialect of a German spreadsheet export: one row per patient and rater with
 * session-numbered columns ({@code psq_int_s1} ... {@code psq_int_sN}), semicolon, decimal comma,
 * Windows-1252 with CR LF line ends, dd.MM.yyyy dates, intensity on a 0-4 scale, ja/nein codes,
 * therapist names as therapist ids, and a free-text comment column that the mapping drops (profile
 * {@code wide-export.yaml}).
 */
final class WideExport extends SiteExport {
  static final Charset WINDOWS_1252 = Charset.forName("windows-1252");
  private static final String[] COMMENTS = {"Termin verschoben; Pat. krank",
      "Sitzung per Video (Praxisräume geschlossen)", "Zuzahlung 10 € offen",
      "Übergabe an Kollegin geplant", "Pat. wirkte müde, Sitzung verkürzt",
      "Fragebogen nachträglich ausgefüllt", "Dolmetscherin anwesend, \"sehr hilfreich\""};
  private static final byte[] JA = ascii("ja");
  private static final byte[] NEIN = ascii("nein");
  private static final byte[] RATER_PATIENT = ascii("Pat");
  private static final byte[] RATER_THERAPIST = ascii("Th");
  private static final byte[] BLANK = new byte[0];
  private static final FileFormat FORMAT =
      new FileFormat("sessions_wide.csv", "patients.csv", WINDOWS_1252, false, ';', ',', true);
  /** Termination scores not returned are left blank. */
  private static final PatientCodes CODES =
      new PatientCodes(JA, NEIN, ascii("vor"), ascii("nach"), BLANK);
  /** Intensity on 0-4; an unanswered rupture question is left blank. */
  private static final RuptureCodes RUPTURE_CODES = new RuptureCodes(JA, NEIN, BLANK, -1);
  /** Share of rows carrying a comment. */
  private static final int COMMENT_PERCENT = 12;

  private final DayFormat germanDays;

  WideExport(Path siteDir, int siteIndex, long seed, List<Delivery> deliveries, int sessions) {
    super(siteDir, siteIndex, seed, deliveries, sessions, FORMAT);
    germanDays = new DayFormat("dd.MM.yyyy", sessions);
  }

  @Override
  void writeSessionsHeader(CsvSink sink) throws IOException {
    sink.text("pid").text("therapeut").text("beurteiler").text("bemerkung");
    for (int s = 1; s <= sessions; s++) {
      String suffix = "_s" + s;
      sink.text("datum" + suffix).text("psq_rupt" + suffix).text("psq_int" + suffix)
          .text("psq_res" + suffix).text("seq" + suffix);
      for (int j = 1; j <= ALLIANCE_ITEMS; j++) {
        sink.text((j < 10 ? "wai0" : "wai") + j + suffix);
      }
    }
    sink.endRow();
  }

  @Override
  void writePatientsHeader(CsvSink sink) throws IOException {
    sink.text("pid").text("name").text("therapeut").text("behandlung").text("abbruch")
        .text("sitzungen").text("aft_phase").text("iip_prae").text("iip_post").text("who5_prae")
        .text("who5_post").endRow();
  }

  @Override
  void writePatient(CsvSink sink, SimulatedPatient p, int visible, boolean early)
      throws IOException {
    sink.raw(patientId(p)).text(FakeNames.german(rowHash(p.number, 0, 9)))
        .text(FakeNames.therapist(p.therapist)).integer(p.treatment.ordinal() + 1);
    writeCourse(sink, p, visible, early, CODES);
  }

  @Override
  void writeSessions(CsvSink sink, SimulatedPatient p, int visible, boolean early)
      throws IOException {
    byte[] patient = patientId(p);
    String therapist = FakeNames.therapist(p.therapist);
    for (int r = 0; r < RATERS; r++) {
      sink.raw(patient).text(therapist).raw(r == PATIENT ? RATER_PATIENT : RATER_THERAPIST);
      long hash = rowHash(p.number, 0, r);
      if (Long.remainderUnsigned(hash, 100) < COMMENT_PERCENT) {
        sink.text(COMMENTS[(int) Long.remainderUnsigned(hash >>> 16, COMMENTS.length)]);
      } else {
        sink.empty();
      }
      for (int s = 0; s < sessions; s++) {
        byte code = s < visible ? p.rupture[r][s] : NOT_RETURNED;
        if (code == NOT_RETURNED) {
          for (int k = 0; k < 5 + ALLIANCE_ITEMS; k++) {
            sink.empty();
          }
          continue;
        }
        sink.raw(germanDays.of(p.sessionDay[s]));
        writeRupture(sink, p, r, s, RUPTURE_CODES);
        sink.fixed(qualityTenths(p, r, s, early), 1);
        writeAllianceItems(sink, p.allianceItems[r][s], BLANK);
      }
      sink.endRow();
    }
  }

  private static byte[] patientId(SimulatedPatient p) {
    return paddedId("A", p.number, 4);
  }
}
