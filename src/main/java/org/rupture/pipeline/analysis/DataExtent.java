package org.rupture.pipeline.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the curated data holds that every analysis reports on, also where no patient has what it needs: the
 * sites with data, which of them have session ratings and which raters rated sessions inside the early
 * window at each, and the outcome measures of the outcomes table (the analysed ones when the configuration
 * lists none). Collected by {@link AnalysisInputs#extent}.
 *
 * @param sites        every site with a curated record (a session rating, a patient record or an outcome), in order
 * @param sessionSites the sites with session ratings, early window or not
 * @param earlyRaters  per site, the raters with a session rating inside the early window (none: no entry)
 * @param measures     every outcome measure with a row in the patient outcomes, in order
 */
public record DataExtent(List<String> sites, Set<String> sessionSites, Map<String, Set<String>> earlyRaters,
    List<String> measures) {
  public DataExtent {
    sites = List.copyOf(new TreeSet<>(sites));
    sessionSites = Set.copyOf(sessionSites);
    Map<String, Set<String>> raters = new TreeMap<>();
    earlyRaters.forEach((site, r) -> raters.put(site, Set.copyOf(r)));
    earlyRaters = Map.copyOf(raters);
    measures = List.copyOf(measures);
  }

  /**
   * Why a site has no patient for an analysis of session ratings by {@code raters} (all of them needed) when
   * it lacks those ratings: {@code no session ratings}, {@code no session within the early window (sessions
   * 1-6)}, or {@code no session rated by the therapist within the early window (sessions 1-6)}; null when it
   * has them (then the kind says what its patients lack).
   */
  public String missingSessions(String site, List<String> raters, int window) {
    if (raters.isEmpty()) {
      return null;
    }
    if (!sessionSites.contains(site) && !earlyRaters.containsKey(site)) {
      return "no session ratings";
    }
    String early = "within the early window (" + (window == 1 ? "session 1" : "sessions 1-" + window) + ")";
    Set<String> rated = earlyRaters.getOrDefault(site, Set.of());
    if (rated.isEmpty()) {
      return "no session " + early;
    }
    List<String> missing = new ArrayList<>(raters);
    missing.removeAll(rated);
    return missing.isEmpty() ? null : "no session rated by the " + String.join(" or the ", missing) + " " + early;
  }
}
