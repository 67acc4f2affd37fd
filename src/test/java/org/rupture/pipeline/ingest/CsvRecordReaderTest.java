package org.rupture.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

class CsvRecordReaderTest {

  private static List<CsvRecordReader.RawRecord> read(byte[] bytes, Charset cs, char delimiter) throws IOException {
    List<CsvRecordReader.RawRecord> out = new ArrayList<>();
    try (CsvRecordReader r = new CsvRecordReader(new ByteArrayInputStream(bytes), cs, delimiter, '"')) {
      CsvRecordReader.RawRecord rec;
      while ((rec = r.next()) != null) {
        out.add(rec);
      }
    }
    return out;
  }

  private static List<CsvRecordReader.RawRecord> read(String text) throws IOException {
    return read(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8, ',');
  }

  @Test
  void trimFieldRemovesWhatTrimDoesAndNoBreakSpacesButNothingInside() {
    assertEquals("P 001", CsvRecordReader.trimField(" \t\u00a0\ufeffP 001\u2007\u202f\r "));
    assertEquals("a\u00a0b", CsvRecordReader.trimField("a\u00a0b"));
    assertEquals("", CsvRecordReader.trimField("\u00a0 \u00a0"));
    assertEquals("\u2003x", CsvRecordReader.trimField("\u2003x"));   // an em space is text, not padding
    String same = "x";
    assertTrue(same == CsvRecordReader.trimField(same));              // nothing to trim: no copy
  }

  @Test
  void splitsQuotedFieldsWithDelimitersEscapedQuotesAndNewlines() throws IOException {
    var recs = read("a,b,c\r\n1,\"x, \"\"y\"\"\",\"two\nlines\"\n2,,z\n");
    assertEquals(3, recs.size());
    assertEquals(List.of("1", "x, \"y\"", "two\nlines"), recs.get(1).fields());
    assertEquals(2, recs.get(1).line());
    assertEquals(4, recs.get(2).line());
    assertEquals(List.of("2", "", "z"), recs.get(2).fields());
  }

  @Test
  void stripsUtf8ByteOrderMark() throws IOException {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] body = "pid,x\n1,2\n".getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[bom.length + body.length];
    System.arraycopy(bom, 0, all, 0, 3);
    System.arraycopy(body, 0, all, 3, body.length);
    assertEquals("pid", read(all, StandardCharsets.UTF_8, ',').get(0).fields().get(0));
  }

  @Test
  void unclosedQuoteQuarantinesOnlyItsLineAndReadingResumes() throws IOException {
    var recs = read("a,b\n1,\"oops\n2,fine\n3,\"trunc");
    assertEquals(4, recs.size());
    assertEquals(CsvRecordReader.Reason.MALFORMED_QUOTING, recs.get(1).error());
    assertEquals("1,\"oops", recs.get(1).raw());
    assertEquals(List.of("2", "fine"), recs.get(2).fields());
    assertEquals(3, recs.get(2).line());
    assertEquals(CsvRecordReader.Reason.MALFORMED_QUOTING, recs.get(3).error());
  }

  /** A note of {@code lines} lines, as the field holds it (lines joined by line breaks). */
  private static String note(int lines) {
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < lines; k++) {
      sb.append(k == 0 ? "" : "\n").append("line ").append(k).append(" of a long note, with a comma");
    }
    return sb.toString();
  }

  /**
   * A quoted free-text field of many lines is one record, and the rows after it keep their numbers:
   * the data row number counts records (a multi-line record is one row), the line number is the
   * record's first physical line.
   */
  private static void longQuotedFieldIsOneRecord(int lines) throws IOException {
    String text = note(lines);
    var recs = read("pid,note,x\r\n1,,a\r\n2,\"" + text.replace("\n", "\r\n") + "\",b\r\n3,short,c\r\n4,\"two\nlines\",d\r\n5,,e\r\n");
    assertEquals(6, recs.size(), "header and 5 data rows");
    recs.forEach(r -> assertNull(r.error(), r.toString()));
    assertEquals(List.of("2", text, "b"), recs.get(2).fields());
    assertEquals(3, recs.get(2).line());
    assertEquals(List.of("3", "short", "c"), recs.get(3).fields());
    assertEquals(3 + lines, recs.get(3).line());
    assertEquals(List.of("4", "two\nlines", "d"), recs.get(4).fields());
    assertEquals(List.of("5", "", "e"), recs.get(5).fields());
    assertEquals(4 + lines + 2, recs.get(5).line());
  }

  @Test
  void quotedFieldOfSixtyLinesIsOneRecord() throws IOException {
    longQuotedFieldIsOneRecord(60);
  }

  @Test
  void quotedFieldOfFiveHundredLinesIsOneRecord() throws IOException {
    longQuotedFieldIsOneRecord(500);
  }

  /** Rows {@code from..to} of a plain file, one per line: "k,row k,x". */
  private static void rows(StringBuilder sb, int from, int to) {
    for (int k = from; k <= to; k++) {
      sb.append(k).append(",row ").append(k).append(",x\n");
    }
  }

  /**
   * A quote that never closes, near the start of a file several times the bound: only its own line is
   * quarantined, every other line is read once as its own row with its own number (the rows reconcile
   * with the lines), and what the reader holds while looking for the closing quote stays bounded.
   */
  @Test
  void unterminatedQuoteNearTheStartOfALargeFileQuarantinesOnlyItsLine() throws IOException {
    StringBuilder sb = new StringBuilder("pid,note,x\n");
    rows(sb, 1, 2);
    sb.append("3,\"never closed,x\n");
    int n = 3 * CsvRecordReader.MAX_RECORD_CHARS / 20;
    rows(sb, 4, n);
    assertTrue(sb.length() > 2 * CsvRecordReader.MAX_RECORD_CHARS);
    var recs = read(sb.toString());
    assertEquals(1 + n, recs.size(), "one record per data row");
    var bad = recs.get(3);
    assertEquals(CsvRecordReader.Reason.MALFORMED_QUOTING, bad.error());
    assertEquals("3,\"never closed,x", bad.raw());
    for (int k = 1; k <= n; k++) {
      var r = recs.get(k);
      assertEquals(k + 1, r.line(), "the k-th data row is line k + 1");
      if (k != 3) {
        assertEquals(List.of(String.valueOf(k), "row " + k, "x"), r.fields());
      }
    }
  }

  /**
   * Up to the bound a quoted field is followed to its closing quote; past it the quote is taken for a
   * stray one: its line is quarantined alone and the lines after it are read as rows, each once.
   */
  @Test
  void aRecordUpToTheBoundIsReadWholeAndOnePastItIsCutAtItsFirstLine() throws IOException {
    String head = "1,\"";
    String tail = "\",y";
    // lines of 99 characters and a line break: the record is head, the lines and tail, joined
    String line = "z".repeat(99);
    int lines = (CsvRecordReader.MAX_RECORD_CHARS - head.length() - tail.length()) / 100;
    String fits = line + "\n" + (line + "\n").repeat(lines - 1);
    int pad = CsvRecordReader.MAX_RECORD_CHARS - (head.length() + fits.length() + tail.length());
    String field = fits + "z".repeat(pad);
    assertEquals(CsvRecordReader.MAX_RECORD_CHARS, head.length() + field.length() + tail.length());
    var whole = read("a,b\n" + head + field + tail + "\n2,ok\n");
    assertEquals(3, whole.size());
    assertEquals(List.of("1", field, "y"), whole.get(1).fields());
    assertEquals(List.of("2", "ok"), whole.get(2).fields());

    var cut = read("a,b\n" + head + field + "z" + tail + "\n2,ok\n");
    assertEquals(CsvRecordReader.Reason.MALFORMED_QUOTING, cut.get(1).error());
    assertEquals(head + line, cut.get(1).raw());
    long physicalLines = 1 + (head + field + tail).chars().filter(c -> c == '\n').count() + 1 + 1;
    assertEquals(physicalLines, cut.size(), "every line after the cut is one record");
    assertEquals(List.of("2", "ok"), cut.get(cut.size() - 1).fields());
    assertEquals(physicalLines, cut.get(cut.size() - 1).line());
  }

  /** A field of empty lines holds few characters but many lines: the lines are bounded too. */
  @Test
  void aQuotedFieldOfMoreLinesThanTheBoundIsCutAtItsFirstLine() throws IOException {
    int max = CsvRecordReader.MAX_RECORD_LINES;
    var whole = read("a,b\n1,\"" + "\n".repeat(max - 1) + "\",y\n2,ok\n");
    assertEquals(3, whole.size());
    assertEquals(List.of("1", "\n".repeat(max - 1), "y"), whole.get(1).fields());
    var cut = read("a,b\n1,\"" + "\n".repeat(max) + "\",y\n2,ok\n");
    assertEquals(CsvRecordReader.Reason.MALFORMED_QUOTING, cut.get(1).error());
    // the empty lines are skipped as blank lines; the closing line's quote now opens a field that never closes
    assertEquals(4, cut.size());
    assertEquals(CsvRecordReader.Reason.MALFORMED_QUOTING, cut.get(2).error());
    assertEquals(List.of("2", "ok"), cut.get(3).fields());
  }

  @Test
  void strayQuoteInsideUnquotedFieldIsMalformed() throws IOException {
    var recs = read("a,b\n1,ab\"c\n2,\"x\"y\n");
    assertEquals(CsvRecordReader.Reason.MALFORMED_QUOTING, recs.get(1).error());
    assertEquals(CsvRecordReader.Reason.MALFORMED_QUOTING, recs.get(2).error());
  }

  @Test
  void invalidBytesInDeclaredEncodingAreReportedPerLine() throws IOException {
    byte[] latin1 = "a,b\nJos\u00e9,1\nok,2\n".getBytes(StandardCharsets.ISO_8859_1);
    var recs = read(latin1, StandardCharsets.UTF_8, ',');
    assertEquals(CsvRecordReader.Reason.BAD_ENCODING, recs.get(1).error());
    assertNull(recs.get(2).error());
    var ok = read(latin1, Charset.forName("windows-1252"), ',');
    assertEquals("Jos\u00e9", ok.get(1).fields().get(0));
  }

  @Test
  void aBadlyEncodedLineKeepsItsFieldsUnlessAQuoteGoesOnToTheNextLineAndABadHeaderHasNone() throws IOException {
    byte[] bytes = "a,b\nJos\u00e9,1\n\"Jos\u00e9, M.\",\u00e9\n\"open \u00e9\n3,4\nx\"\u00e9,5\n"
        .getBytes(StandardCharsets.ISO_8859_1);
    var recs = read(bytes, StandardCharsets.UTF_8, ',');
    assertEquals(List.of("Jos\uFFFD", "1"), recs.get(1).fields());   // the delimiter stands after the bad byte
    assertEquals(CsvRecordReader.Reason.BAD_ENCODING, recs.get(2).error());
    assertEquals(List.of("Jos\uFFFD, M.", "\uFFFD"), recs.get(2).fields());   // quoted as on any line
    // a quote open at the end of a bad line is not followed: the line alone, its fields unknown, and the next
    // line read as its own record
    assertEquals(CsvRecordReader.Reason.BAD_ENCODING, recs.get(3).error());
    assertNull(recs.get(3).fields());
    assertEquals(4, recs.get(3).line());
    assertEquals(List.of("3", "4"), recs.get(4).fields());
    assertEquals(5, recs.get(4).line());
    assertEquals(CsvRecordReader.Reason.BAD_ENCODING, recs.get(5).error());   // a stray quote: bad bytes first
    assertNull(recs.get(5).fields());
    assertEquals(6, recs.size());
    try (CsvRecordReader r = new CsvRecordReader(new ByteArrayInputStream(
        "\u00e9,b\n1,2\n".getBytes(StandardCharsets.ISO_8859_1)), StandardCharsets.UTF_8, ',', '"')) {
      CsvRecordReader.RawRecord header = r.header();
      assertEquals(CsvRecordReader.Reason.BAD_ENCODING, header.error());
      assertNull(header.fields());
    }
  }

  @Test
  void blankLinesAreSkippedAndTruncatedLastLineIsKept() throws IOException {
    var recs = read("a;b\n\n1;2\n3");
    assertEquals(3, recs.size());
    assertEquals(List.of("3"), read("a;b\n\n1;2\n3".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8, ';').get(2).fields());
  }

  @Test
  void loneCarriageReturnLineEndingsSplitLines() throws IOException {
    // classic Mac line endings (Excel's "CSV (Macintosh)"): read on \n alone, the file is one line, its
    // header the whole file, and a header check that finds its mapped columns reads no row at all
    String text = "pid,x,note\r1,2,\"two\rlines\"\r\r3,4,\"open\r5,6,z\r";
    List<CsvRecordReader.RawRecord> recs = read(text);
    assertEquals(4, recs.size());
    assertEquals(List.of("pid", "x", "note"), recs.get(0).fields());
    assertEquals(List.of("1", "2", "two\nlines"), recs.get(1).fields());
    assertEquals(2, recs.get(1).line());
    assertEquals(CsvRecordReader.Reason.MALFORMED_QUOTING, recs.get(2).error());
    assertEquals(5, recs.get(2).line());
    assertEquals(List.of("5", "6", "z"), recs.get(3).fields());
    assertEquals(6, recs.get(3).line());
  }

  @Test
  void loneCarriageReturnInsideALineOfACrLfFileStaysInIt() throws IOException {
    List<CsvRecordReader.RawRecord> recs = read("pid,x\r\n1,a\rb\r\n2,c\r\n");
    assertEquals(3, recs.size());
    assertEquals(List.of("1", "a\rb"), recs.get(1).fields());
    assertEquals(List.of("2", "c"), recs.get(2).fields());
    // decided on the first line break even when the stream hands it out a byte at a time
    List<CsvRecordReader.RawRecord> trickled = new ArrayList<>();
    try (CsvRecordReader r = new CsvRecordReader(trickle("pid,x\r1,2\r".getBytes(StandardCharsets.UTF_8)),
        StandardCharsets.UTF_8, ',', '"')) {
      CsvRecordReader.RawRecord rec;
      while ((rec = r.next()) != null) {
        trickled.add(rec);
      }
    }
    assertEquals(2, trickled.size());
    assertEquals(List.of("1", "2"), trickled.get(1).fields());
  }

  @Test
  void crCrLfLineEndsAreLineFeedLinesWithoutTheirCarriageReturns() throws IOException {
    // a CR LF export written again by a text-mode writer: not lone-CR lines with a blank line between each
    List<CsvRecordReader.RawRecord> recs = read("pid,note\r\r\n1,\"quoted\"\r\r\n2,x\r\r\n");
    assertEquals(3, recs.size());
    assertEquals(List.of("1", "quoted"), recs.get(1).fields());
    assertEquals("2,x", recs.get(2).raw());
    assertEquals(3, recs.get(2).line());
  }

  @Test
  void theHeaderSkipsExcelsSeparatorDirectiveLine() throws IOException {
    for (String directive : List.of("sep=;", "SEP=;", "sep=,")) {
      try (CsvRecordReader r = new CsvRecordReader(new ByteArrayInputStream((directive + "\r\npid;x\r\n1;2\r\n")
          .getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8, ';', '"')) {
        assertEquals(List.of("pid", "x"), r.header().fields(), directive);
        CsvRecordReader.RawRecord row = r.next();
        assertEquals(List.of("1", "2"), row.fields(), directive);
        assertEquals(3, row.line(), "physical lines keep their numbers");
      }
    }
    // a header that only starts like the directive, and a data row that looks like it, are what they are
    try (CsvRecordReader r = new CsvRecordReader(new ByteArrayInputStream("sep=x;y\nsep=;\n".getBytes(
        StandardCharsets.UTF_8)), StandardCharsets.UTF_8, ';', '"')) {
      assertEquals(List.of("sep=x", "y"), r.header().fields());
      assertEquals(List.of("sep=", ""), r.next().fields());
    }
  }

  @Test
  void theExtraHeaderLinesAreTheRecordsAfterTheHeaderAsTheParserSkipsThem() throws IOException {
    // a question text spanning two lines is one header line, a blank line none; the data row after them keeps its number
    String text = "sep=,\nQ1,Q3\n\nPatient code,\"Session\nnumber\"\n\"{\"\"ImportId\"\":\"\"QID1\"\"}\",x\np1,1\n";
    try (CsvRecordReader r = new CsvRecordReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
        StandardCharsets.UTF_8, ',', '"')) {
      assertEquals(List.of("Q1", "Q3"), r.header().fields());
      List<CsvRecordReader.RawRecord> lines = r.extraHeaderLines(2);
      assertEquals(List.of(4L, 6L), lines.stream().map(CsvRecordReader.RawRecord::line).toList());
      assertEquals(List.of("Patient code", "Session\nnumber"), lines.get(0).fields());
      assertEquals(7, r.next().line());
    }
    // a file that ends first has fewer
    try (CsvRecordReader r = new CsvRecordReader(new ByteArrayInputStream("Q1,Q3\nPatient code,Session\n".getBytes(
        StandardCharsets.UTF_8)), StandardCharsets.UTF_8, ',', '"')) {
      r.header();
      assertEquals(1, r.extraHeaderLines(2).size());
      assertNull(r.next());
    }
  }

  /** A stream that hands out a few bytes per read, so that lines span reads of the reader's buffer. */
  private static java.io.InputStream trickle(byte[] bytes) {
    return new ByteArrayInputStream(bytes) {
      private int turn;

      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 1 + (turn++ % 5)));
      }
    };
  }

  @Test
  void linesSpanningReadsGiveTheSameRecords() throws IOException {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] body = ("pid,x,y\r\n1,\"a, \"\"b\"\"\",c\r\n2,\"two\nlines\",\uFFFD genuine\n\n3,,z\n4,\"open\n5,ok,"
        + "x".repeat(300) + "\n6,last,line").getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[bom.length + body.length];
    System.arraycopy(bom, 0, all, 0, 3);
    System.arraycopy(body, 0, all, 3, body.length);
    List<CsvRecordReader.RawRecord> whole = read(all, StandardCharsets.UTF_8, ',');
    List<CsvRecordReader.RawRecord> trickled = new ArrayList<>();
    try (CsvRecordReader r = new CsvRecordReader(trickle(all), StandardCharsets.UTF_8, ',', '"')) {
      CsvRecordReader.RawRecord rec;
      while ((rec = r.next()) != null) {
        trickled.add(rec);
      }
    }
    assertEquals(whole, trickled);
    assertEquals(List.of("pid", "x", "y"), whole.get(0).fields());
    assertEquals(List.of("1", "a, \"b\"", "c"), whole.get(1).fields());
    // a U+FFFD that is really in the file is a character like any other, not a bad byte
    assertEquals(List.of("2", "two\nlines", "\uFFFD genuine"), whole.get(2).fields());
    assertNull(whole.get(2).error());
    assertEquals(List.of("3", "", "z"), whole.get(3).fields());
    assertEquals(CsvRecordReader.Reason.MALFORMED_QUOTING, whole.get(4).error());
    assertEquals(List.of("5", "ok", "x".repeat(300)), whole.get(5).fields());
    assertEquals(List.of("6", "last", "line"), whole.get(6).fields());
    assertEquals(9, whole.get(6).line());
  }

  @Test
  void plainAsciiLinesAreReadAsViewsOfTheirBytesWithTheSameFields() throws IOException {
    var recs = read("a,b,c\n 1 ,\tx\t, \n\"q\",2,3\n\u00e4,1,2\n,,\n");
    assertEquals(5, recs.size());
    var plain = recs.get(1);
    assertTrue(plain.isAscii());
    assertEquals(List.of(" 1 ", "\tx\t", " "), plain.fields());
    assertEquals(" 1 ,\tx\t, ", plain.raw());
    assertEquals(3, plain.fieldCount());
    // the views are trimmed as String.trim trims
    for (int k = 0; k < 3; k++) {
      assertEquals(UTF8String.fromString(plain.fields().get(k).trim()), plain.utf8Field(k));
    }
    assertEquals(UTF8String.fromString(plain.raw()), plain.utf8Raw());
    assertFalse(recs.get(2).isAscii(), "a quoted line is tokenised character by character");
    assertEquals(List.of("q", "2", "3"), recs.get(2).fields());
    assertFalse(recs.get(3).isAscii(), "a non-ASCII line is decoded");
    assertEquals(List.of("\u00e4", "1", "2"), recs.get(3).fields());
    assertTrue(recs.get(4).isAscii());
    assertEquals(List.of("", "", ""), recs.get(4).fields());
    assertEquals(UTF8String.EMPTY_UTF8, recs.get(4).utf8Field(2));
  }

  @Test
  void onlyCharsetsReadingAsciiAsItselfAreCutOnBytes() throws IOException {
    assertTrue(CsvRecordReader.asciiSafe(StandardCharsets.UTF_8));
    assertTrue(CsvRecordReader.asciiSafe(Charset.forName("windows-1252")));
    assertTrue(CsvRecordReader.asciiSafe(StandardCharsets.ISO_8859_1));
    assertFalse(CsvRecordReader.asciiSafe(StandardCharsets.UTF_16LE));
    var recs = read("a;b\n1;2\n".getBytes(Charset.forName("windows-1252")), Charset.forName("windows-1252"), ';');
    assertTrue(recs.get(1).isAscii());
    assertEquals(List.of("1", "2"), recs.get(1).fields());
  }
}
