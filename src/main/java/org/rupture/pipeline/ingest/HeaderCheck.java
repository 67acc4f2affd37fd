package org.rupture.pipeline.ingest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * Reads one line per file; empty files pass (they simply hold no rows). A file that its first bytes show to be
 * no text of the dialect (compressed, a workbook, UTF-16, UTF-8 under a single-byte encoding) is one problem
 * saying what it is.
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
    } catch (IOException e) {
      out.add(f.relativePath() + ": cannot be read: " + e.getMessage());
    }
    return out;
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
