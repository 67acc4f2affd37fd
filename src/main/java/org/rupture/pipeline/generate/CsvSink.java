package org.rupture.pipeline.generate;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A fast delimited-text writer for generated exports: fields are appended as bytes into one buffer
 * (no {@code String.format}, no per-field allocation for numbers), so that tens of millions of rows
 * can be written in minutes. Text fields are encoded with the file's charset and quoted only when
 * they contain the delimiter, the quote character or a line break, as spreadsheet tools do.
 */
final class CsvSink implements Closeable {
  private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final OutputStream out;
  private final Charset charset;
  private final byte delimiter;
  private final byte quote;
  private final byte decimal;
  private final byte[] lineEnd;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private boolean atRowStart = true;

  /**
   * @param bom write a UTF-8 byte order mark first
   * @param crlf end lines with CR LF (Windows tools) instead of LF
   */
  CsvSink(Path file, Charset charset, boolean bom, char delimiter, char quote, char decimal,
      boolean crlf) throws IOException {
    this.out = Files.newOutputStream(file);
    this.charset = charset;
    this.delimiter = (byte) delimiter;
    this.quote = (byte) quote;
    this.decimal = (byte) decimal;
    this.lineEnd = crlf ? new byte[] {'\r', '\n'} : new byte[] {'\n'};
    if (bom) {
      put(UTF8_BOM);
    }
  }

  /** A text field in the file's charset, quoted when needed. */
  CsvSink text(String value) throws IOException {
    separate();
    boolean needsQuotes = false;
    for (int i = 0; i < value.length() && !needsQuotes; i++) {
      char c = value.charAt(i);
      needsQuotes = c == delimiter || c == quote || c == '\n' || c == '\r';
    }
    if (!needsQuotes) {
      put(value.getBytes(charset));
      return this;
    }
    String q = String.valueOf((char) quote);
    put(quote);
    put(value.replace(q, q + q).getBytes(charset));
    put(quote);
    return this;
  }

  /** A field whose bytes are already encoded and need no quoting (ids, dates, codes). */
  CsvSink raw(byte[] value) throws IOException {
    separate();
    put(value);
    return this;
  }

  /** An integer field. */
  CsvSink integer(long value) throws IOException {
    separate();
    putLong(value);
    return this;
  }

  /**
   * A fixed-point number given as an integer count of 1/10^decimals, e.g. (185, 2) is 1.85,
   * written with the file's decimal separator.
   */
  CsvSink fixed(int scaled, int decimals) throws IOException {
    separate();
    if (scaled < 0) {
      put((byte) '-');
      scaled = -scaled;
    }
    int unit = 1;
    for (int i = 0; i < decimals; i++) {
      unit *= 10;
    }
    putLong(scaled / unit);
    put(decimal);
    int fraction = scaled % unit;
    for (int u = unit / 10; u >= 1; u /= 10) {
      put((byte) ('0' + fraction / u % 10));
    }
    return this;
  }

  /** Pre-encoded bytes followed by a number in one field, e.g. a host in a fixed network. */
  CsvSink prefixed(byte[] prefix, long number) throws IOException {
    separate();
    put(prefix);
    putLong(number);
    return this;
  }

  /** An empty field. */
  CsvSink empty() throws IOException {
    separate();
    return this;
  }

  /** Ends the current row. */
  void endRow() throws IOException {
    put(lineEnd);
    atRowStart = true;
  }

  @Override
  public void close() throws IOException {
    try (out) {
      flush();
    }
  }

  private void separate() throws IOException {
    if (atRowStart) {
      atRowStart = false;
    } else {
      put(delimiter);
    }
  }

  private void putLong(long value) throws IOException {
    if (value < 0) {
      put((byte) '-');
      value = -value;
    }
    if (value < 10) {
      put((byte) ('0' + value));
      return;
    }
    int digits = 0;
    for (long v = value; v > 0; v /= 10) {
      digits++;
    }
    ensure(digits);
    for (int i = pos + digits - 1; i >= pos; i--) {
      buf[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    pos += digits;
  }

  private void put(byte b) throws IOException {
    ensure(1);
    buf[pos++] = b;
  }

  private void put(byte[] bytes) throws IOException {
    if (bytes.length > buf.length) {
      flush();
      out.write(bytes);
      return;
    }
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, pos, bytes.length);
    pos += bytes.length;
  }

  private void ensure(int n) throws IOException {
    if (pos + n > buf.length) {
      flush();
    }
  }

  private void flush() throws IOException {
    out.write(buf, 0, pos);
    pos = 0;
  }
}
