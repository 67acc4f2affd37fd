package org.rupture.pipeline.cli;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.rupture.pipeline.stats.meta.MetaAnalysisException;
import org.rupture.pipeline.stats.meta.ReportingScale;

/**
 * The input of the {@code meta} command: a UTF-8 CSV file (comma separated, optional BOM, fields may be
 * double-quoted) whose header holds {@code study,r,n} (correlations: y_i = atanh(r), v_i = 1/(n - 3),
 * as {@code metafor::escalc(measure = "ZCOR")}) or {@code study,yi,vi} (any effect size on its own
 * scale). Column order is free and names are case-insensitive; other columns are ignored; blank lines
 * are skipped. Every problem is reported with the file, line and data row, as a
 * {@link MetaAnalysisException}.
 *
 * @param studies study labels in file order
 * @param yi effect sizes
 * @param vi sampling variances
 * @param effectType "r" for correlations, "yi" for generic effects
 * @param scale how pooled values are reported (tanh for correlations)
 * @param totalN sum of n over studies, or null for yi,vi input
 */
record MetaInputCsv(List<String> studies, double[] yi, double[] vi, String effectType, ReportingScale scale,
    Long totalN) {

  static MetaInputCsv read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new MetaAnalysisException(file + ": file not found.");
    } catch (MalformedInputException e) {
      throw new MetaAnalysisException(file + ": not UTF-8 text; save the CSV as UTF-8.");
    } catch (IOException e) {
      throw new MetaAnalysisException(file + ": cannot be read (" + e.getMessage() + ").");
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    String[] lines = text.split("\r?\n|\r", -1);
    int headerIndex = 0;
    while (headerIndex < lines.length && lines[headerIndex].isBlank()) {
      headerIndex++;
    }
    if (headerIndex == lines.length) {
      throw new MetaAnalysisException(file + " is empty; expected a header line 'study,r,n' or 'study,yi,vi'"
          + " followed by one line per study.");
    }
    List<String> header = fields(file, headerIndex + 1, lines[headerIndex]);
    Map<String, Integer> columns = new HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      columns.putIfAbsent(header.get(i).trim().toLowerCase(Locale.ROOT), i);
    }
    boolean correlations = columns.containsKey("r") && columns.containsKey("n");
    boolean generic = columns.containsKey("yi") && columns.containsKey("vi");
    if (correlations == generic || !columns.containsKey("study")) {
      throw new MetaAnalysisException(file + " line " + (headerIndex + 1) + ": the header is '" + lines[headerIndex]
          + "' but must name the columns study,r,n (correlations) or study,yi,vi (effect sizes with sampling"
          + " variances), " + (correlations && generic ? "not both." : "e.g. 'study,r,n'."));
    }
    Reader reader = new Reader(file, header.size(), columns);
    List<String> studies = new ArrayList<>();
    List<double[]> effects = new ArrayList<>();
    long totalN = 0;
    for (int i = headerIndex + 1; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      Row row = reader.row(i + 1, studies.size() + 1, lines[i]);
      studies.add(row.study());
      if (correlations) {
        double r = row.number("r");
        double n = row.number("n");
        if (!(Math.abs(r) < 1)) {
          throw row.problem("r = " + row.text("r") + " is outside (-1, 1); Fisher's z = atanh(r) is infinite at"
              + " |r| = 1. Check the value (a correlation of exactly +-1 cannot be pooled).");
        }
        if (n != Math.rint(n) || !(n > 3)) {
          throw row.problem("n = " + row.text("n") + " must be a whole number greater than 3 (the Fisher z"
              + " variance is 1/(n - 3)).");
        }
        totalN += (long) n;
        effects.add(new double[] {atanh(r), 1 / (n - 3)});
      } else {
        double yi = row.number("yi");
        double vi = row.number("vi");
        if (!(vi > 0)) {
          throw row.problem("vi = " + row.text("vi") + " must be a positive sampling variance.");
        }
        effects.add(new double[] {yi, vi});
      }
    }
    if (studies.isEmpty()) {
      throw new MetaAnalysisException(file + " has a header but no data rows; add one line per study.");
    }
    double[] yi = new double[effects.size()];
    double[] vi = new double[effects.size()];
    for (int i = 0; i < yi.length; i++) {
      yi[i] = effects.get(i)[0];
      vi[i] = effects.get(i)[1];
    }
    return correlations
        ? new MetaInputCsv(List.copyOf(studies), yi, vi, "r", ReportingScale.FISHER_Z_TO_R, totalN)
        : new MetaInputCsv(List.copyOf(studies), yi, vi, "yi", ReportingScale.IDENTITY, null);
  }

  /** Fisher's z; Math has no atanh. */
  private static double atanh(double r) {
    return 0.5 * Math.log1p(2 * r / (1 - r));
  }

  /** Splits one CSV line; a double-quoted field may contain commas and doubled quotes. */
  private static List<String> fields(Path file, int lineNumber, String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    if (quoted) {
      throw new MetaAnalysisException(file + " line " + lineNumber + ": a quoted field is not closed.");
    }
    fields.add(field.toString());
    return fields;
  }

  /** Reads data lines against the header. */
  private record Reader(Path file, int width, Map<String, Integer> columns) {
    Row row(int lineNumber, int dataRow, String line) {
      List<String> values = fields(file, lineNumber, line);
      String where = file + " line " + lineNumber + " (data row " + dataRow + ")";
      if (values.size() != width) {
        throw new MetaAnalysisException(where + ": " + values.size() + " fields, but the header has " + width + ".");
      }
      return new Row(where, values, columns);
    }
  }

  /** One data line with its location for messages. */
  private record Row(String where, List<String> values, Map<String, Integer> columns) {
    String text(String column) {
      return values.get(columns.get(column)).trim();
    }

    String study() {
      String study = text("study");
      if (study.isEmpty()) {
        throw problem("the study label is empty.");
      }
      return study;
    }

    double number(String column) {
      String text = text(column);
      try {
        double value = Double.parseDouble(text);
        if (Double.isFinite(value)) {
          return value;
        }
      } catch (NumberFormatException e) {
        // reported below with the same message as a non-finite value
      }
      throw problem(column + " = '" + text + "' is not a finite number (use a decimal point, e.g. 0.25).");
    }

    MetaAnalysisException problem(String message) {
      return new MetaAnalysisException(where + ", study '" + values.get(columns.get("study")).trim() + "': " + message);
    }
  }
}
