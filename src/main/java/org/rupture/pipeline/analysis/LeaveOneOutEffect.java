package org.rupture.pipeline.analysis;

import org.rupture.pipeline.stats.meta.LeaveOneOut;

/**
 * One row of {@code results/leave_one_out}: a pooled effect re-estimated without one site.
 *
 * @param pooled       the pooled effect this is a sensitivity analysis of
 * @param omittedSite  the site left out
 * @param result       the meta-analysis without it, on the yi scale
 */
public record LeaveOneOutEffect(PooledEffect pooled, String omittedSite, LeaveOneOut result) {
}
