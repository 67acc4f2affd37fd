package org.rupture.pipeline.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The compact table printed after an analysis run: per analysis, rater and measure the number of pooled
 * sites and patients, the pooled estimate with its 95% CI (reporting scale), I^2, whether the estimate has
 * the claimed sign, and the evidence verdict.
 */
public final class ConsoleSummary {
  private static final String HEADER_FORMAT = "%-22s %-17s %-8s %-6s %3s %6s  %-27s %6s  %-4s %-4s %s";

  /**
   * One line of the summary.
   *
   * @param analysis     analysis id
   * @param rater        rater (null when not per rater)
   * @param measure      outcome measure (null when none)
   * @param effectType   r, r_rm, md or smd
   * @param k            sites pooled
   * @param n            patients over the pooled sites
   * @param estimate     pooled estimate (NaN when not pooled)
   * @param ciLower      lower 95% bound
   * @param ciUpper      upper 95% bound
   * @param i2           I^2 in percent
   * @param expectedSign +1 or -1
   * @param verdict      supports, contrasts, inconclusive or not pooled
   */
  public record Line(String analysis, String rater, String measure, String effectType, int k, long n, double estimate,
      double ciLower, double ciUpper, double i2, int expectedSign, String verdict) {
  }

  private ConsoleSummary() {
  }

  /** The table as lines of text, header first. */
  public static List<String> render(List<Line> lines) {
    List<String> out = new ArrayList<>();
    out.add(String.format(Locale.ROOT, HEADER_FORMAT, "analysis", "rater", "measure", "effect", "k", "N",
        "pooled estimate [95% CI]", "I2", "sign", "met", "evidence"));
    for (Line l : lines) {
      boolean pooled = Double.isFinite(l.estimate());
      String estimate = pooled
          ? String.format(Locale.ROOT, "%7.3f [%6.3f, %6.3f]", l.estimate(), l.ciLower(), l.ciUpper())
          : "-";
      String i2 = Double.isFinite(l.i2()) ? String.format(Locale.ROOT, "%5.1f%%", l.i2()) : "-";
      String met = pooled ? (Math.signum(l.estimate()) == l.expectedSign() ? "yes" : "no") : "-";
      out.add(String.format(Locale.ROOT, HEADER_FORMAT, l.analysis(), dash(l.rater()), dash(l.measure()),
          l.effectType(), l.k(), l.n(), estimate, i2, l.expectedSign() > 0 ? "+" : "-", met, l.verdict()));
    }
    return out;
  }

  private static String dash(String value) {
    return value == null ? "-" : value;
  }
}
