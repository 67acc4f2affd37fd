package org.rupture.pipeline.stats;

/**
 * A statistic that cannot be computed from the data it was given (too few observations, zero
 * variance, a perfect correlation, a singular design, separation, no convergence). The message says
 * which statistic, what was wrong with the input and, where possible, what to do about it; callers
 * record it (for example as a site's {@code excluded_reason}) instead of producing a NaN.
 */
public class StatisticsException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public StatisticsException(String message) {
    super(message);
  }
}
