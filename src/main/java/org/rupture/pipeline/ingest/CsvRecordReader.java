package org.rupture.pipeline.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Streams RFC 4180 records from one file, keeping what quarantine needs and Spark's CSV reader does
 * not expose: the physical line number, the raw text of the record, and a precise reason when a
 * record is malformed.
 *
 * <p>Lines are split on bytes ({@code \n}, with trailing {@code \r}s dropped) before decoding, so
 * one badly encoded line is quarantined alone ({@link Reason#BAD_ENCODING}) instead of corrupting
 * its neighbours; this is safe for UTF-8 and the single-byte charsets the dialects allow. A file whose
 * first line ends in a lone {@code \r} (classic Mac line endings, Excel's "CSV (Macintosh)") is split
 * on {@code \r} instead: read on {@code \n} it would be one line, its header the whole file. A UTF-8
 * byte-order mark on the first line is removed. A quoted field may span lines, up to
 * {@link #MAX_RECORD_CHARS} characters and {@link #MAX_RECORD_LINES} lines for the record. A quote
 * that does not close within that bound (or before the file ends) does not swallow the rest of the
 * file: the opening line alone is reported as {@link Reason#MALFORMED_QUOTING} and reading resumes on
 * the next line.
 */
public final class CsvRecordReader implements AutoCloseable {
  /**
   * {@code s} without the leading and trailing characters up to U+0020 that {@link String#trim} removes, nor the
   * no-break spaces (U+00A0, U+2007, U+202F) and byte-order marks (U+FEFF) that spreadsheets leave around copied
   * cells: "P001" followed by a no-break space would otherwise be another patient, and "4" followed by one
   * NOT_NUMERIC. A plain ASCII line holds none of them, so its views ({@link RawRecord#utf8Field}) trim as
   * {@link String#trim} does.
   */
  public static String trimField(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && blank(s.charAt(from))) {
      from++;
    }
    while (to > from && blank(s.charAt(to - 1))) {
      to--;
    }
    return from == 0 && to == s.length() ? s : s.substring(from, to);
  }

  private static boolean blank(char c) {
    return c <= ' ' || c == '\u00a0' || c == '\u2007' || c == '\u202f' || c == '\ufeff';
  }

  /** Why a record could not be tokenised. */
  public enum Reason { MALFORMED_QUOTING, BAD_ENCODING }

  /**
   * One logical record: fields, raw text, first physical line (1-based). The fields are null when its quoting is
   * malformed; a {@link Reason#BAD_ENCODING} line has its fields as decoded, each bad byte a U+FFFD, when its
   * quotes close within the line (else null), and the header ({@link CsvRecordReader#header}) none.
   *
   * <p>A line of ASCII bytes without a quote (nearly every line of a real export) is kept as its bytes
   * and the bounds of its fields: {@link #utf8Field} and {@link #utf8Raw} are views of those bytes, so
   * the parser makes no Java string of it at all; {@link #raw} and {@link #fields} are then made on
   * first use. ASCII bytes read the same in every charset the reader takes (see {@code asciiSafe}).
   */
  public static final class RawRecord {
    private final long line;
    private final Reason error;
    private String raw;
    private List<String> fields;
    private final byte[] ascii;     // the line's bytes when it is plain ASCII, else null
    private final int[] starts;     // field k is ascii[starts[k], starts[k + 1] - 1)

    public RawRecord(long line, String raw, List<String> fields, Reason error) {
      this(line, raw, fields, error, null, null);
    }

    private RawRecord(long line, String raw, List<String> fields, Reason error, byte[] ascii, int[] starts) {
      this.line = line;
      this.raw = raw;
      this.fields = fields;
      this.error = error;
      this.ascii = ascii;
      this.starts = starts;
    }

    public long line() {
      return line;
    }

    public Reason error() {
      return error;
    }

    public String raw() {
      if (raw == null && ascii != null) {
        raw = new String(ascii, StandardCharsets.ISO_8859_1);
      }
      return raw;
    }

    public List<String> fields() {
      if (fields == null && ascii != null) {
        List<String> f = new ArrayList<>(fieldCount());
        for (int k = 0; k < fieldCount(); k++) {
          f.add(new String(ascii, starts[k], starts[k + 1] - 1 - starts[k], StandardCharsets.ISO_8859_1));
        }
        fields = f;
      }
      return fields;
    }

    /** The number of fields, or -1 when the record is malformed. */
    public int fieldCount() {
      if (ascii != null) {
        return starts.length - 1;
      }
      return fields == null ? -1 : fields.size();
    }

    /** Whether {@link #utf8Field} and {@link #utf8Raw} are available (a plain ASCII line). */
    public boolean isAscii() {
      return ascii != null;
    }

    /**
     * Field {@code k} with leading and trailing characters up to U+0020 removed, as {@link String#trim}
     * does, as a view of the line's bytes (valid UTF-8: the line is ASCII). Only for {@link #isAscii}.
     */
    public UTF8String utf8Field(int k) {
      int from = trimmedStart(k);
      return UTF8String.fromBytes(ascii, from, trimmedEnd(k, from) - from);
    }

    /**
     * Whether the record has fields and every one is empty once trimmed ({@link #trimField}): a spreadsheet's
     * {@code ,,,,} line for a row it once formatted. Looks no further than the first field with a value.
     */
    public boolean allFieldsEmpty() {
      if (ascii != null) {
        for (int k = 0; k < starts.length - 1; k++) {
          int from = trimmedStart(k);
          if (trimmedEnd(k, from) > from) {
            return false;
          }
        }
        return true;
      }
      if (fields == null) {
        return false;
      }
      for (String f : fields) {
        if (!trimField(f).isEmpty()) {
          return false;
        }
      }
      return true;
    }

    /** The line's bytes. Only for {@link #isAscii}. */
    public byte[] asciiBytes() {
      return ascii;
    }

    /** Where field {@code k}, trimmed as {@link #utf8Field} trims it, starts in {@link #asciiBytes}. */
    public int trimmedStart(int k) {
      int from = starts[k];
      int to = starts[k + 1] - 1;
      while (from < to && (ascii[from] & 0xff) <= ' ') {
        from++;
      }
      return from;
    }

    /** Where field {@code k}, trimmed, ends (exclusive) in {@link #asciiBytes}, given its {@link #trimmedStart}. */
    public int trimmedEnd(int k, int trimmedStart) {
      int to = starts[k + 1] - 1;
      while (to > trimmedStart && (ascii[to - 1] & 0xff) <= ' ') {
        to--;
      }
      return to;
    }

    /** The raw line as a view of its bytes. Only for {@link #isAscii}. */
    public UTF8String utf8Raw() {
      return UTF8String.fromBytes(ascii);
    }

    /** Equal when line, raw text, fields and error are: however each was read. */
    @Override
    public boolean equals(Object o) {
      return o instanceof RawRecord r && line == r.line && error == r.error && Objects.equals(raw(), r.raw())
          && Objects.equals(fields(), r.fields());
    }

    @Override
    public int hashCode() {
      return Objects.hash(line, raw(), fields(), error);
    }

    @Override
    public String toString() {
      return "RawRecord[line=" + line + ", raw=" + raw() + ", fields=" + fields() + ", error=" + error + "]";
    }
  }

  /**
   * The most characters (line breaks included) of a record that spans several lines. A quoted field
   * may hold line breaks, and free-text notes of hundreds of lines occur, so an open quote is followed
   * across lines to its closing quote. The bound exists for the quote that never closes (a stray quote
   * character): the lines read while looking for its end are held, to be read again as rows when it
   * does not come, and the bound keeps that to a few MB per task instead of the rest of the file. It is
   * set by size because memory is what it protects: 1 MiB is 32 times the most text a spreadsheet cell
   * holds (32,767 characters), so a genuine field does not reach it.
   */
  static final int MAX_RECORD_CHARS = 1 << 20;

  /**
   * The most lines of one record. Each held line costs some 100 bytes of bookkeeping beyond its
   * characters, so a quote followed by many empty lines is bounded by lines before characters: 100,000
   * lines hold at most some 10 MB, and far exceed any genuine note.
   */
  static final int MAX_RECORD_LINES = 100_000;

  private final InputStream in;
  private final CharsetDecoder decoder;
  private final Charset charset;
  private final char delimiter;
  private final char quote;
  private final Deque<PhysicalLine> pushedBack = new ArrayDeque<>();
  private final ByteArrayOutputStream lineBytes = new ByteArrayOutputStream(256);
  private final byte[] buf = new byte[1 << 16];
  private int bufPos;
  private int bufLen;
  private long lineNumber;
  private boolean eof;
  private boolean first = true;
  /**
   * The byte that ends a line: {@code \n}, or {@code \r} for a file with lone-CR line endings, decided by
   * how the first line ends ({@link #detectLineEnd}); -1 until then.
   */
  private int lineEnd = -1;
  /** Fields of the last record, the likely size of the next (lists are made the right size). */
  private int fieldsSeen = 16;

  /** Delimiter and quote as bytes, when a plain ASCII line can be cut on its bytes; else -1. */
  private final int delimiterByte;
  private final int quoteByte;

  /** A physical line: decoded text, or (a plain ASCII line) its bytes and the starts of its fields. */
  private record PhysicalLine(long number, String decoded, boolean badEncoding, byte[] ascii, int[] starts) {
    PhysicalLine(long number, String decoded, boolean badEncoding) {
      this(number, decoded, badEncoding, null, null);
    }

    String text() {
      return decoded != null ? decoded : new String(ascii, StandardCharsets.ISO_8859_1);
    }

    /** The length of {@link #text}, without making it. */
    int length() {
      return decoded != null ? decoded.length() : ascii.length;
    }
  }

  public CsvRecordReader(InputStream in, Charset charset, char delimiter, char quote) {
    this.in = in;
    this.charset = charset;
    this.decoder = charset.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    this.delimiter = delimiter;
    this.quote = quote;
    boolean bytesCut = asciiSafe(charset) && delimiter < 0x80 && quote < 0x80 && delimiter != '\n' && quote != '\n';
    this.delimiterByte = bytesCut ? delimiter : -1;
    this.quoteByte = bytesCut ? quote : -1;
  }

  /** Whether the charset reads every ASCII byte as that character (UTF-8 and the single-byte charsets). */
  static boolean asciiSafe(Charset charset) {
    byte[] ascii = new byte[128];
    char[] expected = new char[128];
    for (int i = 0; i < 128; i++) {
      ascii[i] = (byte) i;
      expected[i] = (char) i;
    }
    return charset.canEncode() && new String(ascii, charset).equals(new String(expected));
  }

  /**
   * The header record: the first record, or the one after it when the first line is Excel's delimiter
   * directive ({@code sep=;}, which Excel writes before the header when asked to and reads as "the
   * delimiter is ;"). The directive is no data and no column: taken for the header, it made every mapped
   * column "not in the header" and the file could not be ingested at all (extra header lines are skipped
   * after the header, not before it). Null for an empty file. Call it first, once.
   */
  public RawRecord header() throws IOException {
    RawRecord first = next();
    if (first != null && first.error() == null && isSeparatorDirective(first.raw())) {
      first = next();
    }
    // a header with bad bytes has no names to trust: not read (its fields null)
    return first == null || first.error() == null ? first : new RawRecord(first.line(), first.raw(), null, first.error());
  }

  /**
   * The dialect's {@code n} extra header lines: the {@code n} records after the {@link #header}, fewer when the
   * file ends first. The parser skips them and the header check looks at them ({@code HeaderCheck}), both
   * through this method, so that both take the same records for them (blank lines are skipped, a quoted
   * field may span lines). Call it right after {@link #header}.
   */
  public List<RawRecord> extraHeaderLines(int n) throws IOException {
    List<RawRecord> lines = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      RawRecord line = next();
      if (line == null) {
        break;
      }
      lines.add(line);
    }
    return lines;
  }

  /** Whether {@code line} is Excel's {@code sep=<character>} line (spaces around it allowed). */
  static boolean isSeparatorDirective(String line) {
    String t = line.strip();
    return t.length() == 5 && t.regionMatches(true, 0, "sep=", 0, 4);
  }

  /** The next record, or null at end of file. Blank lines are skipped. */
  public RawRecord next() throws IOException {
    PhysicalLine start;
    do {
      start = nextLine();
      if (start == null) {
        return null;
      }
    } while (start.ascii != null ? start.ascii.length == 0 : !start.badEncoding && start.decoded.isEmpty());
    if (start.ascii != null) {
      return new RawRecord(start.number, null, null, null, start.ascii, start.starts);
    }
    // A badly encoded line keeps its fields as decoded (a bad byte is U+FFFD; no decoder takes an ASCII byte
    // into a bad sequence, so the delimiters and quotes stand): the parser keeps the row when the bad bytes are
    // only in columns it does not read, such as a dropped name column pasted from another system. Its quoted
    // fields are read as any line's, within the line: one spanning lines is not followed (the bad line is
    // reported alone, its fields unknown), nor is a badly encoded line taken into another line's field.
    Reason reason = start.badEncoding ? Reason.BAD_ENCODING : null;
    if (start.decoded.indexOf(quote) < 0) {
      return new RawRecord(start.number, start.decoded, split(start.decoded), reason);
    }
    List<PhysicalLine> consumed = new ArrayList<>(1);
    consumed.add(start);
    long recordChars = start.length();
    List<String> fields = new ArrayList<>(fieldsSeen);
    StringBuilder field = new StringBuilder();
    String text = start.text();
    int i = 0;
    boolean inQuotes = false;
    boolean quotedField = false;
    boolean afterClosingQuote = false;
    while (true) {
      if (i >= text.length()) {
        if (!inQuotes) {
          fields.add(field.toString());
          fieldsSeen = fields.size();
          return new RawRecord(start.number, joinRaw(consumed), fields, reason);
        }
        // The quote is open at the end of a line: the field goes on to the next one, unless that line
        // would take the record past its bound, or is badly encoded, or the file ends. Then the quote
        // is taken for a stray one, as it is when it never closes at all (see malformed).
        PhysicalLine more = !start.badEncoding && consumed.size() < MAX_RECORD_LINES ? nextLine() : null;
        if (more == null || more.badEncoding || recordChars + 1 + more.length() > MAX_RECORD_CHARS) {
          if (more != null) {
            pushedBack.push(more);
          }
          return malformed(start, consumed);
        }
        consumed.add(more);
        recordChars += 1 + more.length();
        field.append('\n');
        text = more.text();
        i = 0;
        continue;
      }
      char c = text.charAt(i++);
      if (inQuotes) {
        if (c == quote) {
          if (i < text.length() && text.charAt(i) == quote) {
            field.append(quote);
            i++;
          } else {
            inQuotes = false;
            afterClosingQuote = true;
          }
        } else {
          field.append(c);
        }
      } else if (c == delimiter) {
        fields.add(field.toString());
        field.setLength(0);
        quotedField = false;
        afterClosingQuote = false;
      } else if (afterClosingQuote) {
        return malformed(start, consumed);
      } else if (c == quote) {
        if (quotedField || field.length() > 0) {
          return malformed(start, consumed);
        }
        inQuotes = true;
        quotedField = true;
      } else {
        field.append(c);
      }
    }
  }

  /**
   * The fields of a line without quotes (nearly every line): cut at the delimiters, with no
   * character-by-character copy.
   */
  private List<String> split(String text) {
    List<String> fields = new ArrayList<>(fieldsSeen);
    int from = 0;
    for (int at = text.indexOf(delimiter); at >= 0; at = text.indexOf(delimiter, from)) {
      fields.add(text.substring(from, at));
      from = at + 1;
    }
    fields.add(text.substring(from));
    fieldsSeen = fields.size();
    return fields;
  }

  /**
   * Reports the opening line alone and re-reads any lines a bad quote pulled in. Where the record ends
   * is not known, so it is taken to be its first line, and each line after it is read again as the row
   * it most likely is: every physical line still ends in exactly one record, so the data rows (which
   * count records) are neither counted twice nor lost, and the rows after keep their numbers.
   */
  private RawRecord malformed(PhysicalLine start, List<PhysicalLine> consumed) {
    if (start.badEncoding) {
      // its bad bytes are what the line is reported for (it never takes in another line)
      return new RawRecord(start.number, start.decoded, null, Reason.BAD_ENCODING);
    }
    for (int k = consumed.size() - 1; k >= 1; k--) {
      pushedBack.push(consumed.get(k));
    }
    return new RawRecord(start.number, start.text(), null, Reason.MALFORMED_QUOTING);
  }

  private static String joinRaw(List<PhysicalLine> lines) {
    if (lines.size() == 1) {
      return lines.get(0).text();
    }
    StringBuilder sb = new StringBuilder();
    for (PhysicalLine l : lines) {
      if (sb.length() > 0) {
        sb.append('\n');
      }
      sb.append(l.text());
    }
    return sb.toString();
  }

  /** Physical lines read so far (for the manifest). */
  public long linesRead() {
    return lineNumber;
  }

  private PhysicalLine nextLine() throws IOException {
    if (!pushedBack.isEmpty()) {
      return pushedBack.pop();
    }
    if (eof) {
      return null;
    }
    if (lineEnd < 0) {
      lineEnd = detectLineEnd();
    }
    final byte eol = (byte) lineEnd;
    lineBytes.reset();
    boolean newline = false;
    byte[] bytes = buf;
    int off = 0;
    int len = 0;
    boolean inBuffer = true;      // the line lies in one read of the buffer: decoded from there, uncopied
    while (!newline) {
      if (bufPos >= bufLen) {
        if (inBuffer && len > 0) {
          lineBytes.write(buf, off, len);
        }
        inBuffer = false;
        bufLen = in.read(buf);
        bufPos = 0;
        if (bufLen <= 0) {
          bufLen = 0;
          eof = true;
          break;
        }
      }
      int startPos = bufPos;
      while (bufPos < bufLen && buf[bufPos] != eol) {
        bufPos++;
      }
      if (inBuffer) {
        off = startPos;
        len = bufPos - startPos;
      } else {
        lineBytes.write(buf, startPos, bufPos - startPos);
      }
      if (bufPos < bufLen) {
        bufPos++;
        newline = true;
      }
    }
    if (!inBuffer) {
      if (eof && !newline && lineBytes.size() == 0) {
        return null;
      }
      bytes = lineBytes.toByteArray();
      off = 0;
      len = bytes.length;
    }
    int end = off + len;
    while (eol == '\n' && end > off && bytes[end - 1] == '\r') {
      end--;
    }
    if (first) {
      first = false;
      if (charset.equals(StandardCharsets.UTF_8) && end - off >= 3
          && (bytes[off] & 0xff) == 0xEF && (bytes[off + 1] & 0xff) == 0xBB && (bytes[off + 2] & 0xff) == 0xBF) {
        off += 3;
      }
    }
    lineNumber++;
    if (delimiterByte >= 0) {
      PhysicalLine plain = plainAscii(bytes, off, end);
      if (plain != null) {
        return plain;
      }
    }
    // The JDK's replacing decoder is several times faster than a reporting CharsetDecoder; it marks
    // a bad byte with U+FFFD, so only a line holding that character is decoded again, strictly, to
    // tell a bad byte from a genuine U+FFFD.
    String s = new String(bytes, off, end - off, charset);
    if (s.indexOf('\uFFFD') < 0) {
      return new PhysicalLine(lineNumber, s, false);
    }
    try {
      return new PhysicalLine(lineNumber, decoder.reset().decode(ByteBuffer.wrap(bytes, off, end - off)).toString(), false);
    } catch (CharacterCodingException e) {
      return new PhysicalLine(lineNumber, s, true);
    }
  }

  /**
   * {@code \r} when the first line break of the file is a lone CR (a run of {@code \r} not followed by
   * {@code \n}), else {@code \n}. A CR LF file written again by a text-mode writer ends its lines in
   * {@code \r\r\n}: that is a {@code \n} file, whose extra CR is dropped with the other. Looks only at
   * the buffer's first fill (64 KiB), read further while what follows the first CRs is not read yet; a first
   * line longer than that is taken to end in {@code \n}. An LF or CR LF file is read as before, a lone CR
   * inside one of its lines included.
   */
  private int detectLineEnd() throws IOException {
    int decided = lineEndIn();
    while (decided < 0 && bufLen < buf.length) {
      int n = in.read(buf, bufLen, buf.length - bufLen);
      if (n <= 0) {
        break;
      }
      bufLen += n;
      decided = lineEndIn();
    }
    return decided < 0 ? '\n' : decided;
  }

  /** The line end that the buffer's first line break shows, or -1 while it shows none (yet). */
  private int lineEndIn() {
    for (int i = bufPos; i < bufLen; i++) {
      if (buf[i] == '\n') {
        return '\n';
      }
      if (buf[i] == '\r') {
        int j = i;
        while (j < bufLen && buf[j] == '\r') {
          j++;
        }
        return j == bufLen ? -1 : buf[j] == '\n' ? '\n' : '\r';
      }
    }
    return -1;
  }

  /** The line as a {@link PhysicalLine} of ASCII bytes cut at the delimiters, or null if it has a quote or a non-ASCII byte. */
  private PhysicalLine plainAscii(byte[] bytes, int off, int end) {
    int fields = 1;
    for (int i = off; i < end; i++) {
      byte b = bytes[i];
      if (b < 0 || b == quoteByte) {
        return null;
      }
      if (b == delimiterByte) {
        fields++;
      }
    }
    byte[] line = Arrays.copyOfRange(bytes, off, end);
    int[] starts = new int[fields + 1];
    int k = 1;
    for (int i = 0; i < line.length; i++) {
      if (line[i] == delimiterByte) {
        starts[k++] = i + 1;
      }
    }
    starts[fields] = line.length + 1;
    return new PhysicalLine(lineNumber, null, false, line, starts);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
