package org.rupture.pipeline.generate;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes one site's simulated patients in one export dialect, into every delivery folder of the
 * site: each delivery holds the sessions up to its cutoff. Patients still in treatment at a cutoff
 * are exported as the site knew them then (sessions so far, dropout and termination not yet known).
 * Earlier deliveries carry a few values that a later delivery corrects (session quality in
 * {@value #SESSION_REVISION_RATE} of session ratings, the IIP baseline in {@value
 * #PATIENT_REVISION_RATE} of patient rows), as real re-deliveries do.
 *
 * <p>Subclasses write the dialect: {@link #open} creates the files (named and encoded as the
 * dialect's {@link FileFormat} says) and their headers, then {@link #write} is called once per
 * patient in intake order.
 */
abstract class SiteExport implements Closeable {
  static final double SESSION_REVISION_RATE = 0.005;
  static final double PATIENT_REVISION_RATE = 0.03;

  /** Base of the per-row hashes that choose cosmetic values (ids, times, comments). */
  protected final long cosmeticSeed;
  protected final int sessions;
  private final FileFormat format;
  private final Path siteDir;
  private final List<Delivery> deliveries;
  private final SplittableRandom revisions;
  private CsvSink[] sessionSinks;
  private CsvSink[] patientSinks;
  private long finalSessionRatings;
  private long finalPatients;

  /**
   * The files of one delivery and how they are encoded.
   *
   * @param sessionsFile file name of the session ratings
   * @param patientsFile file name of the patient records
   * @param bom          a UTF-8 byte order mark first
   * @param crlf         lines end with CR LF (Windows tools) instead of LF
   */
  record FileFormat(String sessionsFile, String patientsFile, Charset charset, boolean bom,
      char delimiter, char decimal, boolean crlf) {
    CsvSink create(Path file) throws IOException {
      return new CsvSink(file, charset, bom, delimiter, '"', decimal, crlf);
    }
  }

  SiteExport(Path siteDir, int siteIndex, long seed, List<Delivery> deliveries, int sessions,
      FileFormat format) {
    this.format = format;
    this.siteDir = siteDir;
    this.deliveries = deliveries;
    this.sessions = sessions;
    this.revisions = new SplittableRandom(CohortModel.siteSeed(seed, siteIndex, 1));
    this.cosmeticSeed = CohortModel.siteSeed(seed, siteIndex, 2);
  }

  /** Creates the delivery folders and files and writes the headers. */
  final void open() throws IOException {
    sessionSinks = new CsvSink[deliveries.size()];
    patientSinks = new CsvSink[deliveries.size()];
    for (int d = 0; d < deliveries.size(); d++) {
      Path dir = Files.createDirectories(siteDir.resolve(deliveries.get(d).name()));
      sessionSinks[d] = format.create(dir.resolve(format.sessionsFile()));
      writeSessionsHeader(sessionSinks[d]);
      patientSinks[d] = format.create(dir.resolve(format.patientsFile()));
      writePatientsHeader(patientSinks[d]);
    }
  }

  /** Writes one patient into every delivery that already knows the patient. */
  final void write(SimulatedPatient p) throws IOException {
    int last = deliveries.size() - 1;
    for (int d = 0; d <= last; d++) {
      int visible = p.sessionsUpTo(deliveries.get(d).cutoffDay());
      if (visible > 0) {
        writePatient(patientSinks[d], p, visible, d < last);
        writeSessions(sessionSinks[d], p, visible, d < last);
      }
    }
    finalPatients++;
    for (int r = 0; r < SimulatedPatient.RATERS; r++) {
      for (int s = 0; s < p.sessionsAttended; s++) {
        if (p.rupture[r][s] != SimulatedPatient.NOT_RETURNED) {
          finalSessionRatings++;
        }
      }
    }
  }

  /** Session ratings (patient x session x rater) in the last delivery. */
  final long finalSessionRatings() {
    return finalSessionRatings;
  }

  final long finalPatients() {
    return finalPatients;
  }

  @Override
  public final void close() throws IOException {
    IOException failure = null;
    for (CsvSink[] sinks : List.of(sessionSinks, patientSinks)) {
      for (CsvSink sink : sinks) {
        try {
          if (sink != null) {
            sink.close();
          }
        } catch (IOException e) {
          failure = failure == null ? e : failure;
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  abstract void writeSessionsHeader(CsvSink sink) throws IOException;

  abstract void writePatientsHeader(CsvSink sink) throws IOException;

  /**
   * @param visible sessions known at this delivery; fewer than attended means still in treatment
   * @param early an earlier delivery, whose values a later one may correct
   */
  abstract void writePatient(CsvSink sink, SimulatedPatient p, int visible, boolean early)
      throws IOException;

  abstract void writeSessions(CsvSink sink, SimulatedPatient p, int visible, boolean early)
      throws IOException;

  /**
   * How a dialect codes the patient fields every patients file ends with (see {@link #writeCourse}).
   *
   * @param dropoutYes   dropout field of a patient who dropped out
   * @param dropoutNo    dropout field of a patient who completed treatment
   * @param trainingPre  training phase of a patient treated before the therapist's training
   * @param trainingPost training phase of a patient treated after it
   * @param notReturned  a termination score whose assessment was not returned
   */
  record PatientCodes(byte[] dropoutYes, byte[] dropoutNo, byte[] trainingPre, byte[] trainingPost,
      byte[] notReturned) {}

  /**
   * Writes the course of treatment as this delivery knows it and ends the row: dropout, sessions so
   * far, training phase, IIP and WHO-5 at intake and termination. Dropout and termination scores are
   * blank while the patient is still in treatment; a patient outside the training program has a
   * blank training phase.
   */
  final void writeCourse(CsvSink sink, SimulatedPatient p, int visible, boolean early,
      PatientCodes codes) throws IOException {
    boolean ended = ended(p, visible);
    if (ended) {
      sink.raw(p.dropout ? codes.dropoutYes() : codes.dropoutNo());
    } else {
      sink.empty();
    }
    sink.integer(visible);
    switch (p.trainingPhase) {
      case PRE -> sink.raw(codes.trainingPre());
      case POST -> sink.raw(codes.trainingPost());
      default -> sink.empty();
    }
    sink.fixed(iipBaselineHundredths(p, early), 2);
    if (!ended) {
      sink.empty();
    } else if (p.iipTerminationHundredths < 0) {
      sink.raw(codes.notReturned());
    } else {
      sink.fixed(p.iipTerminationHundredths, 2);
    }
    sink.integer(p.who5Baseline);
    if (!ended) {
      sink.empty();
    } else if (p.who5Termination < 0) {
      sink.raw(codes.notReturned());
    } else {
      sink.integer(p.who5Termination);
    }
    sink.endRow();
  }

  /**
   * How a dialect codes the rupture question of a returned questionnaire.
   *
   * @param yes            a rupture, followed by its intensity and resolution
   * @param no             no rupture (intensity and resolution blank)
   * @param unknown        the question left unanswered (intensity and resolution blank)
   * @param intensityShift added to the 1-5 intensity (-1 for a 0-4 scale)
   */
  record RuptureCodes(byte[] yes, byte[] no, byte[] unknown, int intensityShift) {}

  /** Writes the rupture, intensity and resolution fields of one returned questionnaire. */
  static void writeRupture(CsvSink sink, SimulatedPatient p, int rater, int session,
      RuptureCodes codes) throws IOException {
    byte code = p.rupture[rater][session];
    if (code == SimulatedPatient.YES) {
      sink.raw(codes.yes()).integer(p.intensity[rater][session] + codes.intensityShift())
          .integer(p.resolution[rater][session]);
    } else {
      sink.raw(code == SimulatedPatient.NO ? codes.no() : codes.unknown()).empty().empty();
    }
  }

  /** Writes the alliance items of one returned questionnaire, {@code missing} for an unanswered item. */
  static void writeAllianceItems(CsvSink sink, byte[] items, byte[] missing) throws IOException {
    for (int j = 0; j < SimulatedPatient.ALLIANCE_ITEMS; j++) {
      if (items[j] == 0) {
        sink.raw(missing);
      } else {
        sink.integer(items[j]);
      }
    }
  }

  /** Session quality in tenths as this delivery reports it (-1 when not returned). */
  final int qualityTenths(SimulatedPatient p, int rater, int session, boolean early) {
    int q = p.qualityTenths[rater][session];
    if (early && q >= 0 && revisions.nextDouble() < SESSION_REVISION_RATE) {
      return q > 45 ? q - 5 : q + 5;
    }
    return q;
  }

  /** IIP baseline in hundredths as this delivery reports it. */
  final int iipBaselineHundredths(SimulatedPatient p, boolean early) {
    int b = p.iipBaselineHundredths;
    if (early && revisions.nextDouble() < PATIENT_REVISION_RATE) {
      return b >= 390 ? b - 10 : b + 10;
    }
    return b;
  }

  /** Whether the patient's treatment has ended by this delivery (dropout and termination known). */
  private static boolean ended(SimulatedPatient p, int visible) {
    return visible == p.sessionsAttended;
  }

  /** A hash of a row's identity, for cosmetic values that must not change between deliveries. */
  final long rowHash(int patient, int session, int rater) {
    return CohortModel.mix64(cosmeticSeed ^ CohortModel.mix64(
        ((long) patient << 32) | ((long) session << 8) | rater));
  }

  /** {@code prefix} followed by {@code number} zero-padded to {@code width} digits. */
  static String padded(String prefix, int number, int width) {
    String digits = Integer.toString(number);
    return prefix + "0".repeat(Math.max(0, width - digits.length())) + digits;
  }

  /** {@link #padded} as ASCII bytes, for id fields. */
  static byte[] paddedId(String prefix, int number, int width) {
    return ascii(padded(prefix, number, width));
  }

  /** A constant field value, encoded once (ASCII is the same bytes in every supported charset). */
  static byte[] ascii(String value) {
    return value.getBytes(StandardCharsets.US_ASCII);
  }

  /** Formatted dates as ASCII bytes for every day a session can fall on, built once. */
  static final class DayFormat {
    private final int firstDay;
    private final byte[][] bytes;

    DayFormat(String pattern, int sessions) {
      DateTimeFormatter f = DateTimeFormatter.ofPattern(pattern);
      firstDay = (int) CohortModel.INTAKE_START.toEpochDay();
      bytes = new byte[CohortModel.lastPossibleSessionDay(sessions) - firstDay + 1][];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = ascii(f.format(LocalDate.ofEpochDay(firstDay + i)));
      }
    }

    byte[] of(int epochDay) {
      return bytes[epochDay - firstDay];
    }
  }
}
