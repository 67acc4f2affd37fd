package org.rupture.pipeline.ingest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.rupture.pipeline.curated.DriverIo;
import org.rupture.pipeline.config.ConfigException;
import org.rupture.pipeline.config.KeySources;
import org.rupture.pipeline.config.SiteMapping;

/**
 * Checks every claimed file's header against its mapping before any Spark job runs (and for
 * {@code validate-config}): a mapped column missing from a header is a configuration mistake, not
 * bad data, so it fails fast naming the file that sets the key (the mapping, or the profile it extends
 * the key from), the key, the data file and the nearest column. A header that another common delimiter
 * reads into the mapped columns is one problem at dialect.delimiter, not one per column it seems to lack.
 * Reads the header line of each file and the dialect's extra header lines after it: one of those that looks like a
 * data row (the file lacks a header line, so its first data rows would be skipped as header lines and lost) is a
 * problem at dialect.extra_header_lines ({@link #extraHeaderLineProblem}). Empty files pass (they simply hold no
 * rows). A file that its first bytes show to be no text of the dialect (compressed, a workbook, UTF-16, UTF-8
 * under a single-byte encoding) is one problem saying what it is.
 */
public final class HeaderCheck {
  private HeaderCheck() {}

  /**
   * Problems as "mapping file: key: message (in data file)"; for a key the mapping takes from a profile,
   * "profile file (profile of mapping file): key: message; to change it for this mapping only, ... (in data
   * file)".
   */
  public static List<String> problems(LandingInventory inventory, Map<String, SiteMapping> mappings,
      Configuration hadoopConf) {
    try {
      // one file after the other, each a round trip on a remote file system: read on a few threads (DriverIo)
      List<String> out = new ArrayList<>();
      DriverIo.map(inventory.files(), f -> problems(f, mappings.get(f.mappingId()), hadoopConf)).forEach(out::addAll);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);   // not thrown: problems(SourceFile, ...) reports a file it cannot read
    }
  }

  /** The problems of one file's header under its mapping. */
  private static List<String> problems(SourceFile f, SiteMapping m, Configuration hadoopConf) {
    List<String> out = new ArrayList<>();
    Path p = new Path(f.path());
    Charset charset = Charset.forName(m.dialect().encoding());
    try (PushbackInputStream in = new PushbackInputStream(p.getFileSystem(hadoopConf).open(p), SIGNATURE_BYTES);
        CsvRecordReader r = new CsvRecordReader(in, charset, m.dialect().delimiter(), m.dialect().quote())) {
      byte[] head = in.readNBytes(SIGNATURE_BYTES);
      in.unread(head);
      String notText = signatureProblem(head, charset, m, f);
      if (notText != null) {
        out.add(notText);
        return out;
      }
      CsvRecordReader.RawRecord header = r.header();
      if (header == null) {
        return out;
      }
      if (header.fields() == null) {
        KeySources k = m.sources();
        String file = k.fileOf("dialect.encoding");
        out.add(k.where("dialect.encoding") + ": dialect: the header of " + f.relativePath() + " cannot be read ("
            + header.error() + "); check dialect.encoding" + k.setIn("dialect.encoding", file) + " and dialect.quote"
            + k.setIn("dialect.quote", file) + (dialectHint(k).isEmpty() ? "" : "; " + dialectHint(k)));
        return out;
      }
      List<String> names = header.fields().stream().map(CsvRecordReader::trimField).toList();
      FileLayout layout = FileLayout.of(names, m, f.kind());
      String delimiter = layout.unfoundColumns() == 0 ? null : delimiterProblem(header.raw(), names, layout, m, f);
      if (delimiter != null) {
        out.add(delimiter);   // the columns it lacks are not missing: one line, not one per column
        return out;
      }
      for (FileLayout.Problem problem : layout.keyedProblems()) {
        KeySources k = m.sources();
        out.add(k.where(problem.key()) + ": "
            + KeySources.withHint(problem.toString(), problem.keyValue() ? k.overrideHint(problem.key()) : "")
            + " (in " + f.relativePath() + ")");
      }
      String dataRow = extraHeaderLineProblem(r, names.size(), layout, m, f);
      if (dataRow != null) {
        out.add(dataRow);
      }
    } catch (IOException e) {
      out.add(f.relativePath() + ": cannot be read: " + e.getMessage());
    }
    return out;
  }

  /** A plain number as exports write one: an optional sign, digits, at most one decimal mark and digits after it. */
  private static final Pattern PLAIN_NUMBER = Pattern.compile("[+-]?[0-9]+(?:[.][0-9]+)?");
  private static final Pattern PLAIN_NUMBER_DECIMAL_COMMA = Pattern.compile("[+-]?[0-9]+(?:[.,][0-9]+)?");
  /** How many of a data-like line's numbers the message quotes. */
  static final int QUOTED_NUMBERS = 3;

  /**
   * The problem when one of the mapping's extra header lines ({@code dialect.extra_header_lines}) looks like a
   * data row, or null. The parser skips those lines unread: when a delivered file lacks one (the import-id line
   * deleted in Excel, an export made without it), its first data rows were skipped as header lines and lost
   * without a trace. Reads the extra header lines after the header ({@link CsvRecordReader#extraHeaderLines},
   * as the parser skips them) and reports the first that looks like a data row, which is one that
   * <ul>
   *   <li>has the header's field count (and is well formed),
   *   <li>holds a value (not empty, not a missing code) in at least one of the file's mapped numeric columns
   *       ({@link FileLayout#numericColumns}: sessions: the session number, the scaled ratings, the alliance
   *       items and the extra variables; patients: sessions attended and the outcome columns), and
   *   <li>holds a plain number ({@link #PLAIN_NUMBER}; a comma as decimal mark under a decimal comma) in every
   *       one of them that holds a value.
   * </ul>
   * A data row holds numbers there (one suffices: a patient may have sessions attended and nothing else); a
   * header line holds texts: question texts ("Session number", "How tense ...?") and import ids
   * ({"ImportId":"QID3"}) are no numbers. A header line with a number for a text in one column (a matrix row
   * labelled "1") has texts in the others and passes: a single text among the mapped numeric columns clears a
   * line, so a data row with a stray text there is not caught, and the check errs on the side of passing a
   * header line. Codes (rater, yes/no, treatment) and ids are not looked at: they may be numbers in a header
   * line's texts or words in a data row. A file that ends within its header lines (a header alone, or with
   * fewer extra lines) is no problem unless such a line looks like a data row; reads at most that many records.
   */
  private static String extraHeaderLineProblem(CsvRecordReader r, int headerFields, FileLayout layout,
      SiteMapping m, SourceFile f) throws IOException {
    int extra = m.dialect().extraHeaderLines();
    if (extra == 0) {
      return null;
    }
    Map<Integer, String> numeric = layout.numericColumns(m, f.kind());
    Set<String> missing = new HashSet<>();
    m.missingCodes().forEach(c -> missing.add(c.trim()));
    Pattern number = m.dialect().decimal() == ',' ? PLAIN_NUMBER_DECIMAL_COMMA : PLAIN_NUMBER;
    List<CsvRecordReader.RawRecord> lines = r.extraHeaderLines(extra);
    for (int i = 0; i < lines.size(); i++) {
      CsvRecordReader.RawRecord line = lines.get(i);
      List<String> numbers = dataRowNumbers(line, headerFields, numeric, missing, number, layout);
      if (numbers != null) {
        return dataRowProblem(line, i, extra, lines.size() - i, numbers, m, f);
      }
    }
    return null;
  }

  /**
   * The mapped numeric columns of a line that looks like a data row, each as "column Q3 (session_number) holds
   * "1"", or null when it does not ({@link #extraHeaderLineProblem}).
   */
  private static List<String> dataRowNumbers(CsvRecordReader.RawRecord line, int headerFields,
      Map<Integer, String> numeric, Set<String> missing, Pattern number, FileLayout layout) {
    if (line.error() != null || line.fieldCount() != headerFields) {
      return null;
    }
    List<String> fields = line.fields();
    List<String> numbers = new ArrayList<>();
    for (Map.Entry<Integer, String> column : numeric.entrySet()) {
      String value = CsvRecordReader.trimField(fields.get(column.getKey()));
      if (value.isEmpty() || missing.contains(value)) {
        continue;
      }
      if (!number.matcher(value).matches()) {
        return null;   // a text: a header line's
      }
      numbers.add("column " + layout.header.names().get(column.getKey()).trim() + " (" + column.getValue()
          + ") holds \"" + value + "\"");
    }
    return numbers.isEmpty() ? null : numbers;
  }

  /**
   * The problem for {@code line}, the extra header line at {@code index} (0-based) that looks like a data row;
   * {@code lost}: the lines from it to the last extra header line the file has, the data rows that would be lost.
   */
  private static String dataRowProblem(CsvRecordReader.RawRecord line, int index, int extra, int lost,
      List<String> numbers, SiteMapping m, SourceFile f) {
    String key = "dialect.extra_header_lines";
    KeySources k = m.sources();
    String file = f.relativePath();
    String quoted = String.join(", ", numbers.subList(0, Math.min(numbers.size(), QUOTED_NUMBERS)));
    int more = numbers.size() - QUOTED_NUMBERS;
    String message = key + ": line " + line.line() + " of " + file + " looks like a data row, not a header line: "
        + quoted + (more > 0 ? " and " + more + " more mapped numeric columns hold numbers" : "")
        + ", where a header line holds texts; the file seems to have " + (index == 0 ? "no" : index) + " header "
        + (index == 1 ? "line" : "lines") + " after the column names, not the " + extra + " that " + key + " says, so "
        + (lost == 1 ? "its first data row would be skipped as a header line"
            : "its first " + lost + " data rows would be skipped as header lines")
        + " and lost; re-export the file with the export tool's header lines, or, if this site's files come "
        + "without them, set " + key + ": " + index;
    return k.where(key) + ": " + KeySources.withHint(message, k.overrideHint(key)) + " (in " + file + ")";
  }

  /** How many leading bytes {@link #signatureProblem} looks at. */
  static final int SIGNATURE_BYTES = 4;

  /**
   * The problem when a file's first bytes show that it is no text the mapping's dialect reads, or null. Read as
   * text, such a file gave "the header cannot be read (BAD_ENCODING); check dialect.encoding and dialect.quote"
   * (gzip, a ZIP archive, UTF-16), which sends one to the mapping for a file that must be exported again; and a
   * UTF-8 file under a single-byte encoding passed whenever its first column is not mapped, its non-ASCII ids
   * read as other characters (Jürgen as JÃ¼rgen), hashed to other keys than the same ids in the site's other
   * deliveries, with no error at all. Its byte-order mark says what it is.
   */
  static String signatureProblem(byte[] head, Charset charset, SiteMapping m, SourceFile f) {
    String file = f.relativePath();
    if (startsWith(head, 0x1F, 0x8B)) {
      return file + ": is gzip-compressed, not a CSV text file; deliver it uncompressed";
    }
    if (startsWith(head, 0x50, 0x4B, 0x03, 0x04)) {
      return file + ": is a ZIP archive (an Excel workbook, .xlsx, named .csv?), not a CSV text file; export it as CSV";
    }
    if (startsWith(head, 0xFF, 0xFE) || startsWith(head, 0xFE, 0xFF)) {
      return file + ": is UTF-16 (it starts with a UTF-16 byte-order mark), which dialect.encoding does not read; "
          + "export it as UTF-8 or Windows-1252";
    }
    if (startsWith(head, 0xEF, 0xBB, 0xBF) && !charset.equals(StandardCharsets.UTF_8)) {
      KeySources k = m.sources();
      String message = "dialect.encoding: " + file + " starts with a UTF-8 byte-order mark, so its text is UTF-8, "
          + "but dialect.encoding is " + m.dialect().encoding() + " (its non-ASCII characters would be misread); "
          + "set dialect.encoding: UTF-8";
      return k.where("dialect.encoding") + ": " + KeySources.withHint(message, k.overrideHint("dialect.encoding"));
    }
    return null;
  }

  private static boolean startsWith(byte[] head, int... signature) {
    if (head.length < signature.length) {
      return false;
    }
    for (int i = 0; i < signature.length; i++) {
      if ((head[i] & 0xff) != signature[i]) {
        return false;
      }
    }
    return true;
  }

  /** Delimiters exports use, tried when a header under the mapping's lacks mapped columns. */
  static final String COMMON_DELIMITERS = ",;\t|";

  /**
   * When the header line read with another common delimiter has more columns and lacks fewer mapped ones (a
   * semicolon export under a comma mapping reads as one column named "pid;rater;..."), the one-line problem
   * naming that delimiter and the file that sets dialect.delimiter; null when no delimiter reads it better.
   */
  private static String delimiterProblem(String rawHeader, List<String> names, FileLayout layout, SiteMapping m,
      SourceFile f) {
    if (rawHeader == null) {
      return null;
    }
    char current = m.dialect().delimiter();
    Character best = null;
    FileLayout bestLayout = layout;
    int bestColumns = names.size();
    for (char c : COMMON_DELIMITERS.toCharArray()) {
      if (c == current || rawHeader.indexOf(c) < 0) {
        continue;
      }
      List<String> other = split(rawHeader, c, m.dialect().quote());
      if (other == null || other.size() <= names.size()) {
        continue;
      }
      FileLayout l = FileLayout.of(other, m, f.kind());
      if (l.unfoundColumns() < bestLayout.unfoundColumns()
          || (best != null && l.unfoundColumns() == bestLayout.unfoundColumns() && other.size() > bestColumns)) {
        best = c;
        bestLayout = l;
        bestColumns = other.size();
      }
    }
    if (best == null) {
      return null;
    }
    KeySources k = m.sources();
    String found = bestLayout.unfoundColumns() == 0 ? "every mapped column found"
        : "fewer mapped columns missing";
    String decimal = best == m.dialect().decimal()
        ? " and dialect.decimal: \"" + (best == ',' ? "." : ",") + "\"" + k.setIn("dialect.decimal", k.fileOf("dialect.delimiter"))
            + " (the decimal mark cannot be the delimiter)"
        : "";
    String message = "dialect.delimiter: the header of " + f.relativePath() + " reads as " + columns(names.size())
        + " with the delimiter " + shown(current) + " but contains " + shown(best) + " (" + bestColumns
        + " columns with it, " + found + "); set dialect.delimiter: \"" + (best == '\t' ? "\\t" : best)
        + "\"" + decimal;
    return k.where("dialect.delimiter") + ": " + KeySources.withHint(message, k.overrideHint("dialect.delimiter"));
  }

  /** The fields of one header line split on {@code delimiter}, or null when it does not split cleanly. */
  private static List<String> split(String line, char delimiter, char quote) {
    try (CsvRecordReader r = new CsvRecordReader(new ByteArrayInputStream(line.getBytes(StandardCharsets.UTF_8)),
        StandardCharsets.UTF_8, delimiter, quote)) {
      CsvRecordReader.RawRecord rec = r.next();
      return rec == null || rec.fields() == null ? null : rec.fields().stream().map(CsvRecordReader::trimField).toList();
    } catch (IOException e) {
      return null;
    }
  }

  private static String columns(int n) {
    return n + (n == 1 ? " column" : " columns");
  }

  private static String shown(char c) {
    return c == '\t' ? "tab ('\\t')" : "'" + c + "'";
  }

  /** For a dialect a profile sets: how to give one mapping its own, "" when the mapping sets both keys. */
  private static String dialectHint(KeySources k) {
    if (!k.inProfile("dialect.encoding") && !k.inProfile("dialect.quote")) {
      return "";
    }
    return "to change them for this mapping only, set them under dialect in " + k.mapping()
        + ", which overrides the profile";
  }

  /** Throws a {@link ConfigException} listing the first problems, if any. */
  public static void require(LandingInventory inventory, Map<String, SiteMapping> mappings, Configuration conf) {
    List<String> problems = problems(inventory, mappings, conf);
    if (!problems.isEmpty()) {
      int shown = Math.min(problems.size(), 10);
      String more = problems.size() > shown ? "\n  ... and " + (problems.size() - shown) + " more" : "";
      throw new ConfigException(null, null, "site mappings do not fit their files:\n  "
          + String.join("\n  ", problems.subList(0, shown)) + more);
    }
  }
}
