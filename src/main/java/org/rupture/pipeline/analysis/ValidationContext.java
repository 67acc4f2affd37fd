package org.rupture.pipeline.analysis;

import java.util.HashSet;
import java.util.List;
import org.rupture.pipeline.config.ConfigException;
import org.rupture.pipeline.config.ConfigNode;
import org.rupture.pipeline.features.FeatureCatalog;

/**
 * What a kind needs to check one configured analysis: the known variables, section-wide defaults and
 * where the analysis sits in the configuration (for error messages).
 *
 * @param catalog      variables available to analyses
 * @param treatmentArm default focal arm for comparisons by treatment
 * @param where        the analysis entry in the configuration
 * @param defined      what the site mappings define, to check the values an analysis compares against; null
 *                     when the analysis is not checked against the mappings (a built-in default)
 */
public record ValidationContext(FeatureCatalog catalog, String treatmentArm, ConfigNode where,
    MappingDefinitions defined) {

  /** A context that does not check values against the site mappings. */
  public ValidationContext(FeatureCatalog catalog, String treatmentArm, ConfigNode where) {
    this(catalog, treatmentArm, where, null);
  }

  /** Raters a per-rater analysis runs for unless configured. */
  public static final List<String> DEFAULT_RATERS = List.of("patient", "therapist");
  /** Rater values of the canonical model. */
  public static final List<String> KNOWN_RATERS = List.of("patient", "therapist", "observer");

  /** A configuration error at {@code key} of the analysis entry. */
  public ConfigException error(String key, String problem) {
    return where.error(key, problem);
  }

  /** Checks that {@code value} (of {@code key}) is one of {@code allowed}, which are {@code what}. */
  public void requireOneOf(String key, String value, List<String> allowed, String what) {
    if (value == null) {
      throw error(key, "is required for this kind; use one of the " + what + ": " + String.join(", ", allowed));
    }
    if (!allowed.contains(value)) {
      throw error(key, "unknown variable '" + value + "' for this kind; use one of the " + what + ": "
          + String.join(", ", allowed));
    }
  }

  /**
   * Checks that {@code value} of {@code key} is a treatment some site mapping's {@code treatment_codes} yields
   * (no patient has any other treatment). {@code fromTreatmentArm}: the analysis gives no value of its own and
   * the section's {@code treatment_arm} applies.
   */
  public void requireDefinedTreatment(String key, String value, boolean fromTreatmentArm) {
    if (defined == null || value == null || defined.treatments().contains(value)) {
      return;
    }
    throw error(key, (fromTreatmentArm ? "is not given, so analysis.treatment_arm '" + value + "' applies, which"
        : "'" + value + "'") + " " + noTreatment(defined));
  }

  /** The end of a message about a treatment no mapping defines: what they define and the fix. */
  static String noTreatment(MappingDefinitions defined) {
    return "is no treatment of any site mapping (the values of patients.treatment_codes in " + defined.sitesDir()
        + "; they define: " + MappingDefinitions.listed(defined.treatments()) + "), so no patient is in that group;"
        + " use a defined treatment";
  }

  /** Checks that a key that means nothing for this kind was not set. */
  public void requireAbsent(String key, Object value, String why) {
    if (value != null) {
      throw error(key, "is not used here: " + why + "; remove it");
    }
  }

  /**
   * The raters of an analysis: the configured ones (checked) or the defaults when the analysis depends
   * on the rater; none (and none may be configured) otherwise.
   */
  public List<String> raters(AnalysisSpec spec, boolean rated) {
    if (!rated) {
      if (!spec.raters().isEmpty()) {
        throw error("raters", "no variable of this analysis is rated per rater; remove 'raters'");
      }
      return List.of();
    }
    List<String> raters = spec.raters().isEmpty() ? DEFAULT_RATERS : spec.raters();
    for (int i = 0; i < raters.size(); i++) {
      if (!KNOWN_RATERS.contains(raters.get(i))) {
        throw error("raters[" + i + "]", "unknown rater '" + raters.get(i) + "'; use "
            + String.join(", ", KNOWN_RATERS));
      }
    }
    if (new HashSet<>(raters).size() != raters.size()) {
      throw error("raters", "lists a rater twice");
    }
    return raters;
  }
}
