package org.rupture.pipeline.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayBasedMapData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.array.ByteArrayMethods;
import org.apache.spark.unsafe.types.UTF8String;
import org.rupture.pipeline.config.SiteMapping;
import org.rupture.pipeline.config.SiteMapping.Layout;

/**
 * Executor side of ingest: streams one landed file into staged rows ({@link StagedRows}). Keeps the
 * raw line of every record (quarantine needs it), maps missing codes to null, hashes identifiers
 * at once, never reads dropped identifier columns, and melts wide exports to one record per session.
 * Every data row yields at least one record, so the manifest's counts reconcile. Records are Spark
 * internal rows (strings as {@link UTF8String}), built directly so that no per-row conversion from
 * external rows is needed; the per-file constants are encoded once.
 */
public final class FileParser implements Iterator<InternalRow>, java.io.Closeable {
  public static final String WRONG_FIELD_COUNT = "WRONG_FIELD_COUNT";
  /** A row with nothing in it: every field empty (any layout), or a wide row with no session's values. */
  public static final String EMPTY_ROW = "EMPTY_ROW";
  /**
   * Raised whenever the same file under the same mapping now yields other records (a parsing fix), because
   * such a fix ships under the same software version and stored records of unchanged files would otherwise
   * be reused as the old parser made them ({@link IngestState.Compatibility}). 2: wide session columns are
   * read under the header's own names (zero-padded {@code _s01} was lost as empty rows). 3: a mapped column
   * repeated in the header fails the header check (its first copy was read). 4: a quoted field of more than
   * 50 lines is one record ({@link CsvRecordReader}; it became one quarantined record per line). 5: a wide
   * record carries its session's header columns ({@code wide_columns}), which its field issues name, and
   * the rules' records (stored for the next run) the session value of a record whose session is no number.
   * 6: a file with lone-CR line endings is split into its lines ({@link CsvRecordReader}; it was one header line),
   * and a line ending in {@code \r\r\n} loses both CRs (a quoted last field was malformed).
   * 7: the field rules (whose records are stored alike): an integral decimal session number ({@code 1.0}) is
   * that session (it was BAD_SESSION_NUMBER), and a number in Java's syntax ({@code 4f}, {@code 0x1p2}) is
   * NOT_NUMERIC (it was read as 4).
   * 8: sessions attended read as session numbers are: {@code 12.0} is 12 (it was NOT_NUMERIC).
   * 9: no-break spaces and byte-order marks around a value or header name are trimmed
   * ({@link CsvRecordReader#trimField}; an id with one was another patient), and a line whose bad bytes are only in
   * columns the mapping does not read is parsed (it was quarantined BAD_ENCODING); a line of empty fields is
   * EMPTY_ROW (it was MISSING_PATIENT, or WRONG_FIELD_COUNT for a line of spaces).
   * 10: such a line is parsed also when it holds quoted fields that close within it (it was quarantined
   * BAD_ENCODING).
   */
  public static final int REVISION = 10;

  private final SourceFile file;
  private final SiteMapping mapping;
  private final KeyHasher hasher;
  // the mapping's missing codes, trimmed; a handful, so a scan by length is cheaper than hashing every value
  private final UTF8String[] missing;
  // this file's keys by raw id (one site): most ids recur on many rows
  private final Map<UTF8String, UTF8String> keys = new HashMap<>();
  private final CsvRecordReader reader;
  private final MessageDigest digest;
  private final Deque<InternalRow> pending = new ArrayDeque<>();
  private final PackedItems.Builder packed = new PackedItems.Builder();
  private final UTF8String site;
  private final UTF8String delivery;
  private final UTF8String sourceFile;
  private final UTF8String mappingId;
  private final UTF8String raterValue;
  private final UTF8String[] extraNames;
  private FileLayout layout;
  // wide layout: per session, FileLayout.wideColumnNames as one map shared by all of the session's records
  private ArrayBasedMapData[] wideColumns;
  private long dataRows;
  private boolean finished;

  public FileParser(SourceFile file, SiteMapping mapping, KeyHasher hasher, Configuration hadoopConf) {
    this.file = file;
    this.mapping = mapping;
    this.hasher = hasher;
    this.site = UTF8String.fromString(file.site());
    this.delivery = UTF8String.fromString(file.delivery());
    this.sourceFile = UTF8String.fromString(file.relativePath());
    this.mappingId = UTF8String.fromString(mapping.id());
    this.raterValue = mapping.sessions() == null ? null : u(mapping.sessions().raterValue());
    this.extraNames = mapping.sessions() == null ? new UTF8String[0] : mapping.sessions().extras().stream()
        .map(e -> UTF8String.fromString(e.name())).toArray(UTF8String[]::new);
    this.missing = mapping.missingCodes().stream().map(String::trim).distinct()
        .map(UTF8String::fromString).toArray(UTF8String[]::new);
    try {
      digest = MessageDigest.getInstance("SHA-256");
      Path p = new Path(file.path());
      FileSystem fs = p.getFileSystem(hadoopConf);
      InputStream in = new DigestInputStream(fs.open(p), digest);
      reader = new CsvRecordReader(in, Charset.forName(mapping.dialect().encoding()),
          mapping.dialect().delimiter(), mapping.dialect().quote());
      readHeader();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file.path(), e);
    }
  }

  /** Reads the header line (and the extra header lines); an empty file has none. */
  private void readHeader() throws IOException {
    CsvRecordReader.RawRecord header = reader.header();
    if (header == null || header.fields() == null) {
      return; // empty or unreadable header: the driver's header check reports it before parsing
    }
    // skipped unread: the driver's header check has looked at them (a data row among them fails it)
    reader.extraHeaderLines(mapping.dialect().extraHeaderLines());
    List<String> names = header.fields().stream().map(CsvRecordReader::trimField).toList();
    layout = FileLayout.of(names, mapping, file.kind());
    if (layout.wideColumnNames != null) {
      wideColumns = new ArrayBasedMapData[layout.wideColumnNames.size()];
      for (int k = 0; k < wideColumns.length; k++) {
        Map<String, String> m = layout.wideColumnNames.get(k);
        wideColumns[k] = new ArrayBasedMapData(
            new GenericArrayData(m.keySet().stream().map(UTF8String::fromString).toArray()),
            new GenericArrayData(m.values().stream().map(UTF8String::fromString).toArray()));
      }
    }
  }

  @Override
  public boolean hasNext() {
    while (pending.isEmpty() && !finished) {
      advance();
    }
    return !pending.isEmpty();
  }

  @Override
  public InternalRow next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return pending.poll();
  }

  /** Closes the file when reading stops before its end (a failed or cancelled task); idempotent. */
  @Override
  public void close() throws IOException {
    if (!finished) {
      finished = true;
      reader.close();
    }
  }

  private void advance() {
    try {
      CsvRecordReader.RawRecord rec = layout == null ? null : reader.next();
      if (rec == null) {
        drain();
        pending.add(fileRecord());
        reader.close();
        finished = true;
        return;
      }
      dataRows++;
      // a line of empty fields (",,,," or spaces) holds nothing: EMPTY_ROW, not a record missing its patient or
      // with the wrong field count
      String error = rec.error() == null && rec.allFieldsEmpty() ? EMPTY_ROW
          : rec.fieldCount() != layout.header.size() ? (rec.error() != null ? rec.error().name() : WRONG_FIELD_COUNT)
          // bad bytes only in columns not read (a dropped name, an unmapped free text) spoil nothing kept
          : rec.error() == CsvRecordReader.Reason.BAD_ENCODING && !layout.readsReplacement(rec.fields()) ? null
          : rec.error() != null ? rec.error().name() : null;
      if (error != null) {
        pending.add(errorRecord(rec, error));
      } else if (file.kind() == SourceFile.Kind.PATIENTS) {
        pending.add(patientRecord(rec));
      } else if (mapping.sessions().layout() == Layout.LONG) {
        pending.add(longSessionRecord(rec));
      } else {
        wideSessionRecords(rec);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file.path(), e);
    }
  }

  /** A file without a usable header is not parsed, but its checksum still covers every byte. */
  private void drain() throws IOException {
    if (layout == null) {
      while (reader.next() != null) {
        // consumed for the digest only
      }
    }
  }

  /**
   * Field {@code idx} trimmed, as a Spark string, or null when the column is not mapped ({@code idx < 0})
   * or holds a missing code. For a plain ASCII line it is a view of the line's bytes: no Java string.
   */
  private UTF8String utf8(CsvRecordReader.RawRecord rec, int idx) {
    if (idx < 0) {
      return null;
    }
    UTF8String v = rec.isAscii() ? rec.utf8Field(idx) : UTF8String.fromString(CsvRecordReader.trimField(rec.fields().get(idx)));
    return isMissing(v.getBaseObject(), v.getBaseOffset(), v.numBytes()) ? null : v;
  }

  /** Whether the {@code n} bytes at {@code offset} of {@code base} are one of the mapping's missing codes. */
  private boolean isMissing(Object base, long offset, int n) {
    for (UTF8String code : missing) {
      if (code.numBytes() == n
          && ByteArrayMethods.arrayEquals(code.getBaseObject(), code.getBaseOffset(), base, offset, n)) {
        return true;
      }
    }
    return false;
  }

  private static final UTF8String DATA = UTF8String.fromString(StagedRows.DATA);
  private static final UTF8String FILE = UTF8String.fromString(StagedRows.FILE);

  private static UTF8String u(String s) {
    return s == null ? null : UTF8String.fromString(s);
  }

  private UTF8String key(UTF8String rawId) {
    if (rawId == null) {
      return null;
    }
    UTF8String key = keys.get(rawId);
    if (key == null) {
      if (keys.size() > 100_000) {
        keys.clear();
      }
      key = u(hasher.key(file.site(), rawId.toString()));
      keys.put(rawId.copy(), key);
    }
    return key;
  }

  private Object[] base(CsvRecordReader.RawRecord rec, String error, UTF8String patientKey, UTF8String therapistKey) {
    int width = file.kind() == SourceFile.Kind.SESSIONS ? StagedRows.SESSIONS.size() : StagedRows.PATIENTS.size();
    Object[] v = new Object[width];
    v[0] = DATA;
    v[1] = site;
    v[2] = delivery;
    v[3] = sourceFile;
    v[4] = dataRows;
    v[5] = mappingId;
    v[6] = u(error);
    v[7] = rec.isAscii() ? rec.utf8Raw() : u(rec.raw());
    v[8] = patientKey;
    v[9] = therapistKey;
    return v;
  }

  private InternalRow errorRecord(CsvRecordReader.RawRecord rec, String error) {
    return new GenericInternalRow(base(rec, error, null, null));
  }

  private InternalRow fileRecord() {
    int width = file.kind() == SourceFile.Kind.SESSIONS ? StagedRows.SESSIONS.size() : StagedRows.PATIENTS.size();
    Object[] v = new Object[width];
    v[0] = FILE;
    v[1] = site;
    v[2] = delivery;
    v[3] = sourceFile;
    v[5] = mappingId;
    v[width - 3] = u(java.util.HexFormat.of().formatHex(digest.digest()));
    v[width - 2] = dataRows;
    v[width - 1] = reader.linesRead();
    return new GenericInternalRow(v);
  }

  /** A record of a one-record-per-row layout: hashed keys, then the mapped fields in staging order. */
  private Object[] keyedRecord(CsvRecordReader.RawRecord rec) {
    int[] idx = layout.fieldIdx;
    Object[] v = base(rec, null, key(utf8(rec, layout.patientIdx)), key(utf8(rec, idx[0])));
    for (int i = 1; i < idx.length; i++) {
      v[9 + i] = utf8(rec, idx[i]);
    }
    return v;
  }

  private InternalRow longSessionRecord(CsvRecordReader.RawRecord rec) {
    Object[] v = keyedRecord(rec);
    if (raterValue != null) {
      v[12] = raterValue;
    }
    v[17] = items(rec, layout.allianceIdx);
    v[18] = extras(rec, layout.extraIdx);
    return new GenericInternalRow(v);
  }

  private void wideSessionRecords(CsvRecordReader.RawRecord rec) {
    UTF8String patientKey = key(utf8(rec, layout.patientIdx));
    int emitted = 0;
    for (int k = 0; k < layout.sessionNumbers.length; k++) {
      int[] idx = layout.wideIdx[k];
      Object[] v = base(rec, null, patientKey, key(utf8(rec, idx[0])));
      boolean any = false;
      for (int i = 1; i < idx.length; i++) {
        UTF8String x = utf8(rec, idx[i]);
        v[9 + i] = x;
        // rater is per row, so it alone does not make a session present
        any |= x != null && i != 3;
      }
      Object items = items(rec, layout.wideAllianceIdx[k]);
      Object extras = extras(rec, layout.wideExtraIdx[k]);
      any |= items != null || extras != null;
      if (!any) {
        continue;
      }
      v[10] = UTF8String.fromString(Integer.toString(layout.sessionNumbers[k]));
      if (raterValue != null) {
        v[12] = raterValue;
      }
      v[17] = items;
      v[18] = extras;
      v[19] = wideColumns[k];
      pending.add(new GenericInternalRow(v));
      emitted++;
    }
    if (emitted == 0) {
      pending.add(errorRecord(rec, EMPTY_ROW));
    }
  }

  /**
   * The alliance items as {@link PackedItems}, or null when no item is given. A plain ASCII line's
   * fields are copied from its bytes, with no Spark string made per item.
   */
  private byte[] items(CsvRecordReader.RawRecord rec, int[] idx) {
    if (idx == null || idx.length == 0) {
      return null;
    }
    packed.reset();
    for (int k : idx) {
      if (k < 0) {
        packed.addNotGiven();
      } else if (rec.isAscii()) {
        int from = rec.trimmedStart(k);
        int n = rec.trimmedEnd(k, from) - from;
        long offset = Platform.BYTE_ARRAY_OFFSET + from;
        if (isMissing(rec.asciiBytes(), offset, n)) {
          packed.addNotGiven();
        } else {
          packed.add(rec.asciiBytes(), offset, n);
        }
      } else {
        UTF8String v = utf8(rec, k);
        if (v == null) {
          packed.addNotGiven();
        } else {
          packed.add(v.getBaseObject(), v.getBaseOffset(), v.numBytes());
        }
      }
    }
    return packed.anyGiven() ? packed.build() : null;
  }

  /** The extra variables present in the row, as a map from name to raw value, or null when none is. */
  private Object extras(CsvRecordReader.RawRecord rec, int[] idx) {
    if (idx == null || idx.length == 0) {
      return null;
    }
    List<Object> names = new ArrayList<>(idx.length);
    List<Object> values = new ArrayList<>(idx.length);
    for (int i = 0; i < idx.length; i++) {
      UTF8String x = utf8(rec, idx[i]);
      if (x != null) {
        names.add(extraNames[i]);
        values.add(x);
      }
    }
    return names.isEmpty() ? null
        : new ArrayBasedMapData(new GenericArrayData(names.toArray()), new GenericArrayData(values.toArray()));
  }

  private InternalRow patientRecord(CsvRecordReader.RawRecord rec) {
    Object[] v = keyedRecord(rec);
    Object[] baseline = new Object[layout.baselineIdx.length];
    Object[] termination = new Object[layout.baselineIdx.length];
    for (int i = 0; i < layout.baselineIdx.length; i++) {
      baseline[i] = utf8(rec, layout.baselineIdx[i]);
      termination[i] = utf8(rec, layout.terminationIdx[i]);
    }
    v[14] = new GenericArrayData(baseline);
    v[15] = new GenericArrayData(termination);
    return new GenericInternalRow(v);
  }
}
