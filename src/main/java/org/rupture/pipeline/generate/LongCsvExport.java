package org.rupture.pipeline.generate;

import static org.rupture.pipeline.generate.SimulatedPatient.ALLIANCE_ITEMS;
import static org.rupture.pipeline.generate.SimulatedPatient.NOT_RETURNED;
import static org.rupture.pipeline.generate.SimulatedPatient.PATIENT;
import static org.rupture.pipeline.generate.SimulatedPatient.RATERS;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The long CSV dialect of an in-house database: comma, UTF-8 with byte order mark, ISO dates, one
 * row per patient x session x rater with raters coded P/T, "NA" for missing values, and a separate
 * patients file with a patient-name column (profile {@code long-csv.yaml}).
 */
final class LongCsvExport extends SiteExport {
  private static final byte[] RATER_P = ascii("P");
  private static final byte[] RATER_T = ascii("T");
  private static final byte[] NA = ascii("NA");
  private static final FileFormat FORMAT =
      new FileFormat("sessions.csv", "patients.csv", StandardCharsets.UTF_8, true, ',', '.', false);
  private static final PatientCodes CODES =
      new PatientCodes(ascii("yes"), ascii("no"), ascii("pre"), ascii("post"), NA);
  private static final RuptureCodes RUPTURE_CODES = new RuptureCodes(ascii("1"), ascii("0"), NA, 0);

  private final DayFormat isoDays;

  LongCsvExport(Path siteDir, int siteIndex, long seed, List<Delivery> deliveries, int sessions) {
    super(siteDir, siteIndex, seed, deliveries, sessions, FORMAT);
    isoDays = new DayFormat("yyyy-MM-dd", sessions);
  }

  @Override
  void writeSessionsHeader(CsvSink sink) throws IOException {
    sink.text("patient_id").text("therapist_id").text("session").text("date").text("rater")
        .text("rupture").text("intensity").text("resolution");
    for (int j = 1; j <= ALLIANCE_ITEMS; j++) {
      sink.text("wai_" + j);
    }
    sink.text("session_quality").endRow();
  }

  @Override
  void writePatientsHeader(CsvSink sink) throws IOException {
    sink.text("patient_id").text("patient_name").text("therapist_id").text("treatment")
        .text("dropout").text("sessions_attended").text("training_phase").text("iip_baseline")
        .text("iip_termination").text("who5_baseline").text("who5_termination").endRow();
  }

  @Override
  void writePatient(CsvSink sink, SimulatedPatient p, int visible, boolean early)
      throws IOException {
    sink.raw(patientId(p)).text(FakeNames.international(rowHash(p.number, 0, 9)))
        .raw(therapistId(p)).text(p.treatment.name());
    writeCourse(sink, p, visible, early, CODES);
  }

  @Override
  void writeSessions(CsvSink sink, SimulatedPatient p, int visible, boolean early)
      throws IOException {
    byte[] patient = patientId(p);
    byte[] therapist = therapistId(p);
    for (int s = 0; s < visible; s++) {
      for (int r = 0; r < RATERS; r++) {
        if (p.rupture[r][s] == NOT_RETURNED) {
          continue;
        }
        sink.raw(patient).raw(therapist).integer(s + 1).raw(isoDays.of(p.sessionDay[s]))
            .raw(r == PATIENT ? RATER_P : RATER_T);
        writeRupture(sink, p, r, s, RUPTURE_CODES);
        writeAllianceItems(sink, p.allianceItems[r][s], NA);
        sink.fixed(qualityTenths(p, r, s, early), 1).endRow();
      }
    }
  }

  private static byte[] patientId(SimulatedPatient p) {
    return paddedId("P", p.number, 4);
  }

  private static byte[] therapistId(SimulatedPatient p) {
    return paddedId("T", p.therapist + 1, 2);
  }
}
