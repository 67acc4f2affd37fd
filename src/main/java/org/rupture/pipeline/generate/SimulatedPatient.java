package org.rupture.pipeline.generate;

/**
 * One simulated patient with all of its sessions, as the true values behind every export dialect.
 * Ratings are stored on the instrument's own integer scale (alliance items on the site's 5- or
 * 7-point scale, intensity and resolution 1-5) and decimals as scaled integers, so writers never
 * format doubles. Arrays are indexed {@code [rater][session - 1]} with rater 0 = patient, 1 =
 * therapist.
 */
final class SimulatedPatient {
  /** Treatment arms of the simulated trial. */
  enum Treatment { CBT, BRT, STDP }

  /** When the patient was treated relative to the therapist's alliance-focused training. */
  enum TrainingPhase { PRE, POST, NOT_IN_PROGRAM }

  static final int PATIENT = 0;
  static final int THERAPIST = 1;
  static final int RATERS = 2;
  static final int ALLIANCE_ITEMS = 12;

  /** {@link #rupture} codes. */
  static final byte NOT_RETURNED = -1;
  static final byte NO = 0;
  static final byte YES = 1;
  /** The rater answered the questionnaire but not the rupture question ("don't know"). */
  static final byte UNKNOWN = 2;

  /** 1-based number within the site, in intake order. */
  int number;
  /** 0-based therapist index within the site. */
  int therapist;
  Treatment treatment;
  TrainingPhase trainingPhase;
  boolean dropout;
  int sessionsAttended;
  /** Epoch day of each attended session. */
  int[] sessionDay;

  byte[][] rupture;
  /** 1-5, 0 when no rupture was rated. */
  byte[][] intensity;
  /** 1-5, 0 when no rupture was rated. */
  byte[][] resolution;
  /** {@code [rater][session][item]}: item score on the site's alliance scale, 0 = item missing. */
  byte[][][] allianceItems;
  /** Session quality 1.0-5.0 in tenths (10-50); -1 when not returned. */
  short[][] qualityTenths;
  /** Therapist-rated self-disclosure 0-4, -1 when not rated (patients never rate it). */
  byte[][] selfDisclosure;

  /** Inventory of Interpersonal Problems mean score 0-4 in hundredths (lower is better). */
  int iipBaselineHundredths;
  /** -1 when the termination assessment is missing. */
  int iipTerminationHundredths;
  /** WHO-5 well-being percentage score 0-100 (higher is better). */
  int who5Baseline;
  /** -1 when the termination assessment is missing. */
  int who5Termination;

  /** Sessions held on or before {@code cutoffDay}. */
  int sessionsUpTo(int cutoffDay) {
    int n = 0;
    while (n < sessionsAttended && sessionDay[n] <= cutoffDay) {
      n++;
    }
    return n;
  }
}
