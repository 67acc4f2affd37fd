package org.rupture.pipeline.analysis;

import java.util.List;
import java.util.Map;

/**
 * What an analysis run produced: the results (as written under results/), the rows written per output and
 * the console summary.
 *
 * @param siteEffects  every analysis x rater x measure x site, pooled or with its excluded_reason
 * @param pooled       every analysis x rater x measure
 * @param leaveOneOut  leave-one-site-out re-estimates
 * @param ipdModels    one-stage models
 * @param evidence     verdict per claim (and per published effect)
 * @param rowsWritten  output name -> rows written (features and result tables)
 * @param notes        analyses that produced nothing and why
 * @param summaryLines the compact console table ({@link org.rupture.pipeline.report.ConsoleSummary})
 */
public record AnalysisOutcome(List<SiteEffect> siteEffects, List<PooledEffect> pooled,
    List<LeaveOneOutEffect> leaveOneOut, List<IpdModel> ipdModels, List<Evidence> evidence,
    Map<String, Long> rowsWritten, List<String> notes, List<String> summaryLines) {
}
