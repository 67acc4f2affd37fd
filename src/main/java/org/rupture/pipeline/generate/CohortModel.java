package org.rupture.pipeline.generate;

import java.time.LocalDate;

/**
 * The planted truth of the synthetic cohort: every parameter of the generating model, in one place,
 * so that a reader can tell which effects the pipeline should recover (see {@code literature.md}).
 *
 * <p><b>Sites.</b> Each site draws its own random intercepts and slopes around the fixed values
 * below (normal, standard deviation in brackets), so effects are heterogeneous across sites (tau^2
 * &gt; 0): rupture log-odds intercept (0.35); therapist-minus-patient rupture log-odds +0.55
 * (0.15); CBT-minus-other rupture log-odds -0.75 (0.15); improvement intercept (0.20 latent SD);
 * improvement slope on repair capacity +0.45 (0.10) and on intensity level -0.60 (0.10) per latent
 * SD; direct training effect on improvement +0.45 (0.12); dropout log-odds intercept (0.30).
 * About {@value #PATIENTS_PER_THERAPIST} patients per therapist; {@value #IN_AFT_PROGRAM_SHARE} of
 * therapists take alliance-focused training (AFT) on a random day of the intake window, so their
 * patients are {@code pre} or {@code post}; the others' patients have no training phase.
 *
 * <p><b>Patients.</b> Treatment CBT/BRT/STDP with equal probability; latent rupture proneness
 * N(0, 0.6), intensity level N(0, 0.6), repair capacity N(0, 0.55) plus 0.25 when treated after the
 * therapist's AFT. Dropout log-odds -1.2 + site - 1.0 x repair/SD + 0.4 x intensity/SD (about a
 * quarter drop out, attending 2 to sessions-1 sessions; completers attend all). Improvement (latent
 * SD units) = site intercept + slopes above + training + N(0, 1) - 0.3 for dropouts. Outcomes: IIP
 * mean score 0-4 (lower is better): baseline N(1.9, 0.5), termination = baseline - (0.35 + 0.35 x
 * improvement) + N(0, 0.15); WHO-5 0-100 in steps of 4 (higher is better): baseline N(36, 14),
 * termination = baseline + 12 + 11 x improvement + N(0, 6). Half the dropouts miss the termination
 * assessment.
 *
 * <p><b>Sessions</b> (weekly, sometimes fortnightly; both raters rate every attended session).
 * A shared session rupture latent N(0, 0.8); rater rupture log-odds = -0.7 + site + proneness +
 * (therapist shift) + (CBT shift) + session latent. When a rupture is rated: true intensity
 * 2.7 + intensity level + 0.25 x session latent + N(0, 0.6), true resolution 3.1 + repair -
 * 0.25 x (intensity - 2.7) + N(0, 0.8), each rater reporting round(true + N(0, 0.4)) clipped to
 * 1-5. Session alliance (1-7) = rater level (patient N(5.1, 0.6), therapist 4.9 + half the
 * patient's deviation + N(0, 0.45)) + [rupture: -0.25 - 0.20 x (intensity - 3) + 0.20 x (resolution
 * - 3)] + N(0, 0.35); 12 items = round(alliance + N(0, 0.55)) on the site's scale. Session quality
 * (1-5, one decimal) = patient level N(3.6, 0.4) + [rupture: -0.15 - 0.20 x (intensity - 3) + 0.20
 * x (resolution - 3)] + N(0, 0.35). Within a patient, higher intensity therefore goes with lower
 * alliance and quality, higher resolution with higher. Missingness: 4% of questionnaires not
 * returned, 0.5% rupture question unanswered, 0.5% of alliance items unanswered. Therapists rate
 * self-disclosure 0-4 = round(1 + 0.3 x (resolution - 3) + N(0, 1)).
 */
final class CohortModel {
  static final int PATIENTS_PER_THERAPIST = 8;
  static final double IN_AFT_PROGRAM_SHARE = 0.75;
  static final int MAX_THERAPISTS_PER_SITE = 400;

  /** First and last possible intake (first session) day. */
  static final LocalDate INTAKE_START = LocalDate.of(2023, 1, 9);
  static final LocalDate INTAKE_END = LocalDate.of(2024, 9, 30);
  /** Longest gap between two sessions; bounds the last possible session day. */
  static final int MAX_SESSION_GAP_DAYS = 14;

  // site-level random effects: standard deviations and fixed parts
  static final double SITE_RUPTURE_SD = 0.35;
  static final double THERAPIST_RATER_SHIFT = 0.55;
  static final double THERAPIST_RATER_SHIFT_SD = 0.15;
  static final double CBT_SHIFT = -0.75;
  static final double CBT_SHIFT_SD = 0.15;
  static final double SITE_IMPROVEMENT_SD = 0.20;
  static final double REPAIR_SLOPE = 0.45;
  static final double REPAIR_SLOPE_SD = 0.10;
  static final double INTENSITY_SLOPE = -0.60;
  static final double INTENSITY_SLOPE_SD = 0.10;
  static final double TRAINING_EFFECT = 0.45;
  static final double TRAINING_EFFECT_SD = 0.12;
  static final double SITE_DROPOUT_SD = 0.30;

  // patient level
  static final double PRONENESS_SD = 0.6;
  static final double INTENSITY_LEVEL_SD = 0.6;
  static final double REPAIR_SD = 0.55;
  static final double AFT_REPAIR_GAIN = 0.25;
  static final double DROPOUT_INTERCEPT = -1.2;
  static final double DROPOUT_PER_REPAIR_SD = -1.0;
  static final double DROPOUT_PER_INTENSITY_SD = 0.4;
  static final double DROPOUT_IMPROVEMENT_PENALTY = 0.3;
  static final double DROPOUT_TERMINATION_MISSING = 0.5;

  // session level
  static final double SESSION_RUPTURE_SD = 0.8;
  static final double RUPTURE_INTERCEPT = -0.7;
  static final double INTENSITY_MEAN = 2.7;
  static final double INTENSITY_SESSION_SD = 0.6;
  static final double RESOLUTION_MEAN = 3.1;
  static final double RESOLUTION_PER_INTENSITY = -0.25;
  static final double RESOLUTION_SESSION_SD = 0.8;
  static final double RATER_NOISE_SD = 0.4;
  static final double ALLIANCE_PATIENT_MEAN = 5.1;
  static final double ALLIANCE_PATIENT_SD = 0.6;
  static final double ALLIANCE_THERAPIST_MEAN = 4.9;
  static final double ALLIANCE_RUPTURE = -0.25;
  static final double ALLIANCE_PER_INTENSITY = -0.20;
  static final double ALLIANCE_PER_RESOLUTION = 0.20;
  static final double ALLIANCE_SESSION_SD = 0.35;
  static final double ALLIANCE_ITEM_SD = 0.55;
  static final double QUALITY_MEAN = 3.6;
  static final double QUALITY_RUPTURE = -0.15;
  static final double QUALITY_PER_INTENSITY = -0.20;
  static final double QUALITY_PER_RESOLUTION = 0.20;
  static final double NOT_RETURNED_RATE = 0.04;
  static final double RUPTURE_UNKNOWN_RATE = 0.005;
  static final double ITEM_MISSING_RATE = 0.005;

  private CohortModel() {}

  /** The seed of one site's random stream: independent of the number of sites and of threads. */
  static long siteSeed(long seed, int siteIndex, long stream) {
    return mix64(mix64(seed) ^ mix64(siteIndex * 0x9E3779B97F4A7C15L + stream));
  }

  /** SplitMix64's finaliser: a bijective, well-mixing hash of a long. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The last day on which any session can take place. */
  static int lastPossibleSessionDay(int sessions) {
    return (int) INTAKE_END.toEpochDay() + (sessions - 1) * MAX_SESSION_GAP_DAYS;
  }
}
