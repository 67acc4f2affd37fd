package org.rupture.pipeline.ingest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * <p>The same shares per input file (one delivery's file of a site): a new delivery in a new date format is
 * only a small part of a site that has delivered for months, so its site's share stays low while its own is
 * (nearly) 1. A file above a threshold whose site as a whole is not gets a line of its own naming the file,
 * for the warning and for the gate alike (a fully broken delivery can stop the run); a site above it keeps its
 * one line, its files not repeated. A file's line needs at least {@link #MIN_FILE_RECORDS} nulled records.
 *
 * <p>Counted from the per-file tallies the ingest's write pass gathers as it writes the field issues
 * ({@link FileCounts#fieldIssues}): no Spark job of its own.
 *
 * @param shares every site x table x field x reason with at least one nulled record, in that order
 * @param fileShares the same per input file: every file x field x reason with at least one nulled record, in
 *     site, table, field, reason and file order
 * @param warnShare {@code quality.field_issue_warn_share}
 * @param maxShare {@code quality.max_field_issue_share}, or null when that gate is off
 */
public record FieldIssueShares(List<Share> shares, List<Share> fileShares, double warnShare, Double maxShare) {

  /**
   * The fewest nulled records for a file's own line. A small file (a correction delivery of 3 records) reaches
   * any share with one or two bad values, and it still counts in its site's share; a delivery in a new format
   * is a whole export of a site, many records, so 5 loses none of those.
   */
  static final int MIN_FILE_RECORDS = 5;

  /**
   * Records of a site's {@code table} whose {@code field} was nulled for {@code reason}, of its {@code accepted}
   * records there. {@code key}: the mapping key most likely responsible, or null when none is known;
   * {@code file}: the file that sets it (the mapping's or a profile's; the mapping's when no key is known);
   * {@code where}: the same for a message (a profile named with the mapping extending it); {@code hint}: how to
   * change it for this mapping only when a profile sets it, else "". {@code source}: for a file's share the
   * input file (its relative path, as the manifest names it), for a site's null.
   */
  public record Share(String site, String table, String field, String reason, long records, long accepted,
      String key, String file, String where, String hint, String source) {
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
   * Sums the files' counts per site and table, and keeps each file's own.
   *
   * @param mappingOfSite the mapping that claims each site (for the keys to name)
   */
  static FieldIssueShares of(List<FileCounts> files, Map<String, SiteMapping> mappingOfSite, double warnShare,
      Double maxShare) {
    Map<List<String>, Long> accepted = new HashMap<>();
    Map<List<String>, Long> nulled = new TreeMap<>(KEY_ORDER);
    List<Share> fileShares = new ArrayList<>();
    for (FileCounts f : files) {
      accepted.merge(List.of(f.site(), f.table()), f.accepted(), Long::sum);
      f.fieldIssues().forEach((field, byReason) -> byReason.forEach((reason, n) -> {
        nulled.merge(List.of(f.site(), f.table(), field, reason), n, Long::sum);
        fileShares.add(share(List.of(f.site(), f.table(), field, reason), n, f.accepted(), f.file(), mappingOfSite));
      }));
    }
    List<Share> shares = new ArrayList<>();
    nulled.forEach((k, n) -> shares.add(share(k, n, accepted.getOrDefault(k.subList(0, 2), 0L), null, mappingOfSite)));
    fileShares.sort(Comparator.comparing((Share s) -> List.of(s.site(), s.table(), s.field(), s.reason()), KEY_ORDER)
        .thenComparing(Share::source));
    return new FieldIssueShares(List.copyOf(shares), List.copyOf(fileShares), warnShare, maxShare);
  }

  /** Site, table, field and reason (or a prefix of them) in that order. */
  private static final Comparator<List<String>> KEY_ORDER = (a, b) -> {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  };

  /** The share of {@code key} (site, table, field, reason) of a site ({@code source} null) or of one file. */
  private static Share share(List<String> key, long records, long accepted, String source,
      Map<String, SiteMapping> mappingOfSite) {
    SiteMapping m = mappingOfSite.get(key.get(0));
    String mappingKey = m == null ? null : keyOf(m, key.get(1), key.get(2), key.get(3));
    String file = m == null ? null : mappingKey == null ? m.file() : m.sources().fileOf(mappingKey);
    String where = m == null ? null : mappingKey == null ? m.file() : m.sources().where(mappingKey);
    String hint = m == null || mappingKey == null ? "" : m.sources().overrideHint(mappingKey);
    return new Share(key.get(0), key.get(1), key.get(2), key.get(3), records, accepted, mappingKey, file, where, hint,
        source);
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

  /**
   * The files' shares above {@code limit} that get a line of their own: with at least {@link #MIN_FILE_RECORDS}
   * nulled records, of a site whose share of the same table, field and reason is not above {@code limit} (its
   * own line names the field already).
   */
  public List<Share> filesAbove(double limit) {
    Set<List<String>> sitesAbove = new HashSet<>();
    above(limit).forEach(s -> sitesAbove.add(List.of(s.site(), s.table(), s.field(), s.reason())));
    return fileShares.stream()
        .filter(f -> f.share() > limit && f.records() >= MIN_FILE_RECORDS
            && !sitesAbove.contains(List.of(f.site(), f.table(), f.field(), f.reason())))
        .toList();
  }

  /**
   * One line per site x table x field with a share above {@code quality.field_issue_warn_share}, and one per
   * file x field above it of a site that is not ({@link #filesAbove}), each site's after its own.
   */
  public List<String> warnings() {
    return lines(warnShare);
  }

  /** The same lines for {@code quality.max_field_issue_share}; none when off. */
  public List<String> gateFailures() {
    return maxShare == null ? List.of() : lines(maxShare);
  }

  /**
   * Fails (exit 3) when a site's or a file's share is above {@code quality.max_field_issue_share}; the caller
   * then removes what the run wrote, as for the quarantine gate.
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
   * are listed in the one line. A file's: "... session_ratings records of site-002/2026-11-30/sessions.csv
   * (100.0%, BAD_DATE); ...". In site, table and field order, a site's line before its files'.
   */
  private List<String> lines(double limit) {
    Map<List<String>, List<Share>> byField = new TreeMap<>(KEY_ORDER);
    above(limit).forEach(s -> byField.computeIfAbsent(List.of(s.site(), s.table(), s.field(), ""),
        k -> new ArrayList<>()).add(s));
    filesAbove(limit).forEach(s -> byField.computeIfAbsent(List.of(s.site(), s.table(), s.field(), s.source()),
        k -> new ArrayList<>()).add(s));
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
          .append(i == 0 && s.source() != null ? " of " + s.source() : "")
          .append(String.format(" (%.1f%%, %s)", 100 * s.share(), s.reason()));
    }
    return withChecks(b, group);
  }

  /** {@code b} with "; check KEY in FILE" per distinct key of {@code group}, then the override hints. */
  private static String withChecks(StringBuilder b, List<Share> group) {
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
