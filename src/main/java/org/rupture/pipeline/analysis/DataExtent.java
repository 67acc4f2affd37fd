package org.rupture.pipeline.analysis;

import java.util.List;

/**
 * What the curated data holds that every analysis reports on, also where no patient has what it needs: the
 * sites with data and the outcome measures of the outcomes table (the analysed ones when the configuration
 * lists none). Collected by {@link AnalysisInputs#extent()}.
 *
 * @param sites    every site with a patient record, a process feature or an outcome, in order
 * @param measures every outcome measure with a row in the patient outcomes, in order
 */
public record DataExtent(List<String> sites, List<String> measures) {
  public DataExtent {
    sites = List.copyOf(sites);
    measures = List.copyOf(measures);
  }
}
