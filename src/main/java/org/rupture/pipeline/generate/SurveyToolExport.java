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
 * The dialect of a survey tool (Qualtrics-like) export: three header lines (column names, question
 * texts, import ids), the tool's metadata columns (some of them identifiers the mapping drops),
 * yes/no coded 1/2, -99 for a question seen but not answered and -98 for "don't know", a 5-point
 * alliance scale with items 4 and 10 reverse-keyed, session quality on 0-10, and a therapist-only
 * self-disclosure item. The patients file is the tool's intake/termination survey, with the same
 * header lines and the patient's e-mail address (profile {@code survey-psq.yaml}).
 */
final class SurveyToolExport extends SiteExport {
  /** Points of the alliance scale used by this tool's questionnaire. */
  static final int ALLIANCE_POINTS = 5;
  private static final int[] REVERSED_ITEMS = {4, 10};
  private static final byte[] NOT_ANSWERED = ascii("-99");
  private static final byte[] DONT_KNOW = ascii("-98");
  private static final FileFormat FORMAT = new FileFormat("sessions_psq_export.csv",
      "patients_intake_export.csv", StandardCharsets.UTF_8, false, ',', '.', true);
  private static final PatientCodes CODES =
      new PatientCodes(ascii("1"), ascii("2"), ascii("1"), ascii("2"), NOT_ANSWERED);
  private static final RuptureCodes RUPTURE_CODES =
      new RuptureCodes(ascii("1"), ascii("2"), DONT_KNOW, 0);
  private static final byte[] ANONYMOUS = ascii("anonymous");
  private static final byte[] EMAIL = ascii("email");
  private static final byte[] LANGUAGE = ascii("EN");
  private static final byte[] IP_PREFIX = ascii("192.0.2.");
  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  /** Metadata columns: name, question text, import id. */
  private static final String[][] METADATA = {
      {"StartDate", "Start Date", "{\"ImportId\":\"startDate\",\"timeZone\":\"Europe/Berlin\"}"},
      {"EndDate", "End Date", "{\"ImportId\":\"endDate\",\"timeZone\":\"Europe/Berlin\"}"},
      {"Status", "Response Type", "{\"ImportId\":\"status\"}"},
      {"IPAddress", "IP Address", "{\"ImportId\":\"ipAddress\"}"},
      {"Progress", "Progress", "{\"ImportId\":\"progress\"}"},
      {"Duration (in seconds)", "Duration (in seconds)", "{\"ImportId\":\"duration\"}"},
      {"Finished", "Finished", "{\"ImportId\":\"finished\"}"},
      {"RecordedDate", "Recorded Date",
          "{\"ImportId\":\"recordedDate\",\"timeZone\":\"Europe/Berlin\"}"},
      {"ResponseId", "Response ID", "{\"ImportId\":\"_recordId\"}"},
      {"RecipientLastName", "Recipient Last Name", "{\"ImportId\":\"recipientLastName\"}"},
      {"RecipientFirstName", "Recipient First Name", "{\"ImportId\":\"recipientFirstName\"}"},
      {"RecipientEmail", "Recipient Email", "{\"ImportId\":\"recipientEmail\"}"},
      {"ExternalReference", "External Data Reference",
          "{\"ImportId\":\"externalDataReference\"}"},
      {"LocationLatitude", "Location Latitude", "{\"ImportId\":\"locationLatitude\"}"},
      {"LocationLongitude", "Location Longitude", "{\"ImportId\":\"locationLongitude\"}"},
      {"DistributionChannel", "Distribution Channel", "{\"ImportId\":\"distributionChannel\"}"},
      {"UserLanguage", "User Language", "{\"ImportId\":\"userLanguage\"}"}};

  private final DayFormat isoDays;

  SurveyToolExport(Path siteDir, int siteIndex, long seed, List<Delivery> deliveries,
      int sessions) {
    super(siteDir, siteIndex, seed, deliveries, sessions, FORMAT);
    isoDays = new DayFormat("yyyy-MM-dd", sessions);
  }

  @Override
  void writeSessionsHeader(CsvSink sink) throws IOException {
    String[][] questions = new String[9 + ALLIANCE_ITEMS][];
    questions[0] = question("Q1", "Patient code", "QID1_TEXT");
    questions[1] = question("Q2", "I am completing this questionnaire as the... - Selected Choice",
        "QID2");
    questions[2] = question("Q3", "Session number", "QID3_TEXT");
    questions[3] = question("Q4", "Therapist code", "QID4_TEXT");
    questions[4] = question("Q5", "Did you experience any tension or problem in the relationship"
        + " during today's session?", "QID5");
    questions[5] = question("Q6", "How tense or upset did you feel about it? (1 = not at all,"
        + " 5 = very much)", "QID6");
    questions[6] = question("Q7", "To what extent was the problem resolved by the end of the"
        + " session? (1 = not at all, 5 = completely)", "QID7");
    for (int j = 1; j <= ALLIANCE_ITEMS; j++) {
      boolean reversed = j == REVERSED_ITEMS[0] || j == REVERSED_ITEMS[1];
      questions[6 + j] = question("Q8_" + j, "Working alliance (1 = seldom, 5 = always) - Item " + j
          + (reversed ? " (reverse-keyed)" : ""), "QID8_" + j);
    }
    questions[7 + ALLIANCE_ITEMS] = question("Q9", "Overall, how good was today's session?"
        + " (0 = very poor, 10 = excellent)", "QID9");
    questions[8 + ALLIANCE_ITEMS] = question("Q10", "How much did you disclose about yourself"
        + " today? (therapists only, 0-4)", "QID10");
    writeHeaderLines(sink, questions);
  }

  @Override
  void writePatientsHeader(CsvSink sink) throws IOException {
    String[][] questions = {
        question("Q1", "Patient code", "QID1_TEXT"),
        question("Q2", "Therapist code", "QID2_TEXT"),
        question("Q3", "Treatment condition - Selected Choice", "QID3"),
        question("Q4", "Did the patient end treatment unilaterally (dropout)?", "QID4"),
        question("Q5", "Sessions attended", "QID5_TEXT"),
        question("Q6", "Was the patient treated before or after the therapist's alliance-focused"
            + " training?", "QID6"),
        question("IIP_T0", "IIP-32 mean score, intake", "QID7_1"),
        question("IIP_T1", "IIP-32 mean score, termination", "QID7_2"),
        question("WHO5_T0", "WHO-5 percentage score, intake", "QID8_1"),
        question("WHO5_T1", "WHO-5 percentage score, termination", "QID8_2")};
    writeHeaderLines(sink, questions);
  }

  @Override
  void writePatient(CsvSink sink, SimulatedPatient p, int visible, boolean early)
      throws IOException {
    long hash = rowHash(p.number, 0, 9);
    writeMetadata(sink, hash, p.sessionDay[0], p.sessionDay[visible - 1], EMAIL,
        FakeNames.email(hash, p.number));
    // treatment choices are ordered BRT, CBT, STDP in this survey
    int treatmentChoice = switch (p.treatment) {
      case BRT -> 1;
      case CBT -> 2;
      case STDP -> 3;
    };
    sink.raw(patientCode(p)).raw(therapistCode(p)).integer(treatmentChoice);
    writeCourse(sink, p, visible, early, CODES);
  }

  @Override
  void writeSessions(CsvSink sink, SimulatedPatient p, int visible, boolean early)
      throws IOException {
    byte[] patient = patientCode(p);
    byte[] therapist = therapistCode(p);
    for (int s = 0; s < visible; s++) {
      for (int r = 0; r < RATERS; r++) {
        if (p.rupture[r][s] == NOT_RETURNED) {
          continue;
        }
        int day = p.sessionDay[s];
        writeMetadata(sink, rowHash(p.number, s + 1, r), day, day, ANONYMOUS, "");
        sink.raw(patient).integer(r == PATIENT ? 1 : 2).integer(s + 1).raw(therapist);
        writeRupture(sink, p, r, s, RUPTURE_CODES);
        byte[] items = p.allianceItems[r][s];
        for (int j = 1; j <= ALLIANCE_ITEMS; j++) {
          int item = items[j - 1];
          if (item == 0) {
            sink.raw(NOT_ANSWERED);
          } else {
            boolean reversed = j == REVERSED_ITEMS[0] || j == REVERSED_ITEMS[1];
            sink.integer(reversed ? 1 + ALLIANCE_POINTS - item : item);
          }
        }
        sink.integer(Math.round((qualityTenths(p, r, s, early) - 10) / 4.0));
        if (r == PATIENT) {
          sink.empty();
        } else {
          sink.integer(p.selfDisclosure[r][s]);
        }
        sink.endRow();
      }
    }
  }

  private static String[] question(String name, String text, String importId) {
    return new String[] {name, text, "{\"ImportId\":\"" + importId + "\"}"};
  }

  private static void writeHeaderLines(CsvSink sink, String[][] questions) throws IOException {
    for (int line = 0; line < 3; line++) {
      for (String[] column : METADATA) {
        sink.text(column[line]);
      }
      for (String[] question : questions) {
        sink.text(question[line]);
      }
      sink.endRow();
    }
  }

  /** The tool's metadata columns; times and ids are derived from the row hash. */
  private void writeMetadata(CsvSink sink, long hash, int startDay, int endDay, byte[] channel,
      String email) throws IOException {
    int startSecond = 8 * 3600 + (int) Long.remainderUnsigned(hash, 13 * 3600);
    int duration = 120 + (int) Long.remainderUnsigned(hash >>> 20, 1380);
    byte[] end = dateTime(endDay, startSecond + duration);
    sink.raw(dateTime(startDay, startSecond)).raw(end).integer(0)
        .prefixed(IP_PREFIX, 1 + Long.remainderUnsigned(hash >>> 8, 254))
        .integer(100).integer(duration).integer(1).raw(end).raw(responseId(hash))
        .empty().empty().text(email).empty()
        .fixed(525000 + (int) Long.remainderUnsigned(hash >>> 12, 400), 4)
        .fixed(134000 + (int) Long.remainderUnsigned(hash >>> 24, 400), 4)
        .raw(channel).raw(LANGUAGE);
  }

  private byte[] dateTime(int day, int secondOfDay) {
    byte[] date = isoDays.of(day);
    byte[] b = new byte[date.length + 9];
    System.arraycopy(date, 0, b, 0, date.length);
    int i = date.length;
    b[i++] = ' ';
    i = twoDigits(b, i, secondOfDay / 3600);
    b[i++] = ':';
    i = twoDigits(b, i, secondOfDay / 60 % 60);
    b[i++] = ':';
    twoDigits(b, i, secondOfDay % 60);
    return b;
  }

  private static int twoDigits(byte[] b, int i, int value) {
    b[i] = (byte) ('0' + value / 10);
    b[i + 1] = (byte) ('0' + value % 10);
    return i + 2;
  }

  private static byte[] responseId(long hash) {
    byte[] id = new byte[17];
    id[0] = 'R';
    id[1] = '_';
    // 6 bits per character (10 from each 64-bit hash), folded onto the 62 symbols
    long h = hash;
    for (int i = 2; i < id.length; i++) {
      if (i == 12) {
        h = CohortModel.mix64(hash + 1);
      }
      id[i] = (byte) BASE62.charAt((int) (h & 63) % 62);
      h >>>= 6;
    }
    return id;
  }

  private static byte[] patientCode(SimulatedPatient p) {
    return paddedId("k", p.number, 4);
  }

  private static byte[] therapistCode(SimulatedPatient p) {
    return ascii("th" + (p.therapist + 1));
  }
}
