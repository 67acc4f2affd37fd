package org.rupture.pipeline.analysis;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The registry of analysis kinds by their configuration name. */
public final class AnalysisKinds {
  private static final Map<String, AnalysisKind> KINDS = new LinkedHashMap<>();

  static {
    for (AnalysisKind kind : List.of(new CorrelationKind(), new RepeatedMeasuresCorrelationKind(),
        new PairedDifferenceKind(), new StandardisedMeanDifferenceKind(), new RetentionKind())) {
      KINDS.put(kind.name(), kind);
    }
  }

  private AnalysisKinds() {
  }

  /** The kind called {@code name}, or null when there is none. */
  public static AnalysisKind byName(String name) {
    return KINDS.get(name);
  }

  /** Names of all kinds, for messages. */
  public static List<String> names() {
    return List.copyOf(KINDS.keySet());
  }
}
