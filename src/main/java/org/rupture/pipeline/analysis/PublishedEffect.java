package org.rupture.pipeline.analysis;

/**
 * A published effect size that a claim is compared against (literature.md), on the correlation scale
 * ({@code r}) or as a standardised mean difference ({@code smd}).
 *
 * @param source   citation, e.g. "Eubanks, Muran & Safran (2018)"
 * @param effect   {@code r} or {@code smd}
 * @param estimate the published point estimate
 * @param ciLower  lower bound of its 95% confidence interval
 * @param ciUpper  upper bound of its 95% confidence interval
 */
public record PublishedEffect(String source, String effect, double estimate, double ciLower, double ciUpper) {
  public static final String R = "r";
  public static final String SMD = "smd";
}
