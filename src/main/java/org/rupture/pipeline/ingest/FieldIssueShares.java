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
import org.rupture.pipeline.config.PipelineConfig;
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
 * <p>A source scale declared a point off ({@code [0, 4]} for data that is 1-5) nulls only the values it cuts
 * off (the 5s, a few percent of the records) and rescales the others wrongly: far below the warning threshold.
 * So values nulled as OUT_OF_RANGE in more than {@code quality.out_of_range_warn_share} of a site's (or file's)
 * accepted records, and in at least {@link #MIN_OUT_OF_RANGE_RECORDS}, get a warning of their own naming the
 * declared scale and the least and greatest value outside it ({@link FileCounts#outOfRange}); where the share
 * is above {@code quality.field_issue_warn_share} the field's line says it already. Only a warning: no gate.
 *
 * <p>Counted from the per-file tallies the ingest's write pass gathers as it writes the field issues
 * ({@link FileCounts#fieldIssues}): no Spark job of its own.
 *
 * @param shares every site x table x field x reason with at least one nulled record, in that order
 * @param fileShares the same per input file: every file x field x reason with at least one nulled record, in
 *     site, table, field, reason and file order
 * @param warnShare {@code quality.field_issue_warn_share}
 * @param maxShare {@code quality.max_field_issue_share}, or null when that gate is off
 * @param outOfRangeWarnShare {@code quality.out_of_range_warn_share}
 */
public record FieldIssueShares(List<Share> shares, List<Share> fileShares, double warnShare, Double maxShare,
    double outOfRangeWarnShare) {

  /**
   * The fewest nulled records for a file's own line. A small file (a correction delivery of 3 records) reaches
   * any share with one or two bad values, and it still counts in its site's share; a delivery in a new format
   * is a whole export of a site, many records, so 5 loses none of those.
   */
  static final int MIN_FILE_RECORDS = 5;

  /**
   * The fewest out-of-range records for an out-of-range line: 1% of a site of 200 records is 2, which one or two
   * typos reach; a scale that cuts off a whole answer category leaves many more out of range, at any site that
   * could be pooled.
   */
  static final int MIN_OUT_OF_RANGE_RECORDS = 5;

  /**
   * Records of a site's {@code table} whose {@code field} was nulled for {@code reason}, of its {@code accepted}
   * records there. {@code key}: the mapping key most likely responsible, or null when none is known;
   * {@code file}: the file that sets it (the mapping's or a profile's; the mapping's when no key is known);
   * {@code where}: the same for a message (a profile named with the mapping extending it); {@code hint}: how to
   * change it for this mapping only when a profile sets it, else "". {@code source}: for a file's share the
   * input file (its relative path, as the manifest names it), for a site's null. {@code values}: for
   * OUT_OF_RANGE the least and greatest value nulled (of those that read as numbers), else null; {@code scale}:
   * for OUT_OF_RANGE the source scale the mapping declares for the field, null when none is known.
   */
  public record Share(String site, String table, String field, String reason, long records, long accepted,
      String key, String file, String where, String hint, String source, FileCounts.Extent values,
      FileCounts.Extent scale) {
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
      Double maxShare, double outOfRangeWarnShare) {
    Map<List<String>, Long> accepted = new HashMap<>();
    Map<List<String>, Long> nulled = new TreeMap<>(KEY_ORDER);
    Map<List<String>, FileCounts.Extent> outOfRange = new HashMap<>();
    List<Share> fileShares = new ArrayList<>();
    for (FileCounts f : files) {
      accepted.merge(List.of(f.site(), f.table()), f.accepted(), Long::sum);
      f.outOfRange().forEach((field, values) ->
          outOfRange.merge(List.of(f.site(), f.table(), field), values, FileCounts.Extent::with));
      f.fieldIssues().forEach((field, byReason) -> byReason.forEach((reason, n) -> {
        nulled.merge(List.of(f.site(), f.table(), field, reason), n, Long::sum);
        fileShares.add(share(List.of(f.site(), f.table(), field, reason), n, f.accepted(), f.file(),
            f.outOfRange().get(field), mappingOfSite));
      }));
    }
    List<Share> shares = new ArrayList<>();
    nulled.forEach((k, n) -> shares.add(share(k, n, accepted.getOrDefault(k.subList(0, 2), 0L), null,
        outOfRange.get(k.subList(0, 3)), mappingOfSite)));
    fileShares.sort(Comparator.comparing((Share s) -> List.of(s.site(), s.table(), s.field(), s.reason()), KEY_ORDER)
        .thenComparing(Share::source));
    return new FieldIssueShares(List.copyOf(shares), List.copyOf(fileShares), warnShare, maxShare,
        outOfRangeWarnShare);
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

  /**
   * The share of {@code key} (site, table, field, reason) of a site ({@code source} null) or of one file;
   * {@code outOfRange} the field's values nulled as OUT_OF_RANGE there, or null.
   */
  private static Share share(List<String> key, long records, long accepted, String source,
      FileCounts.Extent outOfRange, Map<String, SiteMapping> mappingOfSite) {
    boolean scaled = key.get(3).equals("OUT_OF_RANGE");
    SiteMapping m = mappingOfSite.get(key.get(0));
    String mappingKey = m == null ? null : keyOf(m, key.get(1), key.get(2), key.get(3));
    String file = m == null ? null : mappingKey == null ? m.file() : m.sources().fileOf(mappingKey);
    String where = m == null ? null : mappingKey == null ? m.file() : m.sources().where(mappingKey);
    String hint = m == null || mappingKey == null ? "" : m.sources().overrideHint(mappingKey);
    return new Share(key.get(0), key.get(1), key.get(2), key.get(3), records, accepted, mappingKey, file, where, hint,
        source, scaled ? outOfRange : null, scaled && m != null ? scaleOf(m, key.get(1), key.get(2)) : null);
  }

  /**
   * The source scale {@code m} declares for {@code field} (a rating's scale, the alliance items', an extra
   * variable's, an outcome score's range), or null when it declares none.
   */
  static FileCounts.Extent scaleOf(SiteMapping m, String table, String field) {
    double[] scale = null;
    if (table.equals("session_ratings") && m.sessions() != null) {
      if (field.equals("alliance")) {
        scale = m.sessions().alliance() == null ? null : m.sessions().alliance().scale();
      } else if (SCALE_OF_FIELD.containsKey(field)) {
        scale = m.sessions().scales().get(field);
      } else {
        scale = m.sessions().extras().stream().filter(e -> e.name().equals(field)).map(SiteMapping.ExtraVariable::scale)
            .findFirst().orElse(null);
      }
    } else if (table.equals("patients") && m.patients() != null) {
      scale = m.patients().outcomes().stream()
          .filter(o -> field.equals(o.measure() + "_baseline") || field.equals(o.measure() + "_termination"))
          .map(SiteMapping.OutcomeSpec::range).findFirst().orElse(null);
    }
    return scale == null ? null : new FileCounts.Extent(scale[0], scale[1]);
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
    return lines(warnShare, true);
  }

  /** The same lines for {@code quality.max_field_issue_share}, without the out-of-range ones; none when off. */
  public List<String> gateFailures() {
    return maxShare == null ? List.of() : lines(maxShare, false);
  }

  /**
   * The sites' OUT_OF_RANGE shares that get an out-of-range line: above {@code quality.out_of_range_warn_share}
   * with at least {@link #MIN_OUT_OF_RANGE_RECORDS} records, and not above {@code quality.field_issue_warn_share}
   * (whose line names the field and the scale's key already).
   */
  public List<Share> outOfRange() {
    return shares.stream().filter(s -> outOfRangeLine(s) && s.share() <= warnShare).toList();
  }

  /**
   * The files' OUT_OF_RANGE shares that get an out-of-range line: as {@link #outOfRange}, of a site whose own
   * share is not above {@code quality.out_of_range_warn_share}, and without a line of their own for the warning
   * threshold ({@link #filesAbove}).
   */
  public List<Share> filesOutOfRange() {
    Set<List<String>> sitesAbove = new HashSet<>();
    shares.stream().filter(s -> s.reason().equals("OUT_OF_RANGE") && s.share() > outOfRangeWarnShare)
        .forEach(s -> sitesAbove.add(List.of(s.site(), s.table(), s.field())));
    List<Share> warned = filesAbove(warnShare);
    return fileShares.stream().filter(f -> outOfRangeLine(f) && !warned.contains(f)
        && !sitesAbove.contains(List.of(f.site(), f.table(), f.field()))).toList();
  }

  private boolean outOfRangeLine(Share s) {
    return s.reason().equals("OUT_OF_RANGE") && s.share() > outOfRangeWarnShare
        && s.records() >= MIN_OUT_OF_RANGE_RECORDS;
  }

  /**
   * Fails (exit 3) when a site's or a file's share is above {@code quality.max_field_issue_share}; the caller
   * then removes what the run wrote, as for the quarantine gate.
   */
  void enforceGate() {
    List<String> failing = gateFailures();
    if (!failing.isEmpty()) {
      throw new DataQualityException("field issue share above quality.max_field_issue_share = "
          + PipelineConfig.plain(maxShare)
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
  private List<String> lines(double limit, boolean withOutOfRange) {
    Map<List<String>, List<Share>> byField = new TreeMap<>(KEY_ORDER);
    above(limit).forEach(s -> byField.computeIfAbsent(List.of(s.site(), s.table(), s.field(), ""),
        k -> new ArrayList<>()).add(s));
    filesAbove(limit).forEach(s -> byField.computeIfAbsent(List.of(s.site(), s.table(), s.field(), s.source()),
        k -> new ArrayList<>()).add(s));
    // sorted by site, table, field and file (a site's own ""), the field's line before its out-of-range line
    List<Map.Entry<List<String>, String>> out = new ArrayList<>();
    byField.forEach((k, group) -> out.add(Map.entry(k, line(group))));
    if (withOutOfRange) {
      outOfRange().forEach(s -> out.add(Map.entry(List.of(s.site(), s.table(), s.field(), ""), outOfRangeLine(s, null))));
      filesOutOfRange().forEach(s -> out.add(Map.entry(List.of(s.site(), s.table(), s.field(), s.source()),
          outOfRangeLine(s, s.source()))));
    }
    out.sort(Map.Entry.comparingByKey(KEY_ORDER));
    return out.stream().map(Map.Entry::getValue).toList();
  }

  /**
   * "site-003: rupture_intensity out of range in 812 of 40120 session_ratings records (2.0%), values 5 to 5
   * above the declared scale [0, 4]; check sessions.scales.rupture_intensity in conf/sites/site-003.yaml";
   * a file's with "records of FILE".
   */
  private static String outOfRangeLine(Share s, String source) {
    StringBuilder b = new StringBuilder(s.site() + ": " + s.field() + " out of range in " + s.records() + " of "
        + s.accepted() + " " + s.table() + " records" + (source == null ? "" : " of " + source)
        + String.format(" (%.1f%%)", 100 * s.share()));
    FileCounts.Extent v = s.values();
    if (v != null) {
      b.append(", values ").append(PipelineConfig.plain(v.min())).append(" to ")
          .append(PipelineConfig.plain(v.max()));
      FileCounts.Extent scale = s.scale();
      if (scale != null) {
        String side = v.min() > scale.max() ? "above" : v.max() < scale.min() ? "below" : "outside";
        b.append(' ').append(side).append(" the declared scale [").append(PipelineConfig.plain(scale.min()))
            .append(", ").append(PipelineConfig.plain(scale.max())).append(']');
      }
    }
    return withChecks(b, List.of(s));
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
