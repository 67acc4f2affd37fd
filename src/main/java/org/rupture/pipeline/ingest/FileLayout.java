package org.rupture.pipeline.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
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
  final int[] baselineIdx;
  final int[] terminationIdx;
  final List<String> problems = new ArrayList<>();

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
      } else {
        fieldIdx = null;
        allianceIdx = null;
        extraIdx = null;
        sessionNumbers = wideSessions(s);
        if (sessionNumbers.length == 0) {
          problems.add("sessions.session_column_pattern: no column of the header matches '"
              + s.sessionColumnPattern() + "' for the mapped fields " + s.columns().values());
        }
        wideIdx = new int[sessionNumbers.length][];
        wideAllianceIdx = new int[sessionNumbers.length][];
        wideExtraIdx = new int[sessionNumbers.length][];
        for (int k = 0; k < sessionNumbers.length; k++) {
          int session = sessionNumbers[k];
          int[] idx = new int[SESSION_FIELDS.size()];
          for (int f = 0; f < idx.length; f++) {
            String field = SESSION_FIELDS.get(f);
            String base = s.columns().get(field);
            // therapist and rater are per row, not per session
            idx[f] = base == null ? -1
                : field.equals("therapist") || field.equals("rater") ? header.indexOf(base)
                : header.indexOf(s.sessionColumn(base, session));
          }
          wideIdx[k] = idx;
          wideAllianceIdx[k] = s.alliance() == null ? new int[0]
              : s.alliance().items().stream().mapToInt(i -> header.indexOf(s.sessionColumn(i, session))).toArray();
          wideExtraIdx[k] = s.extras().stream().mapToInt(e -> header.indexOf(s.sessionColumn(e.column(), session))).toArray();
        }
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
    }
  }

  public static FileLayout of(List<String> headerNames, SiteMapping mapping, SourceFile.Kind kind) {
    return new FileLayout(new HeaderIndex(headerNames), mapping, kind);
  }

  /** Mapped columns missing from the header, each as "key: message". Empty when the file fits. */
  public List<String> problems() {
    return problems;
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
      String hint = org.rupture.pipeline.config.ConfigNode.nearest(column, header.names());
      problems.add(key + ": column '" + column + "' is not in the header"
          + (hint == null ? "" : "; did you mean '" + hint + "'?"));
    }
    return i;
  }

  private int[] wideSessions(SessionsSpec s) {
    TreeSet<Integer> found = new TreeSet<>();
    List<String> bases = new ArrayList<>();
    for (String f : SESSION_FIELDS) {
      if (!f.equals("therapist") && !f.equals("rater") && s.columns().get(f) != null) {
        bases.add(s.columns().get(f));
      }
    }
    for (String base : bases) {
      String[] parts = s.sessionColumnPattern().replace("{field}", base).split("\\{session}", -1);
      Pattern p = Pattern.compile(Pattern.quote(parts[0]) + "(\\d+)" + Pattern.quote(parts.length > 1 ? parts[1] : ""),
          Pattern.CASE_INSENSITIVE);
      for (String name : header.names()) {
        Matcher mm = p.matcher(name.trim());
        if (mm.matches()) {
          found.add(Integer.parseInt(mm.group(1)));
        }
      }
    }
    return found.stream().mapToInt(Integer::intValue).toArray();
  }
}
