package org.rupture.pipeline.analysis;

import java.util.Comparator;

/**
 * Identifies one pooled effect: an analysis for one rater (null when the analysis does not depend on the
 * rater; {@code therapist-patient} for a rater difference) and one outcome measure (null when the
 * analysis has no outcome measure).
 */
public record EffectKey(String analysis, String rater, String measure) {
  /** Orders keys by rater then measure, nulls first (analyses keep their configured order). */
  static final Comparator<EffectKey> RATER_MEASURE_ORDER =
      Comparator.comparing(EffectKey::rater, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparing(EffectKey::measure, Comparator.nullsFirst(Comparator.naturalOrder()));
}
