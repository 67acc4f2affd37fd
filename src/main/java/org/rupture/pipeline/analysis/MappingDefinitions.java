package org.rupture.pipeline.analysis;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import org.rupture.pipeline.config.SiteMapping;

/**
 * What the site mappings define that an analysis section names: outcome measures ({@code patients.outcomes}),
 * treatments (the canonical values of {@code patients.treatment_codes}) and extra session variables
 * ({@code sessions.extra}). A name no mapping defines matches no curated data: a measure is silently left
 * out, a treatment arm excludes every site, a process variable fails after the whole ingest. So the analysis
 * section is checked against these before Spark starts; a name at least one mapping defines is fine.
 *
 * @param sitesDir   the folder the mappings come from, for error messages
 * @param measures   outcome measures, sorted
 * @param treatments treatments, sorted
 * @param extras     extra session variables, sorted
 */
public record MappingDefinitions(String sitesDir, List<String> measures, List<String> treatments,
    List<String> extras) {

  public MappingDefinitions {
    measures = List.copyOf(measures);
    treatments = List.copyOf(treatments);
    extras = List.copyOf(extras);
  }

  /** What {@code mappings} (loaded from {@code sitesDir}) define, taken together. */
  public static MappingDefinitions of(List<SiteMapping> mappings, String sitesDir) {
    TreeSet<String> measures = new TreeSet<>();
    TreeSet<String> treatments = new TreeSet<>();
    TreeSet<String> extras = new TreeSet<>();
    for (SiteMapping m : mappings) {
      if (m.patients() != null) {
        m.patients().outcomes().forEach(o -> measures.add(o.measure()));
        treatments.addAll(m.patients().treatmentCodes().values());
      }
      if (m.sessions() != null) {
        m.sessions().extras().forEach(e -> extras.add(e.name()));
      }
    }
    return new MappingDefinitions(sitesDir, List.copyOf(measures), List.copyOf(treatments), List.copyOf(extras));
  }

  /** {@code names} for a message: comma-separated, or "none". */
  static String listed(Collection<String> names) {
    return names.isEmpty() ? "none" : String.join(", ", names);
  }
}
