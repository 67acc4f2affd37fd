package org.rupture.pipeline.analysis;

/** The {@code excluded_reason} texts of {@code site_effects}, worded the same for every kind. */
final class ExclusionReasons {
  private ExclusionReasons() {
  }

  /** Reason when {@code n} patients are fewer than {@code min_site_n}, else null. */
  static String belowMinimum(long n, int minSiteN) {
    return n < minSiteN ? "n=" + n + " below min_site_n=" + minSiteN : null;
  }

  /** Reason when a variable does not vary at the site. */
  static String zeroVariance(String variable) {
    return "zero variance in " + variable;
  }
}
