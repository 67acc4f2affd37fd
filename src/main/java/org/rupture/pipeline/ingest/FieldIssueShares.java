package org.rupture.pipeline.ingest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.rupture.pipeline.config.KeySources;
import org.rupture.pipeline.config.SiteMapping;

/**
 * The field-issue check after the ingest: per site, table, field and reason code, the share of the site's
 * accepted records of that table whose field a rule nulled for that reason. A mapping mistake that hits a whole
 * site (dates in another format than {@code dialect.date_formats}, a decimal comma read with {@code decimal: "."},
 * a wrong source scale) nulls one field in (nearly) every record, yet passes the quarantine gate because the
 * records themselves are accepted. A share above {@code quality.field_issue_warn_share} is a warning naming the
 * site, the field, the counts and the mapping key most likely responsible ({@link #keyOf}); one above
 * {@code quality.max_field_issue_share}, when set, rejects the run as the quarantine gate does (exit 3).
 *
 * <p>Counted from the per-file tallies the ingest's write pass gathers as it writes the field issues
 * ({@link FileCounts#fieldIssues}): no Spark job of its own.
 *
 * @param shares every site x table x field x reason with at least one nulled record, in that order
 * @param warnShare {@code quality.field_issue_warn_share}
 * @param maxShare {@code quality.max_field_issue_share}, or null when that gate is off
 */
public record FieldIssueShares(List<Share> shares, double warnShare, Double maxShare) {

  /**
   * Records of a site's {@code table} whose {@code field} was nulled for {@code reason}, of its {@code accepted}
   * records there. {@code key}: the mapping key most likely responsible, or null when none is known;
   * {@code file}: the file that sets it (the mapping's or a profile's; the mapping's when no key is known);
   * {@code where}: the same for a message (a profile named with the mapping extending it); {@code hint}: how to
   * change it for this mapping only when a profile sets it, else "".
   */
  public record Share(String site, String table, String field, String reason, long records, long accepted,
      String key, String file, String where, String hint) {
    public double share() {
      return accepted == 0 ? 0 : (double) records / accepted;
    }
  }

  /** The mapping key of a nulled value by reason code, where the reason alone names it. */
  private static final Map<String, String> KEY_OF_REASON = Map.of(
      "BAD_DATE", "dialect.date_formats",
      "NOT_NUMERIC", "dialect.decimal",
      "NO_RUPTURE", "sessions.yes_no",
      "TOO_FEW_ITEMS", "sessions.alliance.min_items");
  /** {@code UNKNOWN_CODE}: the code map of the field. */
  private static final Map<String, String> CODE_MAP_OF_FIELD = Map.of(
      "rupture_present", "sessions.yes_no",
      "treatment", "patients.treatment_codes",
      "dropout", "patients.dropout_codes",
      "training_phase", "patients.training_phase_codes");
  /** {@code OUT_OF_RANGE}: the source scale of the field (extra variables and outcome scores: see {@link #keyOf}). */
  private static final Map<String, String> SCALE_OF_FIELD = Map.of(
      "rupture_intensity", "sessions.scales.rupture_intensity",
      "rupture_resolution", "sessions.scales.rupture_resolution",
      "session_quality", "sessions.scales.session_quality",
      "alliance", "sessions.alliance.scale");

  /**
   * Sums the files' counts per site and table.
   *
   * @param mappingOfSite the mapping that claims each site (for the keys to name)
   */
  static FieldIssueShares of(List<FileCounts> files, Map<String, SiteMapping> mappingOfSite, double warnShare,
      Double maxShare) {
    Map<List<String>, Long> accepted = new TreeMap<>(Comparator.comparing((List<String> k) -> k.get(0))
        .thenComparing(k -> k.get(1)));
    Map<List<String>, Long> nulled = new TreeMap<>(Comparator.comparing((List<String> k) -> k.get(0))
        .thenComparing(k -> k.get(1)).thenComparing(k -> k.get(2)).thenComparing(k -> k.get(3)));
    for (FileCounts f : files) {
      accepted.merge(List.of(f.site(), f.table()), f.accepted(), Long::sum);
      f.fieldIssues().forEach((field, byReason) -> byReason.forEach((reason, n) ->
          nulled.merge(List.of(f.site(), f.table(), field, reason), n, Long::sum)));
    }
    List<Share> shares = new ArrayList<>();
    nulled.forEach((k, n) -> {
      SiteMapping m = mappingOfSite.get(k.get(0));
      String key = m == null ? null : keyOf(m, k.get(1), k.get(2), k.get(3));
      String file = m == null ? null : key == null ? m.file() : m.sources().fileOf(key);
      String where = m == null ? null : key == null ? m.file() : m.sources().where(key);
      String hint = m == null || key == null ? "" : m.sources().overrideHint(key);
      shares.add(new Share(k.get(0), k.get(1), k.get(2), k.get(3), n,
          accepted.getOrDefault(List.of(k.get(0), k.get(1)), 0L), key, file, where, hint));
    });
    return new FieldIssueShares(List.copyOf(shares), warnShare, maxShare);
  }

  /**
   * The mapping key most likely responsible when a whole site's {@code field} is nulled for {@code reason}, or
   * null: dates the date formats, numbers not read the decimal separator, values out of range the field's
   * source scale, unknown codes the field's code map.
   */
  static String keyOf(SiteMapping m, String table, String field, String reason) {
    if (table.equals("patients") && field.equals("sessions_attended")) {
      return "patients.columns.sessions_attended";   // a count: not a number or negative, so likely another column
    }
    if (reason.equals("UNKNOWN_CODE")) {
      return CODE_MAP_OF_FIELD.get(field);
    }
    if (!reason.equals("OUT_OF_RANGE")) {
      return KEY_OF_REASON.get(reason);
    }
    if (table.equals("session_ratings")) {
      if (SCALE_OF_FIELD.containsKey(field)) {
        return SCALE_OF_FIELD.get(field);
      }
      boolean extra = m.sessions() != null
          && m.sessions().extras().stream().anyMatch(e -> e.name().equals(field));
      return extra ? "sessions.extra." + field + ".scale" : null;
    }
    if (m.patients() != null) {
      List<SiteMapping.OutcomeSpec> outcomes = m.patients().outcomes();
      for (int i = 0; i < outcomes.size(); i++) {
        String measure = outcomes.get(i).measure();
        if (field.equals(measure + "_baseline") || field.equals(measure + "_termination")) {
          return "patients.outcomes[" + i + "].range";
        }
      }
    }
    return null;
  }

  /** The shares above {@code limit}, in site, table, field and reason order. */
  public List<Share> above(double limit) {
    return shares.stream().filter(s -> s.share() > limit).toList();
  }

  /** One line per site x table x field with a share above {@code quality.field_issue_warn_share}. */
  public List<String> warnings() {
    return lines(above(warnShare));
  }

  /** One line per site x table x field with a share above {@code quality.max_field_issue_share}; none when off. */
  public List<String> gateFailures() {
    return maxShare == null ? List.of() : lines(above(maxShare));
  }

  /**
   * Fails (exit 3) when a share is above {@code quality.max_field_issue_share}; the caller then removes what the
   * run wrote, as for the quarantine gate.
   */
  void enforceGate() {
    List<String> failing = gateFailures();
    if (!failing.isEmpty()) {
      throw new DataQualityException("field issue share above quality.max_field_issue_share = " + maxShare
          + " for " + String.join("; ", failing) + ". Nothing was published. Fix the site's mapping or the export "
          + "(reason codes: docs/site-mapping.md), or raise quality.max_field_issue_share (or remove it) to publish "
          + "the run and read its restricted/field_issues.");
    }
  }

  /**
   * "site-002: session_date nulled in 1027 of 1035 session_ratings records (99.2%, BAD_DATE); check
   * dialect.date_formats in conf/sites/site-002.yaml", one per site x table x field; several reasons of one field
   * are listed in the one line.
   */
  private static List<String> lines(List<Share> shares) {
    Map<List<String>, List<Share>> byField = new LinkedHashMap<>();
    shares.forEach(s -> byField.computeIfAbsent(List.of(s.site(), s.table(), s.field()), k -> new ArrayList<>()).add(s));
    List<String> out = new ArrayList<>();
    byField.values().forEach(group -> out.add(line(group)));
    return out;
  }

  private static String line(List<Share> group) {
    Share first = group.get(0);
    StringBuilder b = new StringBuilder(first.site() + ": " + first.field() + " nulled in ");
    for (int i = 0; i < group.size(); i++) {
      Share s = group.get(i);
      b.append(i == 0 ? "" : " and in ").append(s.records())
          .append(i == 0 ? " of " + s.accepted() + " " + s.table() + " records" : "")
          .append(String.format(" (%.1f%%, %s)", 100 * s.share(), s.reason()));
    }
    List<String> checks = new ArrayList<>();
    List<String> hints = new ArrayList<>();
    for (Share s : group) {
      String check = s.key() == null
          ? (s.where() == null ? null : "check the mapping " + s.where())
          : "check " + s.key() + " in " + s.where();
      if (check != null && !checks.contains(check)) {
        checks.add(check);
      }
      if (!s.hint().isEmpty() && !hints.contains(s.hint())) {
        hints.add(s.hint());
      }
    }
    checks.addAll(hints);
    return checks.isEmpty() ? b.toString() : b.append("; ").append(String.join("; ", checks)).toString();
  }
}
