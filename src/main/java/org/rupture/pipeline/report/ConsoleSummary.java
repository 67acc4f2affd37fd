package org.rupture.pipeline.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The compact table printed after an analysis run: per analysis, rater and measure the number of pooled
 * sites and their patients, the pooled estimate with its 95% CI (reporting scale), I^2, the sign the claim
 * expects and whether the estimate has it, the evidence verdict and whether the pooled interval is
 * compatible with the claim's published effects (results/evidence.csv). A row not pooled points to a
 * numbered note below the table saying why; a two-line legend ends the table (the README explains every
 * column).
 */
public final class ConsoleSummary {
  private static final String LOG_OR = "log_or";
  private static final String HEADER_FORMAT = "%-22s %-17s %-8s %-6s %5s %8s  %-24s %6s  %-8s %-3s  %-14s  %s";

  /** Printed below the table: what the columns mean (the README has the long version). */
  public static final List<String> LEGEND = List.of(
      "expected: claimed sign, met: estimate has it (log_or: OR above 1 is +); evidence: 95% CI excludes 0 (OR: 1)"
          + " on that side (supports), the other (contrasts), neither (inconclusive)",
      "sites, patients: those that qualify for pooling (which patients count: README); vs published: pooled and"
          + " published 95% CIs overlap (results/evidence.csv)");

  /**
   * One line of the summary.
   *
   * @param analysis     analysis id
   * @param rater        rater (null when not per rater)
   * @param measure      outcome measure (null when none)
   * @param effectType   r, r_rm, md, smd or log_or (estimate and CI then an odds ratio: its sign is that of log OR)
   * @param k            sites pooled
   * @param n            patients over the pooled sites
   * @param estimate     pooled estimate (NaN when not pooled)
   * @param ciLower      lower 95% bound
   * @param ciUpper      upper 95% bound
   * @param i2           I^2 in percent
   * @param expectedSign +1 or -1
   * @param verdict      supports, contrasts, inconclusive or not pooled
   * @param compatible   per published effect of the claim (evidence.csv's rows), whether the pooled interval
   *                     overlaps it; null entries when not compared (not pooled, or an odds ratio against a
   *                     published r: not comparable); empty when the claim cites none
   * @param notPooled    why it was not pooled (the pooled note), else null
   */
  public record Line(String analysis, String rater, String measure, String effectType, int k, long n, double estimate,
      double ciLower, double ciUpper, double i2, int expectedSign, String verdict, List<Boolean> compatible,
      String notPooled) {
  }

  private ConsoleSummary() {
  }

  /** The table as lines of text: header, one line per effect, the notes of rows not pooled, the legend. */
  public static List<String> render(List<Line> lines) {
    List<String> out = new ArrayList<>();
    out.add(String.format(Locale.ROOT, HEADER_FORMAT, "analysis", "rater", "measure", "effect", "sites", "patients",
        "pooled [95% CI]", "I2", "expected", "met", "evidence", "vs published").stripTrailing());
    Map<String, Integer> notes = new LinkedHashMap<>();
    for (Line l : lines) {
      boolean pooled = Double.isFinite(l.estimate());
      String estimate = pooled
          ? String.format(Locale.ROOT, "%7.3f [%6.3f, %6.3f]", l.estimate(), l.ciLower(), l.ciUpper())
          : "-";
      String i2 = Double.isFinite(l.i2()) ? String.format(Locale.ROOT, "%5.1f%%", l.i2()) : "-";
      // an odds ratio has the sign of its log: above 1 is +, below 1 is -
      double signed = LOG_OR.equals(l.effectType()) ? Math.log(l.estimate()) : l.estimate();
      String met = pooled ? (Math.signum(signed) == l.expectedSign() ? "yes" : "no") : "-";
      String verdict = l.verdict();
      if (l.notPooled() != null) {
        verdict += " [" + notes.computeIfAbsent(l.notPooled(), reason -> notes.size() + 1) + "]";
      }
      out.add(String.format(Locale.ROOT, HEADER_FORMAT, l.analysis(), dash(l.rater()), dash(l.measure()),
          l.effectType(), l.k(), l.n(), estimate, i2, l.expectedSign() > 0 ? "+" : "-", met, verdict,
          published(l.compatible(), pooled)).stripTrailing());
    }
    notes.forEach((reason, number) -> out.add("[" + number + "] not pooled: " + reason));
    out.addAll(LEGEND);
    return out;
  }

  /**
   * The vs-published column: compatible or incompatible with the claim's one published effect, "1/2
   * compatible" with several, "-" when the claim cites none or nothing was compared (not pooled), "not
   * comparable" for a pooled effect that cannot be put on the published scale (an odds ratio against an r).
   */
  static String published(List<Boolean> compatible, boolean pooled) {
    if (compatible.isEmpty()) {
      return "-";
    }
    if (compatible.stream().anyMatch(Objects::isNull)) {
      return pooled ? "not comparable" : "-";
    }
    long yes = compatible.stream().filter(Boolean::booleanValue).count();
    if (compatible.size() == 1) {
      return yes == 1 ? "compatible" : "incompatible";
    }
    return yes + "/" + compatible.size() + " compatible";
  }

  private static String dash(String value) {
    return value == null ? "-" : value;
  }
}
