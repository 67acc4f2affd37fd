package org.rupture.pipeline.stats;

/**
 * One effect on its analysis scale. {@code estimate} with {@code ciLower}/{@code ciUpper} and
 * {@code p} is what gets reported (r for correlations); {@code yi}/{@code vi} are what pooling uses
 * (Fisher z for {@code r} and {@code r_rm}, the raw value otherwise) and {@code se = sqrt(vi)}.
 *
 * @param effectType {@code r}, {@code r_rm}, {@code md}, {@code smd} or {@code log_or} (yi the log odds ratio,
 *     estimate and CI the odds ratio, se = sqrt(vi) on the log scale)
 * @param n observations behind the effect (pairs, rows, patients, or n1 + n2)
 */
public record EffectEstimate(
    String effectType,
    long n,
    double estimate,
    double se,
    double ciLower,
    double ciUpper,
    double p,
    double yi,
    double vi) {}
