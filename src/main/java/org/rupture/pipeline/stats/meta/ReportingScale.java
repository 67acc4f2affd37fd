package org.rupture.pipeline.stats.meta;

/**
 * How pooled values computed on the yi scale are reported: {@link #IDENTITY}, {@link #FISHER_Z_TO_R}
 * (tanh, for Fisher z transformed correlations) or {@link #LOG_TO_RATIO} (exp, for log odds or log risk
 * ratios). Only point values and interval bounds are transformed; standard errors and heterogeneity
 * statistics stay on the yi scale (as {@code metafor::predict(..., transf = ...)}).
 */
public enum ReportingScale {
  /** Report on the yi scale itself. */
  IDENTITY {
    @Override
    public double apply(double yiScaleValue) {
      return yiScaleValue;
    }
  },
  /** Fisher z back to a correlation: r = tanh(z). */
  FISHER_Z_TO_R {
    @Override
    public double apply(double yiScaleValue) {
      return Math.tanh(yiScaleValue);
    }
  },
  /** Log ratio back to a ratio: exp(y). */
  LOG_TO_RATIO {
    @Override
    public double apply(double yiScaleValue) {
      return Math.exp(yiScaleValue);
    }
  };

  /** The value on the reporting scale of a value (estimate or interval bound) on the yi scale. */
  public abstract double apply(double yiScaleValue);
}
