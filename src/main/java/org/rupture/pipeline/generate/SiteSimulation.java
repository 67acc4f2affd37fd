package org.rupture.pipeline.generate;

import static org.rupture.pipeline.generate.CohortModel.*;
import static org.rupture.pipeline.generate.SimulatedPatient.*;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.rupture.pipeline.generate.SimulatedPatient.TrainingPhase;
import org.rupture.pipeline.generate.SimulatedPatient.Treatment;

/**
 * Simulates one site's patients, in intake order, from the model in {@link CohortModel}. All draws
 * come from one {@link SplittableRandom} seeded for the site, so a site's data depend only on the
 * seed, the site index and the cohort sizes, never on other sites or on threads.
 */
final class SiteSimulation {
  private static final Treatment[] TREATMENTS = Treatment.values();

  private final SplittableRandom rng;
  private final int sessions;
  private final int alliancePoints;
  private final int[] intakeDays;
  private int next;

  // site random effects
  private final double ruptureIntercept;
  private final double therapistShift;
  private final double cbtShift;
  private final double improvementIntercept;
  private final double repairSlope;
  private final double intensitySlope;
  private final double trainingEffect;
  private final double dropoutIntercept;
  /** Day of each therapist's training; -1 when the therapist is not in the AFT program. */
  private final int[] therapistTrainingDay;

  /**
   * @param alliancePoints number of points of the site's alliance item scale (7 or 5)
   */
  SiteSimulation(long seed, int siteIndex, int patients, int sessions, int alliancePoints) {
    this.rng = new SplittableRandom(siteSeed(seed, siteIndex, 0));
    this.sessions = sessions;
    this.alliancePoints = alliancePoints;
    ruptureIntercept = normal(0, SITE_RUPTURE_SD);
    therapistShift = normal(THERAPIST_RATER_SHIFT, THERAPIST_RATER_SHIFT_SD);
    cbtShift = normal(CBT_SHIFT, CBT_SHIFT_SD);
    improvementIntercept = normal(0, SITE_IMPROVEMENT_SD);
    repairSlope = normal(REPAIR_SLOPE, REPAIR_SLOPE_SD);
    intensitySlope = normal(INTENSITY_SLOPE, INTENSITY_SLOPE_SD);
    trainingEffect = normal(TRAINING_EFFECT, TRAINING_EFFECT_SD);
    dropoutIntercept = normal(0, SITE_DROPOUT_SD);

    int start = (int) INTAKE_START.toEpochDay();
    int window = (int) (INTAKE_END.toEpochDay() - INTAKE_START.toEpochDay()) + 1;
    int therapists = Math.min(MAX_THERAPISTS_PER_SITE,
        Math.max(2, Math.round(patients / (float) PATIENTS_PER_THERAPIST)));
    therapistTrainingDay = new int[therapists];
    for (int t = 0; t < therapists; t++) {
      boolean inProgram = rng.nextDouble() < IN_AFT_PROGRAM_SHARE;
      int day = start + window / 5 + rng.nextInt(window * 3 / 5);
      therapistTrainingDay[t] = inProgram ? day : -1;
    }
    intakeDays = new int[patients];
    for (int i = 0; i < patients; i++) {
      intakeDays[i] = start + rng.nextInt(window);
    }
    Arrays.sort(intakeDays);
  }

  /** The next patient in intake order, or null after the last. */
  SimulatedPatient next() {
    if (next == intakeDays.length) {
      return null;
    }
    SimulatedPatient p = new SimulatedPatient();
    p.number = next + 1;
    int intake = intakeDays[next++];
    p.treatment = TREATMENTS[rng.nextInt(TREATMENTS.length)];
    p.therapist = rng.nextInt(therapistTrainingDay.length);
    int trainingDay = therapistTrainingDay[p.therapist];
    p.trainingPhase = trainingDay < 0 ? TrainingPhase.NOT_IN_PROGRAM
        : intake >= trainingDay ? TrainingPhase.POST : TrainingPhase.PRE;
    boolean post = p.trainingPhase == TrainingPhase.POST;

    double proneness = normal(0, PRONENESS_SD);
    double intensityLevel = normal(0, INTENSITY_LEVEL_SD);
    double repair = normal(0, REPAIR_SD) + (post ? AFT_REPAIR_GAIN : 0);
    double patientAlliance = normal(ALLIANCE_PATIENT_MEAN, ALLIANCE_PATIENT_SD);
    double therapistAlliance = ALLIANCE_THERAPIST_MEAN
        + 0.5 * (patientAlliance - ALLIANCE_PATIENT_MEAN) + normal(0, 0.45);
    double qualityLevel = normal(QUALITY_MEAN, 0.4);

    double dropoutLogit = DROPOUT_INTERCEPT + dropoutIntercept
        + DROPOUT_PER_REPAIR_SD * repair / REPAIR_SD
        + DROPOUT_PER_INTENSITY_SD * intensityLevel / INTENSITY_LEVEL_SD;
    p.dropout = sessions > 1 && rng.nextDouble() < logistic(dropoutLogit);
    p.sessionsAttended = !p.dropout ? sessions
        : sessions <= 2 ? 1 : 2 + rng.nextInt(sessions - 2);
    simulateSessions(p, intake, proneness, intensityLevel, repair,
        new double[] {patientAlliance, therapistAlliance}, qualityLevel);

    double improvement = improvementIntercept
        + repairSlope * repair / REPAIR_SD
        + intensitySlope * intensityLevel / INTENSITY_LEVEL_SD
        + (post ? trainingEffect : 0)
        + normal(0, 1)
        - (p.dropout ? DROPOUT_IMPROVEMENT_PENALTY : 0);
    double iipBaseline = clip(normal(1.9, 0.5), 0.2, 3.8);
    double iipTermination = clip(iipBaseline - (0.35 + 0.35 * improvement) + normal(0, 0.15), 0, 4);
    int who5Baseline = steps4(normal(36, 14));
    int who5Termination = steps4(who5Baseline + 12 + 11 * improvement + normal(0, 6));
    boolean terminationMissing = p.dropout && rng.nextDouble() < DROPOUT_TERMINATION_MISSING;
    p.iipBaselineHundredths = (int) Math.round(iipBaseline * 100);
    p.iipTerminationHundredths = terminationMissing ? -1 : (int) Math.round(iipTermination * 100);
    p.who5Baseline = who5Baseline;
    p.who5Termination = terminationMissing ? -1 : who5Termination;
    return p;
  }

  private void simulateSessions(SimulatedPatient p, int intake, double proneness,
      double intensityLevel, double repair, double[] allianceLevel, double qualityLevel) {
    int n = p.sessionsAttended;
    p.sessionDay = new int[n];
    p.rupture = new byte[RATERS][n];
    p.intensity = new byte[RATERS][n];
    p.resolution = new byte[RATERS][n];
    p.allianceItems = new byte[RATERS][n][ALLIANCE_ITEMS];
    p.qualityTenths = new short[RATERS][n];
    p.selfDisclosure = new byte[RATERS][n];
    double raterShiftCbt = p.treatment == Treatment.CBT ? cbtShift : 0;
    // alliance items on a k-point scale: map the 1-7 alliance linearly onto 1-k
    double itemScale = (alliancePoints - 1) / 6.0;
    int day = intake;
    for (int s = 0; s < n; s++) {
      if (s > 0) {
        double u = rng.nextDouble();
        day += u < 0.80 ? 7 : u < 0.95 ? MAX_SESSION_GAP_DAYS : 4;
      }
      p.sessionDay[s] = day;
      double sessionLatent = normal(0, SESSION_RUPTURE_SD);
      double trueIntensity = INTENSITY_MEAN + intensityLevel + 0.25 * sessionLatent
          + normal(0, INTENSITY_SESSION_SD);
      double trueResolution = RESOLUTION_MEAN + repair
          + RESOLUTION_PER_INTENSITY * (trueIntensity - INTENSITY_MEAN)
          + normal(0, RESOLUTION_SESSION_SD);
      for (int r = 0; r < RATERS; r++) {
        p.selfDisclosure[r][s] = -1;
        if (rng.nextDouble() < NOT_RETURNED_RATE) {
          p.rupture[r][s] = NOT_RETURNED;
          p.qualityTenths[r][s] = -1;
          continue;
        }
        double logit = RUPTURE_INTERCEPT + ruptureIntercept + proneness + sessionLatent
            + raterShiftCbt + (r == THERAPIST ? therapistShift : 0);
        boolean present = rng.nextDouble() < logistic(logit);
        double allianceShift = 0;
        double qualityShift = 0;
        int resolution = 3;
        if (rng.nextDouble() < RUPTURE_UNKNOWN_RATE) {
          p.rupture[r][s] = UNKNOWN;
        } else if (present) {
          int intensity = rating(trueIntensity);
          resolution = rating(trueResolution);
          p.rupture[r][s] = YES;
          p.intensity[r][s] = (byte) intensity;
          p.resolution[r][s] = (byte) resolution;
          allianceShift = ALLIANCE_RUPTURE + ALLIANCE_PER_INTENSITY * (intensity - 3)
              + ALLIANCE_PER_RESOLUTION * (resolution - 3);
          qualityShift = QUALITY_RUPTURE + QUALITY_PER_INTENSITY * (intensity - 3)
              + QUALITY_PER_RESOLUTION * (resolution - 3);
        } else {
          p.rupture[r][s] = NO;
        }
        double alliance = allianceLevel[r] + allianceShift + normal(0, ALLIANCE_SESSION_SD);
        double onScale = 1 + (alliance - 1) * itemScale;
        byte[] items = p.allianceItems[r][s];
        for (int j = 0; j < ALLIANCE_ITEMS; j++) {
          double item = onScale + normal(0, ALLIANCE_ITEM_SD * itemScale);
          items[j] = rng.nextDouble() < ITEM_MISSING_RATE ? 0
              : (byte) clip(Math.round(item), 1, alliancePoints);
        }
        double quality = clip(qualityLevel + qualityShift + normal(0, ALLIANCE_SESSION_SD), 1, 5);
        p.qualityTenths[r][s] = (short) Math.round(quality * 10);
        if (r == THERAPIST) {
          long disclosure = Math.round(1 + 0.3 * (resolution - 3) + normal(0, 1));
          p.selfDisclosure[r][s] = (byte) clip(disclosure, 0, 4);
        }
      }
    }
  }

  private int rating(double trueValue) {
    return (int) clip(Math.round(trueValue + normal(0, RATER_NOISE_SD)), 1, 5);
  }

  private double normal(double mean, double sd) {
    return mean + sd * rng.nextGaussian();
  }

  private static int steps4(double score) {
    return (int) clip(Math.round(score / 4.0) * 4, 0, 100);
  }

  private static double logistic(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private static double clip(double v, double lo, double hi) {
    return v < lo ? lo : v > hi ? hi : v;
  }

  private static long clip(long v, long lo, long hi) {
    return v < lo ? lo : v > hi ? hi : v;
  }
}
