package org.rupture.pipeline.stats.meta;

/**
 * Invalid input to a meta-analysis (no studies, a missing or non-finite effect size, a non-positive
 * sampling variance, ...) or an iteration that could not be completed. The message says which study
 * and what to do; it is meant to be shown to the user as is.
 */
public class MetaAnalysisException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MetaAnalysisException(String message) {
    super(message);
  }
}
