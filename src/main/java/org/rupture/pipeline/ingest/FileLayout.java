package org.rupture.pipeline.ingest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.rupture.pipeline.config.SiteMapping;
import org.rupture.pipeline.config.SiteMapping.Layout;
import org.rupture.pipeline.config.SiteMapping.OutcomeSpec;
import org.rupture.pipeline.config.SiteMapping.SessionsSpec;

/**
 * Where each mapped column sits in one file's header. Built identically on the driver (to check
 * headers before Spark starts) and in the executors (to parse), so both agree on what a column means.
 */
public final class FileLayout {
  /** Staged session fields, in the order of {@link StagedRows#SESSION_FIELDS}. */
  static final List<String> SESSION_FIELDS = List.of("therapist", "session_number", "session_date", "rater",
      "rupture_present", "rupture_intensity", "rupture_resolution", "session_quality");
  static final List<String> PATIENT_FIELDS = List.of("therapist", "treatment", "dropout", "sessions_attended",
      "training_phase");

  final HeaderIndex header;
  final int patientIdx;
  /** Long layout: one index per SESSION_FIELDS entry; wide: per session number, the same. */
  final int[] fieldIdx;
  final int[] sessionNumbers;
  final int[][] wideIdx;
  final int[] allianceIdx;
  final int[][] wideAllianceIdx;
  final int[] extraIdx;
  final int[][] wideExtraIdx;
  /**
   * Wide layout: per session number, the header's own name (trimmed) of each column the session is read
   * from, keyed by the mapping's name of that column ({@code int} -> {@code int_s03}), and the alliance items
   * joined with '+' likewise ({@code w1+w2} -> {@code w1_s03+w2_s03}, the items the session has): field
   * issues name a source column by the mapping's name, and a wide record's is its session's column.
   * Null for other layouts.
   */
  final List<Map<String, String>> wideColumnNames;
  final int[] baselineIdx;
  final int[] terminationIdx;
  final List<Problem> problems = new ArrayList<>();
  /** Whether the parser reads header position i (any mapped column); the others are dropped unread. */
  private final boolean[] read;
  /** Mapped columns the header lacks, plus one for a wide pattern no column matches. */
  private int unfound;

  /**
   * A header problem at a mapping key. {@code keyValue}: whether the fix may be another value for the key
   * (a column name, the pattern); otherwise it is in the export (a column repeated in the header).
   */
  public record Problem(String key, String message, boolean keyValue) {
    @Override
    public String toString() {
      return key + ": " + message;
    }
  }

  private FileLayout(HeaderIndex header, SiteMapping m, SourceFile.Kind kind) {
    this.header = header;
    if (kind == SourceFile.Kind.SESSIONS) {
      SessionsSpec s = m.sessions();
      patientIdx = required(s.columns().get("patient"), "sessions.columns.patient");
      if (s.layout() == Layout.LONG) {
        fieldIdx = indices(SESSION_FIELDS, s.columns(), "sessions.columns.");
        allianceIdx = s.alliance() == null ? new int[0] : requiredAll(s.alliance().items(), "sessions.alliance.items");
        extraIdx = s.extras().stream().mapToInt(e -> required(e.column(), "sessions.extra." + e.name() + ".column")).toArray();
        sessionNumbers = new int[0];
        wideIdx = null;
        wideAllianceIdx = null;
        wideExtraIdx = null;
        wideColumnNames = null;
      } else {
        fieldIdx = null;
        allianceIdx = null;
        extraIdx = null;
        TreeMap<Integer, Map<String, Integer>> bySession = wideColumns(s);
        sessionNumbers = bySession.keySet().stream().mapToInt(Integer::intValue).toArray();
        if (sessionNumbers.length == 0) {
          unfound++;
          problems.add(new Problem("sessions.session_column_pattern", "no column of the header matches '"
              + s.sessionColumnPattern() + "' for the mapped fields " + s.columns().values(), true));
        }
        wideIdx = new int[sessionNumbers.length][];
        wideAllianceIdx = new int[sessionNumbers.length][];
        wideExtraIdx = new int[sessionNumbers.length][];
        List<Map<String, String>> columnNames = new ArrayList<>(sessionNumbers.length);
        for (int k = 0; k < sessionNumbers.length; k++) {
          Map<String, Integer> at = bySession.get(sessionNumbers[k]);
          int[] idx = new int[SESSION_FIELDS.size()];
          for (int f = 0; f < idx.length; f++) {
            String field = SESSION_FIELDS.get(f);
            String base = s.columns().get(field);
            // therapist and rater are per row, not per session
            idx[f] = base == null ? -1
                : field.equals("therapist") || field.equals("rater") ? header.indexOf(base)
                : at.getOrDefault(lower(base), -1);
          }
          wideIdx[k] = idx;
          wideAllianceIdx[k] = s.alliance() == null ? new int[0]
              : s.alliance().items().stream().mapToInt(i -> at.getOrDefault(lower(i), -1)).toArray();
          wideExtraIdx[k] = s.extras().stream().mapToInt(e -> at.getOrDefault(lower(e.column()), -1)).toArray();
          columnNames.add(columnNames(s, idx, wideAllianceIdx[k], wideExtraIdx[k]));
        }
        wideColumnNames = List.copyOf(columnNames);
        for (String rowField : List.of("therapist", "rater")) {
          String col = s.columns().get(rowField);
          if (col != null) {
            required(col, "sessions.columns." + rowField);
          }
        }
      }
      baselineIdx = null;
      terminationIdx = null;
    } else {
      var p = m.patients();
      patientIdx = required(p.columns().get("patient"), "patients.columns.patient");
      fieldIdx = indices(PATIENT_FIELDS, p.columns(), "patients.columns.");
      List<OutcomeSpec> outcomes = p.outcomes();
      baselineIdx = new int[outcomes.size()];
      terminationIdx = new int[outcomes.size()];
      for (int i = 0; i < outcomes.size(); i++) {
        baselineIdx[i] = required(outcomes.get(i).baseline(), "patients.outcomes[" + i + "].baseline");
        terminationIdx[i] = required(outcomes.get(i).termination(), "patients.outcomes[" + i + "].termination");
      }
      sessionNumbers = new int[0];
      wideIdx = null;
      allianceIdx = null;
      wideAllianceIdx = null;
      extraIdx = null;
      wideExtraIdx = null;
      wideColumnNames = null;
    }
    read = new boolean[header.names().size()];
    mark(patientIdx);
    mark(fieldIdx, allianceIdx, extraIdx, baselineIdx, terminationIdx);
    for (int[][] wide : new int[][][] {wideIdx, wideAllianceIdx, wideExtraIdx}) {
      if (wide != null) {
        mark(wide);
      }
    }
  }

  private void mark(int... positions) {
    for (int i : positions) {
      if (i >= 0 && i < read.length) {
        read[i] = true;
      }
    }
  }

  private void mark(int[]... positions) {
    for (int[] p : positions) {
      if (p != null) {
        mark(p);
      }
    }
  }

  /**
   * Whether a badly encoded record's fields (as decoded, a bad byte a U+FFFD) hold a bad byte in a column the
   * parser reads. A field of a column it does not read is dropped unread, its bytes whatever they are; a genuine
   * U+FFFD in a read column of such a line counts as bad (the line cannot tell the two apart).
   */
  boolean readsReplacement(List<String> fields) {
    for (int i = 0; i < read.length && i < fields.size(); i++) {
      if (read[i] && fields.get(i).indexOf('\uFFFD') >= 0) {
        return true;
      }
    }
    return false;
  }

  /** One wide session's {@link #wideColumnNames} entry, from its header positions. */
  private Map<String, String> columnNames(SessionsSpec s, int[] fieldIdx, int[] itemIdx, int[] extraIdx) {
    Map<String, String> names = new LinkedHashMap<>();
    for (int f = 0; f < fieldIdx.length; f++) {
      String field = SESSION_FIELDS.get(f);
      // therapist and rater are per row: their column is the mapping's own
      if (fieldIdx[f] >= 0 && !field.equals("therapist") && !field.equals("rater")) {
        names.putIfAbsent(s.columns().get(field), header.names().get(fieldIdx[f]).trim());
      }
    }
    if (s.alliance() != null) {
      List<String> present = new ArrayList<>();
      for (int i = 0; i < itemIdx.length; i++) {
        if (itemIdx[i] >= 0) {
          String name = header.names().get(itemIdx[i]).trim();
          names.putIfAbsent(s.alliance().items().get(i), name);
          present.add(name);
        }
      }
      if (!present.isEmpty()) {
        names.putIfAbsent(String.join("+", s.alliance().items()), String.join("+", present));
      }
    }
    for (int e = 0; e < extraIdx.length; e++) {
      if (extraIdx[e] >= 0) {
        names.putIfAbsent(s.extras().get(e).column(), header.names().get(extraIdx[e]).trim());
      }
    }
    return names;
  }

  public static FileLayout of(List<String> headerNames, SiteMapping mapping, SourceFile.Kind kind) {
    return new FileLayout(new HeaderIndex(headerNames), mapping, kind);
  }

  /**
   * Mapped columns the header lacks or holds ambiguously (repeated, or two columns for one session of a wide
   * variable), each as "key: message". Empty when the file fits. Repeated columns the mapping does not read
   * are no problem: nothing is read from them.
   */
  public List<String> problems() {
    return problems.stream().map(Problem::toString).toList();
  }

  /** {@link #problems()} with their keys apart, to name the file (mapping or profile) that sets each key. */
  public List<Problem> keyedProblems() {
    return problems;
  }

  /**
   * How many mapped columns the header lacks (a wide pattern that matches no column counts as one): 0 when
   * every one is there. Compares readings of one header, e.g. with another delimiter.
   */
  public int unfoundColumns() {
    return unfound;
  }

  /** Session fields whose values are numbers: the session number and the scaled ratings. */
  private static final List<String> NUMERIC_SESSION_FIELDS = List.of("session_number", "rupture_intensity",
      "rupture_resolution", "session_quality");

  /**
   * The header positions of the mapped columns whose values are numbers, in header order, each with what it is
   * mapped as ({@code session_number}, {@code alliance item}, {@code rupture_intensity, session 3},
   * {@code IIP baseline}). Sessions: the session number, the scaled ratings, the alliance items and the extra
   * variables; patients: sessions attended and the outcome columns. Not the ids and the coded fields (rater,
   * rupture present, treatment, dropout, training phase), whose codes may be words. A column the header lacks
   * is left out; a column mapped twice is named by its first mapping.
   */
  Map<Integer, String> numericColumns(SiteMapping m, SourceFile.Kind kind) {
    Map<Integer, String> out = new TreeMap<>();
    if (kind == SourceFile.Kind.SESSIONS) {
      SessionsSpec s = m.sessions();
      if (s.layout() == Layout.LONG) {
        numeric(out, fieldIdx, allianceIdx, extraIdx, s, "");
      } else {
        for (int k = 0; k < sessionNumbers.length; k++) {
          numeric(out, wideIdx[k], wideAllianceIdx[k], wideExtraIdx[k], s, ", session " + sessionNumbers[k]);
        }
      }
    } else {
      put(out, fieldIdx[PATIENT_FIELDS.indexOf("sessions_attended")], "sessions_attended");
      List<OutcomeSpec> outcomes = m.patients().outcomes();
      for (int i = 0; i < outcomes.size(); i++) {
        put(out, baselineIdx[i], outcomes.get(i).measure() + " baseline");
        put(out, terminationIdx[i], outcomes.get(i).measure() + " termination");
      }
    }
    return out;
  }

  private static void numeric(Map<Integer, String> out, int[] fields, int[] items, int[] extras, SessionsSpec s,
      String session) {
    for (String field : NUMERIC_SESSION_FIELDS) {
      put(out, fields[SESSION_FIELDS.indexOf(field)], field + session);
    }
    for (int item : items) {
      put(out, item, "alliance item" + session);
    }
    for (int e = 0; e < extras.length; e++) {
      put(out, extras[e], s.extras().get(e).name() + session);
    }
  }

  private static void put(Map<Integer, String> out, int idx, String what) {
    if (idx >= 0) {
      out.putIfAbsent(idx, what);
    }
  }

  private int[] indices(List<String> fields, Map<String, String> columns, String keyPrefix) {
    int[] idx = new int[fields.size()];
    for (int i = 0; i < idx.length; i++) {
      String col = columns.get(fields.get(i));
      idx[i] = col == null ? -1 : required(col, keyPrefix + fields.get(i));
    }
    return idx;
  }

  private int[] requiredAll(List<String> cols, String key) {
    return cols.stream().mapToInt(c -> required(c, key)).toArray();
  }

  private int required(String column, String key) {
    int i = header.indexOf(column);
    if (i < 0) {
      unfound++;
      String hint = org.rupture.pipeline.config.ConfigNode.nearest(column, header.names());
      problems.add(new Problem(key, "column '" + column + "' is not in the header"
          + (hint == null ? "" : "; did you mean '" + hint + "'?"), true));
    }
    List<Integer> copies = header.positionsOf(column);
    if (copies.size() > 1) {
      // indexOf would read the first copy and the others' values would be dropped without a word
      problems.add(new Problem(key, "column '" + column + "' is in the header " + copies.size() + " times (positions "
          + positions(copies) + "), so which one to read is ambiguous; remove or rename the extra column in the export",
          false));
    }
    return i;
  }

  /** "4 and 6", or "3 'IIP1' and 4 'iip1'" when the copies are spelt differently. */
  private String positions(List<Integer> copies) {
    boolean sameSpelling = copies.stream().map(c -> header.names().get(c)).distinct().count() == 1;
    List<String> each = copies.stream()
        .map(c -> (c + 1) + (sameSpelling ? "" : " '" + header.names().get(c) + "'")).toList();
    return String.join(", ", each.subList(0, each.size() - 1)) + " and " + each.get(each.size() - 1);
  }

  /**
   * Wide layout: per session number, the header position of each session-numbered variable (keyed by its
   * base name in lower case), read from the header's own names. A name rebuilt from the number would miss
   * {@code _s01} or {@code _S1} and silently lose those sessions, and a session's alliance items or extra
   * variables count as much as its ratings. Two columns that would feed one value are reported, not chosen
   * between.
   */
  private TreeMap<Integer, Map<String, Integer>> wideColumns(SessionsSpec s) {
    // base (lower case) -> the first mapping key that names it and its spelling there, for messages
    Map<String, String[]> named = new LinkedHashMap<>();
    for (String f : SESSION_FIELDS) {
      String base = s.columns().get(f);
      if (!f.equals("therapist") && !f.equals("rater") && base != null) {
        named.putIfAbsent(lower(base), new String[] {"sessions.columns." + f, base});
      }
    }
    if (s.alliance() != null) {
      s.alliance().items().forEach(i -> named.putIfAbsent(lower(i), new String[] {"sessions.alliance.items", i}));
    }
    s.extras().forEach(e -> named.putIfAbsent(lower(e.column()),
        new String[] {"sessions.extra." + e.name() + ".column", e.column()}));
    Map<String, Pattern> patterns = new LinkedHashMap<>();
    named.forEach((base, keyAndName) -> patterns.put(base, s.sessionColumnRegex(keyAndName[1].trim())));

    TreeMap<Integer, Map<String, Integer>> found = new TreeMap<>();
    List<String> names = header.names();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i).trim();
      String claimedBy = null;
      int claimedSession = 0;
      for (Map.Entry<String, Pattern> e : patterns.entrySet()) {
        Matcher mm = e.getValue().matcher(name);
        if (!mm.matches()) {
          continue;
        }
        String base = e.getKey();
        int session;
        try {
          session = Integer.parseInt(mm.group(1));
        } catch (NumberFormatException tooLong) {
          problems.add(new Problem(named.get(base)[0], "column '" + name + "' (position " + (i + 1)
              + ") has session number " + mm.group(1) + ", too large to be one", false));
          continue;
        }
        if (claimedBy != null) {
          problems.add(new Problem("sessions.session_column_pattern", "column '" + name + "' (position " + (i + 1)
              + ") reads as session " + claimedSession + " of '" + named.get(claimedBy)[1] + "' and as session "
              + session + " of '" + named.get(base)[1] + "' under '" + s.sessionColumnPattern()
              + "'; put a separator between {field} and {session} in the pattern, or rename the column", true));
          continue;
        }
        claimedBy = base;
        claimedSession = session;
        Integer before = found.computeIfAbsent(session, n -> new HashMap<>()).putIfAbsent(base, i);
        if (before != null) {
          problems.add(new Problem(named.get(base)[0], "columns '" + names.get(before).trim() + "' (position "
              + (before + 1) + ") and '" + name + "' (position " + (i + 1) + ") are both session " + session + " of '"
              + named.get(base)[1] + "' under session_column_pattern '" + s.sessionColumnPattern()
              + "'; remove or rename one of them", false));
        }
      }
    }
    return found;
  }

  private static String lower(String column) {
    return column.trim().toLowerCase(Locale.ROOT);
  }
}
