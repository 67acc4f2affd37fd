package org.rupture.pipeline.analysis;

/** The one-stage individual-patient-data model an analysis is also fitted with (SPEC 6). */
public enum OneStageModel {
  /** Two-stage only. */
  NONE,
  /** improvement ~ predictor + baseline + (1 | site) [+ (0 + predictor | site)], REML. */
  LINEAR_MIXED,
  /** dropout ~ predictor + site indicators, IRLS; odds ratio per unit of the predictor. */
  LOGISTIC
}
