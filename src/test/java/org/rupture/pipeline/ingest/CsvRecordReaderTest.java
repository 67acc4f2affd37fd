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
  void blankLinesAreSkippedAndTruncatedLastLineIsKept() throws IOException {
    var recs = read("a;b\n\n1;2\n3");
    assertEquals(3, recs.size());
    assertEquals(List.of("3"), read("a;b\n\n1;2\n3".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8, ';').get(2).fields());
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
