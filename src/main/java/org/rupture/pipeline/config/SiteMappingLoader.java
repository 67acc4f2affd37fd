package org.rupture.pipeline.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.catalyst.util.Iso8601TimestampFormatter;
import org.apache.spark.sql.catalyst.util.LegacyDateFormats;
import org.apache.spark.sql.catalyst.util.TimestampFormatter;
import org.rupture.pipeline.config.SiteMapping.AllianceSpec;
import org.rupture.pipeline.config.SiteMapping.Dialect;
import org.rupture.pipeline.config.SiteMapping.ExtraVariable;
import org.rupture.pipeline.config.SiteMapping.Layout;
import org.rupture.pipeline.config.SiteMapping.OutcomeSpec;
import org.rupture.pipeline.config.SiteMapping.PatientsSpec;
import org.rupture.pipeline.config.SiteMapping.SessionsSpec;

/**
 * Loads every {@code *.yaml} directly under the sites folder as a {@link SiteMapping}, resolving
 * {@code extends} profiles (paths relative to the sites folder) and validating every key before
 * Spark starts. Schema: {@code docs/site-mapping.md}.
 */
public final class SiteMappingLoader {
  static final Set<String> TOP_KEYS = Set.of("site", "sites", "site_pattern", "extends", "dialect",
      "missing_codes", "drop_columns", "sessions", "patients", "description");
  static final Set<String> DIALECT_KEYS = Set.of("delimiter", "quote", "encoding", "decimal",
      "extra_header_lines", "date_formats");
  static final Set<String> SESSION_KEYS = Set.of("files", "layout", "session_column_pattern", "columns",
      "rater_value", "rater_codes", "yes_no", "scales", "alliance", "extra");
  static final Set<String> SESSION_FIELDS = Set.of("patient", "therapist", "rater", "session_number",
      "session_date", "rupture_present", "rupture_intensity", "rupture_resolution", "session_quality");
  static final Set<String> SCALED_FIELDS = Set.of("rupture_intensity", "rupture_resolution", "session_quality");
  static final Set<String> ALLIANCE_KEYS = Set.of("items", "scale", "reverse", "min_items");
  static final Set<String> PATIENT_KEYS = Set.of("files", "columns", "treatment_codes", "dropout_codes",
      "training_phase_codes", "outcomes");
  static final Set<String> PATIENT_FIELDS = Set.of("patient", "therapist", "treatment", "dropout",
      "sessions_attended", "training_phase");
  static final Set<String> OUTCOME_KEYS = Set.of("measure", "baseline", "termination", "direction", "range");
  static final Set<String> RATERS = Set.of("patient", "therapist", "observer");

  private SiteMappingLoader() {}

  /** All mappings under {@code sitesDir}; fails when none exist or two claim the same literal site. */
  public static List<SiteMapping> loadAll(Path sitesDir) {
    return loadAll(sitesDir, null);
  }

  /**
   * All mappings under {@code sitesDir}, the folder the pipeline config's {@code sites} names; a folder that does
   * not exist or holds no mapping is reported at that key of the config (the folder itself when {@code sites} is
   * null).
   */
  public static List<SiteMapping> loadAll(Path sitesDir, PathSetting sites) {
    if (!Files.isDirectory(sitesDir)) {
      boolean relative = sites != null && !Path.of(sites.value()).isAbsolute();
      throw sitesError(sites, "the site mappings folder " + sitesDir + " does not exist"
          + (relative ? " ('" + sites.value() + "' is resolved against the config file's folder)" : ""));
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(sitesDir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".yaml") || p.getFileName().toString().endsWith(".yml"))
          .filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw sitesError(sites, "cannot list the site mappings in " + sitesDir + ": " + e.getMessage());
    }
    if (files.isEmpty()) {
      throw sitesError(sites, "no site mappings (*.yaml) found in " + sitesDir);
    }
    List<SiteMapping> out = new ArrayList<>();
    Map<String, String> literalClaims = new LinkedHashMap<>();
    for (Path f : files) {
      SiteMapping m = load(sitesDir, f);
      for (String s : m.sites()) {
        String other = literalClaims.putIfAbsent(s, m.file());
        if (other != null) {
          throw m.sources().error("sites",
              "site '" + s + "' is also claimed by " + other + "; each site folder must have exactly one mapping");
        }
      }
      out.add(m);
    }
    return out;
  }

  private static ConfigException sitesError(PathSetting sites, String problem) {
    return sites == null ? new ConfigException(null, null, problem)
        : sites.error(problem, "the folder holding <site>.yaml files");
  }

  public static SiteMapping load(Path sitesDir, Path file) {
    KeySources sources = new KeySources(file.toString());
    JsonNode resolved = resolveExtends(sitesDir, file, new LinkedHashSet<>(), List.of(), sources);
    return parse(resolved, file.toString(), idOf(file), sources);
  }

  private static String idOf(Path file) {
    String n = file.getFileName().toString();
    return n.substring(0, n.lastIndexOf('.'));
  }

  /**
   * The content of {@code file} merged over the profiles it extends, recording where each key comes from.
   * {@code chain}: the files that extend this one, from the mapping down.
   */
  private static JsonNode resolveExtends(Path sitesDir, Path file, Set<Path> seen, List<String> chain,
      KeySources sources) {
    Path norm = file.toAbsolutePath().normalize();
    if (!seen.add(norm)) {
      throw new ConfigException(file.toString(), "extends", "profiles extend each other in a cycle: " + seen);
    }
    JsonNode node = Yaml.read(file);
    if (!node.isObject()) {
      throw new ConfigException(file.toString(), null, "expected a map of keys at the top level");
    }
    JsonNode ext = node.get("extends");
    if (ext == null || ext.isNull()) {
      sources.record(file.toString(), chain, node);
      return node;
    }
    if (!ext.isTextual()) {
      throw new ConfigException(file.toString(), "extends", "expected one profile path, e.g. profiles/survey-psq.yaml");
    }
    Path profile = sitesDir.resolve(ext.asText());
    if (!Files.isRegularFile(profile)) {
      throw new ConfigException(file.toString(), "extends",
          "profile '" + ext.asText() + "' not found (looked for " + profile + "); paths are relative to " + sitesDir);
    }
    List<String> profileChain = new ArrayList<>(chain);
    profileChain.add(file.toString());
    JsonNode base = resolveExtends(sitesDir, profile, seen, List.copyOf(profileChain), sources);
    sources.record(file.toString(), chain, node);    // after the profile's keys: this file's override them
    ObjectNode merged = (ObjectNode) Yaml.merge(base, node);
    merged.remove("extends");
    return merged;
  }

  /** {@code sources}: the file that holds each key (the mapping or one of its profiles), for errors. */
  static SiteMapping parse(JsonNode tree, String file, String id, KeySources sources) {
    ConfigNode root = new ConfigNode(tree, file, "", sources::error).allowOnly(TOP_KEYS);
    List<String> sites = new ArrayList<>(root.stringList("sites"));
    if (root.has("site")) {
      sites.add(root.string("site", null));
    }
    String pattern = root.string("site_pattern", null);
    if (sites.isEmpty() && pattern == null) {
      throw root.error("sites", "the mapping claims no site folder; add 'site: <folder>', 'sites: [..]' or 'site_pattern: \"clinic-*\"'");
    }
    Dialect dialect = parseDialect(root.child("dialect"));
    List<String> missing = root.has("missing_codes") ? root.stringList("missing_codes") : List.of("", "NA");
    List<String> drop = root.stringList("drop_columns");
    SessionsSpec sessions = root.has("sessions") ? parseSessions(root.child("sessions"), drop) : null;
    PatientsSpec patients = root.has("patients") ? parsePatients(root.child("patients"), drop) : null;
    if (sessions == null && patients == null) {
      throw root.error("sessions", "the mapping describes neither 'sessions' nor 'patients' files");
    }
    return new SiteMapping(id, file, List.copyOf(sites), pattern, dialect, List.copyOf(missing),
        List.copyOf(drop), sessions, patients, sources);
  }

  private static Dialect parseDialect(ConfigNode d) {
    d.allowOnly(DIALECT_KEYS);
    char delimiter = singleChar(d, "delimiter", ",");
    char quote = singleChar(d, "quote", "\"");
    String encoding = d.string("encoding", "UTF-8");
    if (!Charset.isSupported(encoding)) {
      throw d.error("encoding", "unknown encoding '" + encoding + "'; use UTF-8, windows-1252 or ISO-8859-1");
    }
    String decimal = d.string("decimal", ".");
    if (!decimal.equals(".") && !decimal.equals(",")) {
      throw d.error("decimal", "expected \".\" or \",\", found '" + decimal + "'");
    }
    if (decimal.charAt(0) == delimiter) {
      throw d.error("decimal", "the decimal mark equals the delimiter '" + delimiter + "'; a decimal-comma export uses delimiter \";\"");
    }
    int extra = d.integer("extra_header_lines", 0, 0, 20);
    List<String> formats = d.has("date_formats") ? d.stringList("date_formats") : List.of(DEFAULT_DATE_FORMAT);
    if (formats.isEmpty()) {
      throw d.error("date_formats", "is empty, so no date could be read (every session_date would be nulled as "
          + "BAD_DATE); list at least one format, e.g. [yyyy-MM-dd] or [dd.MM.yyyy], or remove the key for the "
          + "default [" + DEFAULT_DATE_FORMAT + "]");
    }
    for (int i = 0; i < formats.size(); i++) {
      String problem = datePatternProblem(formats.get(i));
      if (problem == null) {
        problem = dateFieldProblem(formats.get(i));
      }
      if (problem != null) {
        throw d.error("date_formats[" + i + "]", "'" + formats.get(i) + "' " + problem);
      }
    }
    return new Dialect(delimiter, quote, encoding, decimal.charAt(0), extra, List.copyOf(formats));
  }

  /** The date format of a dialect without {@code date_formats}. */
  static final String DEFAULT_DATE_FORMAT = "yyyy-MM-dd";

  /** Spark's guide to its datetime pattern letters, which differ from java.time's. */
  static final String SPARK_PATTERN_GUIDE = "https://spark.apache.org/docs/latest/sql-ref-datetime-pattern.html";

  /**
   * Why Spark cannot parse dates with {@code pattern}, with the fix, or null when it can.
   *
   * <p>Ingest reads dates with {@code try_to_timestamp(raw, pattern)} (SessionRules.parseDate), whose
   * formatter Spark builds and validates when it plans the query: a pattern it refuses fails the whole
   * ingest (exit 1), after Spark started. Spark's rules are not java.time's: it refuses week-based
   * letters (Y, w, W, u, e, c), letters it can format but not parse (q, Q, ...) and five-letter text
   * fields (MMMMM), all of which {@code DateTimeFormatter.ofPattern} accepts. So this asks Spark's own
   * formatter, built as that expression builds it (TimestampFormatterHelper.getFormatter: the
   * SIMPLE_DATE_FORMAT legacy format, isParsing = true, not TIMESTAMP_NTZ), and validates the pattern as
   * Spark's factory does ({@code validatePatternString(checkLegacy = true)}).
   *
   * <p>Why not that factory, {@code TimestampFormatter.apply}: it first reads the SQL settings for
   * spark.sql.legacy.timeParserPolicy, and outside a SparkSession that initialises Spark's whole SQLConf
   * (seconds, for a validate-config that runs without Spark), only to pick Iso8601TimestampFormatter for
   * every policy but LEGACY. The job never sets LEGACY (Spark 4's default is CORRECTED), so this builds
   * that formatter directly. A user who set LEGACY in the config's `spark:` section would get
   * SimpleDateFormat at run time, which accepts more; the check stays the stricter, documented one.
   */
  static String datePatternProblem(String pattern) {
    try {
      new Iso8601TimestampFormatter(pattern, ZoneOffset.UTC, TimestampFormatter.defaultLocale(),
          LegacyDateFormats.SIMPLE_DATE_FORMAT(), true).validatePatternString(true);
      return null;
    } catch (RuntimeException e) {
      // Spark wraps the reason (a SparkThrowable, or java.time's IllegalArgumentException) in an
      // upgrade notice when SimpleDateFormat would have accepted the pattern: the innermost cause is why.
      Throwable reason = e;
      while (reason.getCause() != null && reason.getCause() != reason) {
        reason = reason.getCause();
      }
      String condition = reason instanceof SparkThrowable st ? st.getCondition() : null;
      Map<String, String> params = reason instanceof SparkThrowable st ? st.getMessageParameters() : Map.of();
      String fix;
      if ("INCONSISTENT_BEHAVIOR_CROSS_VERSION.DATETIME_WEEK_BASED_PATTERN".equals(condition)) {
        fix = switch (params.getOrDefault("c", "?")) {
          case "Y" -> "use yyyy for the year; Y is the week-based year and Spark does not parse it";
          case "u" -> "use yyyy for the year; Spark treats u as a week-based field and does not parse it";
          case "w", "W" -> "Spark does not parse week numbers (w, W); a date needs yyyy, MM and dd";
          default -> "Spark does not parse the week-based day of the week '" + params.get("c")
              + "'; use E for a day name (Mon) or remove it";
        };
      } else if ("INVALID_DATETIME_PATTERN.ILLEGAL_CHARACTER".equals(condition)) {
        fix = "Spark cannot parse with the letter '" + params.get("c") + "'; remove it, or put literal text in"
            + " single quotes (e.g. 'T'); the letters Spark parses are listed at " + SPARK_PATTERN_GUIDE;
      } else if ("INVALID_DATETIME_PATTERN.LENGTH".equals(condition)) {
        String letters = params.getOrDefault("pattern", "");
        fix = "'" + letters + "' has too many letters for Spark; use at most four"
            + (letters.isEmpty() ? "" : " (e.g. '" + letters.substring(0, Math.min(4, letters.length())) + "')");
      } else {
        String why = reason.getMessage() == null ? reason.getClass().getSimpleName() : reason.getMessage();
        fix = why.strip().replaceAll("\\s*\\R\\s*", " ") + "; see " + SPARK_PATTERN_GUIDE
            + " (e.g. yyyy-MM-dd, dd.MM.yyyy)";
      }
      return "is not a date pattern Spark can parse: " + fix;
    }
  }

  /**
   * Why a pattern Spark accepts would still read wrong dates, with the fix, or null when it reads them right.
   *
   * <p>Spark reads each letter as what it is and fills a date field the pattern lacks with its default (year
   * 1970, month and day 1), without an error: {@code dd.mm.yyyy} reads the middle number as minutes, so every
   * date falls in January, and {@code DD.MM.yyyy} reads the day of the year. Ingest only keeps the day, so a
   * pattern must name the day: a year ({@code y}) with a month ({@code M}, {@code L}) and a day of the month
   * ({@code d}), or a year with a day of the year ({@code D}) alone; minutes or seconds come with an hour.
   * Week-based letters ({@code YYYY}, {@code ww}) Spark refuses itself ({@link #datePatternProblem}).
   */
  static String dateFieldProblem(String pattern) {
    Map<Character, String> runs = letterRuns(pattern);
    boolean year = runs.containsKey('y');
    boolean month = runs.containsKey('M') || runs.containsKey('L');
    boolean day = runs.containsKey('d');
    boolean hour = runs.containsKey('H') || runs.containsKey('h') || runs.containsKey('k') || runs.containsKey('K');
    String minutes = runs.get('m');
    if (minutes != null && !hour && !month) {
      String mm = "M".repeat(minutes.length());
      return "reads " + minutes + " as minutes (months are " + mm + "), so every date would fall in January; write "
          + replaceRun(pattern, minutes, mm);
    }
    String dayOfYear = runs.get('D');
    if (dayOfYear != null && (month || day)) {
      String dd = "d".repeat(Math.min(2, dayOfYear.length()));
      return "reads " + dayOfYear + " as the day of the year (days of the month are " + dd + "), so the dates would be "
          + "wrong or missing; " + (day ? "remove " + dayOfYear : "write " + replaceRun(pattern, dayOfYear, dd));
    }
    for (char c : new char[] {'m', 's', 'S'}) {
      if (runs.containsKey(c) && !hour) {
        return "has " + runs.get(c) + " (" + (c == 'm' ? "minutes" : c == 's' ? "seconds" : "fractions of a second")
            + ") but no hour, so it forms no time; for a date with a time add HH (e.g. yyyy-MM-dd HH:mm:ss), for a "
            + "date alone remove " + runs.get(c);
      }
    }
    if (!year) {
      return "has no year (yyyy), so every date would fall in 1970; add yyyy (e.g. dd.MM.yyyy), or yy for two digits";
    }
    if (dayOfYear == null && !month) {
      return "has no month (MM), so every date would fall in January; add MM (e.g. dd.MM.yyyy)";
    }
    if (dayOfYear == null && !day) {
      return "has no day of the month (dd), so every date would be the 1st; add dd (e.g. dd.MM.yyyy)";
    }
    return null;
  }

  /** The first run of each pattern letter, outside quoted literals ('T', '' for a quote). */
  private static Map<Character, String> letterRuns(String pattern) {
    Map<Character, String> runs = new LinkedHashMap<>();
    int i = 0;
    while (i < pattern.length()) {
      char c = pattern.charAt(i);
      if (c == '\'') {
        int close = pattern.indexOf('\'', i + 1);
        i = close < 0 ? pattern.length() : close + 1;   // '' is an empty literal: a quote, no letters
        continue;
      }
      int j = i + 1;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        while (j < pattern.length() && pattern.charAt(j) == c) {
          j++;
        }
        runs.putIfAbsent(c, pattern.substring(i, j));
      }
      i = j;
    }
    return runs;
  }

  /** {@code pattern} with its first unquoted {@code run} replaced by {@code by}. */
  private static String replaceRun(String pattern, String run, String by) {
    boolean quoted = false;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
      } else if (!quoted && pattern.startsWith(run, i) && (i == 0 || pattern.charAt(i - 1) != c)) {
        return pattern.substring(0, i) + by + pattern.substring(i + run.length());
      }
    }
    return pattern;
  }

  private static char singleChar(ConfigNode d, String key, String def) {
    String v = d.string(key, def);
    if ("\\t".equals(v)) {
      return '\t';
    }
    if (v.length() != 1) {
      throw d.error(key, "expected exactly one character, found '" + v + "'");
    }
    return v.charAt(0);
  }

  private static SessionsSpec parseSessions(ConfigNode s, List<String> drop) {
    s.allowOnly(SESSION_KEYS);
    String files = s.requiredString("files", "give a glob for the session rating files, e.g. files: \"psq_*.csv\"");
    String layoutName = s.string("layout", "long");
    Layout layout;
    try {
      layout = Layout.valueOf(layoutName.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw s.error("layout", "expected 'long' or 'wide', found '" + layoutName + "'");
    }
    String pattern = s.string("session_column_pattern", null);
    if (layout == Layout.WIDE) {
      // each exactly once: the header's names are matched against the pattern with {session} as the one
      // group of digits, and a second {session} (or {field}) would be taken literally, so nothing matched
      if (pattern == null || occurrences(pattern, "{field}") != 1 || occurrences(pattern, "{session}") != 1) {
        throw s.error("session_column_pattern", "a wide layout needs a pattern with {field} and {session} once "
            + "each, e.g. \"{field}_s{session}\"" + (pattern == null ? "" : ", found '" + pattern + "'"));
      }
    }
    ConfigNode cols = s.child("columns").allowOnly(SESSION_FIELDS);
    Map<String, String> columns = new LinkedHashMap<>();
    for (String k : cols.keys()) {
      columns.put(k, cols.string(k, null));
    }
    require(cols, columns, "patient", "the column holding the patient id");
    require(cols, columns, "rupture_present", "the column holding rupture presence (yes/no)");
    if (layout == Layout.LONG) {
      require(cols, columns, "session_number", "the column holding the session number (long layout)");
    } else if (columns.containsKey("session_number")) {
      throw cols.error("session_number", "a wide layout takes session numbers from column names; remove this key");
    }
    String raterValue = s.string("rater_value", null);
    if (raterValue != null && !RATERS.contains(raterValue)) {
      throw s.error("rater_value", "expected one of " + RATERS + ", found '" + raterValue + "'");
    }
    if (raterValue == null) {
      require(cols, columns, "rater", "the rater column, or set 'rater_value' when every row has one rater");
    }
    Map<String, String> raterCodes = s.has("rater_codes") ? s.stringMap("rater_codes")
        : Map.of("patient", "patient", "therapist", "therapist", "observer", "observer");
    if (raterValue == null && raterCodes.isEmpty()) {
      throw s.error("rater_codes", "is empty, so no rater could be read (every row would be quarantined as "
          + "UNKNOWN_RATER); map the codes of column '" + columns.get("rater") + "', e.g. {P: patient, T: therapist}, "
          + "or remove the key for the default (patient, therapist and observer as written)");
    }
    raterCodes.forEach((code, rater) -> {
      if (!RATERS.contains(rater)) {
        throw s.error("rater_codes." + code, "maps to '" + rater + "'; raters are " + RATERS);
      }
    });
    Map<String, List<String>> yesNo = yesNoMap(s, "yes_no", "yes", "no");
    // every session rating is a yes or a no: an export without a code for one cannot hold its ratings
    for (String answer : List.of("yes", "no")) {
      if (yesNo.get(answer).isEmpty()) {
        throw s.error("yes_no." + answer, "no code for '" + answer + "', so every rupture_present answered '"
            + answer + "' would be nulled as UNKNOWN_CODE; list the codes of column '" + columns.get("rupture_present")
            + "' for it, e.g. " + answer + ": [\"" + (answer.equals("yes") ? "1" : "0") + "\"], or remove yes_no for "
            + "the default (yes: yes, 1, true; no: no, 0, false)");
      }
    }
    Map<String, double[]> scales = new LinkedHashMap<>();
    ConfigNode sc = s.child("scales").allowOnly(SCALED_FIELDS);
    for (String f : SCALED_FIELDS) {
      scales.put(f, sc.range(f, new double[] {1, 5}));
    }
    AllianceSpec alliance = null;
    if (s.has("alliance")) {
      ConfigNode a = s.child("alliance").allowOnly(ALLIANCE_KEYS);
      List<String> items = a.stringList("items");
      if (items.isEmpty()) {
        throw a.error("items", "list the alliance item columns, e.g. [wai1, wai2, ...]");
      }
      List<String> reverse = a.stringList("reverse");
      for (String r : reverse) {
        if (!items.contains(r)) {
          throw a.error("reverse", "'" + r + "' is not one of the alliance items " + items);
        }
      }
      alliance = new AllianceSpec(List.copyOf(items), a.range("scale", new double[] {1, 7}),
          List.copyOf(reverse), a.integer("min_items", (items.size() + 1) / 2, 1, items.size()));
    }
    List<ExtraVariable> extras = new ArrayList<>();
    ConfigNode ex = s.child("extra");
    for (String name : ex.keys()) {
      ConfigNode v = ex.child(name).allowOnly(Set.of("column", "scale", "target"));
      if (!name.matches("[a-z][a-z0-9_]*")) {
        throw ex.error(name, "extra variable names are lower_snake_case (they become column names)");
      }
      if (SESSION_FIELDS.contains(name) || name.equals("alliance")) {
        throw ex.error(name, "clashes with a canonical field name");
      }
      double[] scale = v.range("scale", null);
      if (scale == null) {
        throw v.error("scale", "give the source range, e.g. scale: [0, 4]");
      }
      extras.add(new ExtraVariable(name, v.requiredString("column", "the source column"), scale,
          v.range("target", scale)));
    }
    for (String c : columns.values()) {
      if (drop.contains(c)) {
        throw cols.error("", "column '" + c + "' is both mapped and listed in drop_columns");
      }
    }
    return new SessionsSpec(files, layout, pattern, Map.copyOf(columns), raterValue, Map.copyOf(raterCodes),
        yesNo, Map.copyOf(scales), alliance, List.copyOf(extras));
  }

  private static PatientsSpec parsePatients(ConfigNode p, List<String> drop) {
    p.allowOnly(PATIENT_KEYS);
    String files = p.requiredString("files", "give a glob for the patient files, e.g. files: \"patients_*.csv\"");
    ConfigNode cols = p.child("columns").allowOnly(PATIENT_FIELDS);
    Map<String, String> columns = new LinkedHashMap<>();
    for (String k : cols.keys()) {
      columns.put(k, cols.string(k, null));
    }
    require(cols, columns, "patient", "the column holding the patient id");
    Map<String, String> treatments = p.stringMap("treatment_codes");
    if (treatments.isEmpty() && columns.get("treatment") != null) {
      throw p.error("treatment_codes", (p.has("treatment_codes") ? "is empty" : "missing") + ", so no treatment "
          + "could be read (every one would be nulled as UNKNOWN_CODE); map each code of column '"
          + columns.get("treatment") + "' to its treatment, e.g. {\"1\": CBT, \"2\": BRT} or {CBT: CBT, BRT: BRT}, or "
          + "remove columns.treatment");
    }
    Map<String, List<String>> dropout = yesNoMap(p, "dropout_codes", "yes", "no");
    requireSomeCode(p, "dropout_codes", dropout, "dropout", "{\"yes\": [\"1\"], \"no\": [\"0\"]}",
        "yes: yes, 1, true; no: no, 0, false");
    Map<String, List<String>> phase = yesNoMap(p, "training_phase_codes", "pre", "post");
    requireSomeCode(p, "training_phase_codes", phase, "training_phase", "{pre: [vor], post: [nach]}",
        "pre: pre, 1, true; post: post, 0, false");
    List<OutcomeSpec> outcomes = new ArrayList<>();
    Set<String> measures = new HashSet<>();
    for (ConfigNode o : p.list("outcomes")) {
      o.allowOnly(OUTCOME_KEYS);
      String measure = o.requiredString("measure", "the canonical measure name, e.g. IIP");
      if (!measures.add(measure)) {
        throw o.error("measure", "measure '" + measure + "' is listed twice");
      }
      String direction = o.requiredString("direction", "lower_is_better or higher_is_better");
      if (!direction.equals("lower_is_better") && !direction.equals("higher_is_better")) {
        throw o.error("direction", "expected lower_is_better or higher_is_better, found '" + direction + "'");
      }
      outcomes.add(new OutcomeSpec(measure,
          o.requiredString("baseline", "the baseline score column"),
          o.requiredString("termination", "the termination score column"),
          direction, o.range("range", null)));
    }
    for (String c : columns.values()) {
      if (drop.contains(c)) {
        throw cols.error("", "column '" + c + "' is both mapped and listed in drop_columns");
      }
    }
    return new PatientsSpec(files, Map.copyOf(columns), Map.copyOf(treatments), dropout, phase, List.copyOf(outcomes));
  }

  /**
   * A patient code map must list some code: with none, every value of its column would be nulled. One side
   * may be empty: an export may flag only dropouts (others blank, i.e. missing), and a site may have no
   * patient after its therapists' training yet.
   */
  private static void requireSomeCode(ConfigNode parent, String key, Map<String, List<String>> codes, String field,
      String example, String defaults) {
    if (parent.has(key) && codes.values().stream().allMatch(List::isEmpty)) {
      throw parent.error(key, "lists no code, so every " + field + " would be nulled as UNKNOWN_CODE; list the "
          + "codes, e.g. " + example + ", or remove the key for the default (" + defaults + ")");
    }
  }

  /** A two-way code map such as {@code yes: [1, y], no: [0, n]}; codes match case-insensitively. */
  private static Map<String, List<String>> yesNoMap(ConfigNode parent, String key, String a, String b) {
    if (!parent.has(key)) {
      return Map.of(a, List.of(a, "1", "true"), b, List.of(b, "0", "false"));
    }
    ConfigNode n = parent.child(key).allowOnly(Set.of(a, b));
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put(a, n.stringList(a));
    m.put(b, n.stringList(b));
    Set<String> seen = new HashSet<>();
    for (Map.Entry<String, List<String>> e : m.entrySet()) {
      for (String code : e.getValue()) {
        if (!seen.add(code.toLowerCase(Locale.ROOT))) {
          throw n.error(e.getKey(), "code '" + code + "' appears under both '" + a + "' and '" + b + "'");
        }
      }
    }
    return Map.copyOf(m);
  }

  private static void require(ConfigNode cols, Map<String, String> columns, String field, String what) {
    if (columns.get(field) == null || columns.get(field).isEmpty()) {
      throw cols.error(field, "missing; map " + what);
    }
  }

  private static int occurrences(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
      n++;
    }
    return n;
  }
}
