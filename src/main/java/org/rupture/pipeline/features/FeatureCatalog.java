package org.rupture.pipeline.features;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The variables analyses may name, by the level they live on (SPEC 5). Session variables are columns of
 * {@code session_ratings}; each has a patient-level early-window mean in {@code patient_process}
 * ({@code alliance -> mean_alliance}). Extra process variables mapped by sites (e.g. therapist
 * self-disclosure) join both lists when configured, so they can be analysed like the core ones.
 */
public final class FeatureCatalog {
  public static final String RUPTURE_PRESENT = "rupture_present";
  public static final String RUPTURE_INTENSITY = "rupture_intensity";
  public static final String RUPTURE_RESOLUTION = "rupture_resolution";
  public static final String ALLIANCE = "alliance";
  public static final String SESSION_QUALITY = "session_quality";

  public static final String SESSIONS_RATED = "sessions_rated";
  public static final String RUPTURE_RATE = "rupture_rate";
  public static final String REPAIR_RATE = "repair_rate";
  public static final String RETAINED = "retained";
  public static final String IMPROVEMENT = "improvement";
  public static final String BASELINE = "baseline";
  public static final String TERMINATION = "termination";

  public static final String TREATMENT = "treatment";
  public static final String TRAINING_PHASE = "therapist_training_phase";
  /** The patient record's dropout flag; {@link #RETAINED} is its negation. */
  public static final String DROPOUT = "dropout";

  /** Session variables that exist only for a rated rupture (null otherwise). */
  public static final Set<String> RUPTURE_EPISODE_VARIABLES = Set.of(RUPTURE_INTENSITY, RUPTURE_RESOLUTION);

  /** Core session variable -> its early-window patient mean; names as SPEC 5 spells them. */
  private static final Map<String, String> CORE_MEANS = Map.of(
      RUPTURE_INTENSITY, "mean_intensity",
      RUPTURE_RESOLUTION, "mean_resolution",
      ALLIANCE, "mean_alliance",
      SESSION_QUALITY, "mean_quality");

  private static final List<String> CORE_SESSION_VARIABLES =
      List.of(RUPTURE_INTENSITY, RUPTURE_RESOLUTION, ALLIANCE, SESSION_QUALITY);

  private final List<String> extraSessionVariables;

  /** @param extraSessionVariables extra double columns of {@code session_ratings} to treat as process variables */
  public FeatureCatalog(List<String> extraSessionVariables) {
    this.extraSessionVariables = List.copyOf(extraSessionVariables);
  }

  /** Session-level variables (columns of {@code session_ratings}), core first. */
  public List<String> sessionVariables() {
    List<String> all = new ArrayList<>(CORE_SESSION_VARIABLES);
    all.addAll(extraSessionVariables);
    return Collections.unmodifiableList(all);
  }

  /** Extra (site-mapped) session variables only. */
  public List<String> extraSessionVariables() {
    return extraSessionVariables;
  }

  /** The {@code patient_process} column holding the early-window mean of a session variable. */
  public static String patientMean(String sessionVariable) {
    return CORE_MEANS.getOrDefault(sessionVariable, "mean_" + sessionVariable);
  }

  /** Per patient x rater features of {@code patient_process}, in column order. */
  public List<String> processFeatures() {
    List<String> all = new ArrayList<>(List.of(SESSIONS_RATED, RUPTURE_RATE, patientMean(RUPTURE_INTENSITY),
        patientMean(RUPTURE_RESOLUTION), REPAIR_RATE, patientMean(ALLIANCE), patientMean(SESSION_QUALITY)));
    extraSessionVariables.forEach(v -> all.add(patientMean(v)));
    return Collections.unmodifiableList(all);
  }

  /** Patient-level variables that do not depend on the rater. */
  public static List<String> patientOutcomeVariables() {
    return List.of(IMPROVEMENT, RETAINED);
  }

  /** Patient attributes that split patients into two groups for a mean difference. */
  public static List<String> groupingVariables() {
    return List.of(TREATMENT, TRAINING_PHASE);
  }

  /** The patient record's columns that features and analyses read, besides the patient's identity. */
  public static List<String> patientAttributes() {
    return List.of(DROPOUT, TREATMENT, TRAINING_PHASE);
  }
}
