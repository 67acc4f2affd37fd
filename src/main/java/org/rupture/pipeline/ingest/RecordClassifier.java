package org.rupture.pipeline.ingest;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.rupture.pipeline.curated.CuratedTables;

/**
 * Gives every record exactly one status (SPEC section 4, "Nothing is lost"):
 * {@code accepted}, {@code quarantined} (reasons non-empty, or a conflicting duplicate within the
 * latest delivery: {@code DUPLICATE_CONFLICT}) or {@code superseded} (an earlier delivery of the key:
 * {@code SUPERSEDED_BY_LATER_DELIVERY}; an identical copy within one delivery: {@code DUPLICATE_IDENTICAL}).
 * File summary records get status {@code file}. Records that cannot be keyed (not data, or already
 * given a reason by the rules) take part in no key.
 *
 * <p>How: every key lives in one site, and each task holds whole sites (the landing scan's partitions,
 * or after one shuffle by site), so each task classifies its own records with a hash table over the keys
 * ({@link PartitionClassifier}): one look at every record to summarise its key, one more to give it
 * its status. A window over the key did the same with a sort of all 8 M session records by a long
 * string key and two window operators copying every row; that was over a quarter of the ingest's CPU.
 */
public final class RecordClassifier {
  public static final String ACCEPTED = "accepted";
  public static final String QUARANTINED = "quarantined";
  public static final String SUPERSEDED = "superseded";
  public static final String FILE = "file";
  /** The reasons the rules gave, kept next to the classifier's {@code reasons} for the ingest state. */
  public static final String RULE_REASONS = "rule_reasons";

  private static final String CONTENT_HASH = "content_hash";
  private static final String CLASSIFIER_REASON = "classifier_reason";

  private RecordClassifier() {}

  /**
   * @param rules output of the rules: {@code reasons}, lineage, and the canonical columns
   * @param keys the canonical key columns (e.g. site, patient_key, session_number, rater)
   * @param content the canonical value columns that decide whether two copies are identical
   * @param groupedBySite whether every partition holds whole sites, each site's records one after the
   *     other (the landing scan's partitions); if not, they are shuffled by site first
   * @return the records with {@code status}, the classifier's {@code reasons} and the rules' own
   *     ({@link #RULE_REASONS}); within every partition each site's records come together, as the
   *     site-partitioned writes after it need ({@link MultiTableWriter})
   */
  public static Dataset<Row> classify(Dataset<Row> rules, List<String> keys, List<String> content,
      boolean groupedBySite) {
    // Raw lines are kept only for rows already quarantined by a rule; the few rows quarantined here
    // (conflicting duplicates) get theirs back from their files afterwards (IngestStage), which keeps
    // the widest column out of the rows held in memory.
    Dataset<Row> bySite = rules.withColumn(RULE_REASONS, col("reasons"))
        .withColumn("raw_line", when(size(col("reasons")).gt(0), col("raw_line")))
        // copies are told apart by a 64-bit hash of their contents
        .withColumn(CONTENT_HASH, contentHash(rules.schema(), content));
    if (!groupedBySite) {
      bySite = bySite.repartition(CuratedTables.siteWriteTasks(rules.sparkSession()), col("site"));
    }
    StructType schema = bySite.schema();
    PartitionClassifier classifier = new PartitionClassifier(schema, keys, groupedBySite);
    JavaRDD<InternalRow> classified = ((org.apache.spark.sql.classic.Dataset<Row>) bySite).queryExecution()
        .toRdd().toJavaRDD().mapPartitions(classifier);
    StructType out = schema.add("status", DataTypes.StringType, false)
        .add(CLASSIFIER_REASON, DataTypes.StringType, true);
    Dataset<Row> withStatus = ((org.apache.spark.sql.classic.SparkSession) rules.sparkSession())
        .internalCreateDataFrame(classified.rdd(), out, false);
    return withStatus
        .withColumn("reasons", when(col(CLASSIFIER_REASON).isNotNull(), array(col(CLASSIFIER_REASON)))
            .otherwise(col("reasons")))
        .drop(CONTENT_HASH, CLASSIFIER_REASON);
  }

  /**
   * The 64-bit hash that tells a key's copies apart: xxhash64 of the content columns, each value preceded
   * by whether it is null.
   *
   * <p>Why not xxhash64 of the columns themselves: it skips null inputs (it leaves the running hash as it
   * is), at every depth: columns, struct fields, array elements. Hashed as they were, intensity 3 with
   * resolution null and intensity null with resolution 3 gave one hash, as did any value moved between
   * columns of one type across nulls (or a baseline score that became the termination score), and such
   * conflicting copies passed as identical ones (superseded instead of all quarantined). With the flags the
   * hashed sequence says where every null is: a null hashes as {@code true}, a value as {@code false}
   * and the value. Structs are taken field by field and arrays element by element the same way, each
   * array's size first, so that where an array ends is hashed too.
   *
   * <p>One Spark expression, deterministic and compiled by whole-stage codegen for flat records (the
   * session ratings; a column that cannot be null adds a constant flag). Only arrays (the patients'
   * scores) take a higher-order function, which keeps that projection out of whole-stage codegen; patient
   * records are few next to session ratings. The
   * hash is compared only among the copies of a key within one classification and never stored, so a
   * change to it leaves nothing stored by an earlier version inconsistent.
   */
  static Column contentHash(StructType schema, List<String> content) {
    List<Column> hashed = new ArrayList<>();
    for (String c : content) {
      hashed.addAll(nullsMarked(col(c), schema.apply(c).dataType()));
    }
    return xxhash64(hashed.toArray(Column[]::new));
  }

  /** {@code value} as columns to hash in which a null differs from every value, at every depth. */
  private static List<Column> nullsMarked(Column value, DataType type) {
    List<Column> out = new ArrayList<>();
    out.add(value.isNull());
    if (type instanceof StructType struct) {
      for (StructField f : struct.fields()) {
        out.addAll(nullsMarked(value.getField(f.name()), f.dataType()));
      }
    } else if (type instanceof ArrayType array) {
      out.add(size(value));
      out.add(transform(value, e -> struct(nullsMarked(e, array.elementType()).toArray(Column[]::new))));
    } else {
      out.add(value);
    }
    return out;
  }

  /**
   * Classifies the records of one task. The task's records are held (as compact Spark rows) while a
   * hash table keyed by the key columns' bytes summarises every key: its latest delivery, the smallest
   * and largest content hash within that delivery (they differ when its copies conflict) and which of
   * its copies there comes first by file and row (that one stays accepted). What is held: one site's
   * records when sites arrive one after the other (the landing scan), else the task's share of the
   * records, 1 / {@link CuratedTables#siteWriteTasks} of them. Records leave grouped by site, in the
   * order their sites first came in.
   */
  static final class PartitionClassifier implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
    private static final UTF8String DATA = UTF8String.fromString(StagedRows.DATA);
    private static final UTF8String FILE_STATUS = UTF8String.fromString(FILE);
    private static final UTF8String QUARANTINED_STATUS = UTF8String.fromString(QUARANTINED);
    private static final UTF8String SUPERSEDED_STATUS = UTF8String.fromString(SUPERSEDED);
    private static final UTF8String ACCEPTED_STATUS = UTF8String.fromString(ACCEPTED);
    private static final UTF8String LATER_DELIVERY = UTF8String.fromString("SUPERSEDED_BY_LATER_DELIVERY");
    private static final UTF8String CONFLICT = UTF8String.fromString("DUPLICATE_CONFLICT");
    private static final UTF8String IDENTICAL = UTF8String.fromString("DUPLICATE_IDENTICAL");

    private final int recordType;
    private final int reasons;
    private final int site;
    private final int delivery;
    private final int sourceFile;
    private final int sourceRow;
    private final int contentHash;
    private final int[] keyOrdinals;
    private final DataType[] keyTypes;
    private final boolean sitesArriveTogether;

    /**
     * @param sitesArriveTogether whether each site's records come one after the other (the landing
     *     scan's partitions): then one site's records are held at a time, else the task's
     */
    PartitionClassifier(StructType schema, List<String> keys, boolean sitesArriveTogether) {
      this.sitesArriveTogether = sitesArriveTogether;
      recordType = schema.fieldIndex("record_type");
      reasons = schema.fieldIndex("reasons");
      site = schema.fieldIndex("site");
      delivery = schema.fieldIndex("delivery");
      sourceFile = schema.fieldIndex("source_file");
      sourceRow = schema.fieldIndex("source_row");
      contentHash = schema.fieldIndex(CONTENT_HASH);
      keyOrdinals = keys.stream().mapToInt(schema::fieldIndex).toArray();
      keyTypes = keys.stream().map(k -> schema.apply(k).dataType()).toArray(DataType[]::new);
    }

    /** What the records of one key have in common. */
    private static final class KeySummary {
      UTF8String latest;
      long smallestHash;
      long largestHash;
      int first;
    }

    @Override
    public Iterator<InternalRow> call(Iterator<InternalRow> input) {
      List<Expression> keyColumns = new ArrayList<>();
      for (int i = 0; i < keyOrdinals.length; i++) {
        keyColumns.add(new BoundReference(keyOrdinals[i], keyTypes[i], true));
      }
      UnsafeProjection keyOf = UnsafeProjection.create(
          scala.jdk.javaapi.CollectionConverters.asScala(keyColumns).toList());
      GenericInternalRow extra = new GenericInternalRow(2);
      JoinedRow joined = new JoinedRow();
      return new Iterator<>() {
        private Batch batch;
        private InternalRow lookahead;   // the first row of the next site, when sites arrive together
        private int next;
        private int lastBatchRows = 1024;

        @Override
        public boolean hasNext() {
          while (batch == null || next >= batch.order.length) {
            if (lookahead == null && !input.hasNext()) {
              batch = null;              // let the last batch go
              return false;
            }
            batch = readBatch();
            next = 0;
          }
          return true;
        }

        @Override
        public InternalRow next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          int i = batch.order[next++];
          InternalRow row = batch.rows.set(i, null);   // released as it goes
          classify(row, batch.summaries.set(i, null), i, extra);
          return joined.apply(row, extra);
        }

        /** The next site's records (sites arriving together), else all of the task's. */
        private Batch readBatch() {
          // sized like the last batch (sites are alike): no rehashing and regrowing as a site's rows come
          Batch b = new Batch(lastBatchRows);
          Map<UTF8String, Integer> sites = new HashMap<>();
          Map<UnsafeRow, KeySummary> byKey = new HashMap<>(Math.max(16, lastBatchRows * 4 / 3 + 1));
          IntList siteOfRow = new IntList();
          UTF8String lastSite = null;
          int siteIndex = -1;
          while (lookahead != null || input.hasNext()) {
            InternalRow row = lookahead != null ? lookahead : input.next().copy();
            lookahead = null;
            // consecutive rows are mostly of one site: the table of sites is consulted on a change only
            if (lastSite == null || !RowStrings.equals(row, site, lastSite)) {
              if (sitesArriveTogether && lastSite != null) {
                lookahead = row;
                break;
              }
              lastSite = row.getUTF8String(site);
              siteIndex = sites.computeIfAbsent(lastSite, k -> sites.size());
            }
            int index = b.rows.size();
            b.rows.add(row);
            siteOfRow.add(siteIndex);
            KeySummary summary = null;
            if (keyable(row)) {
              summary = byKey.computeIfAbsent(keyOf.apply(row).copy(), k -> new KeySummary());
              offer(summary, row, index, b.rows);
            }
            b.summaries.add(summary);
          }
          b.order = groupedBySite(siteOfRow, sites.size());
          lastBatchRows = b.rows.size();
          return b;
        }
      };
    }

    /** Records classified together: their rows, each one's key summary, and the order they leave in. */
    private static final class Batch {
      final List<InternalRow> rows;
      final List<KeySummary> summaries;
      int[] order;

      Batch(int expectedRows) {
        rows = new ArrayList<>(expectedRows);
        summaries = new ArrayList<>(expectedRows);
      }
    }

    private boolean keyable(InternalRow row) {
      return RowStrings.equals(row, recordType, DATA) && (row.isNullAt(reasons) || row.getArray(reasons).numElements() == 0);
    }

    private void offer(KeySummary s, InternalRow row, int index, List<InternalRow> rows) {
      long hash = row.getLong(contentHash);
      int c = s.latest == null ? 1 : compareDelivery(row, s.latest);
      if (c > 0) {
        s.latest = row.getUTF8String(delivery);
        s.smallestHash = hash;
        s.largestHash = hash;
        s.first = index;
      } else if (c == 0) {
        s.smallestHash = Math.min(s.smallestHash, hash);
        s.largestHash = Math.max(s.largestHash, hash);
        if (before(row, rows.get(s.first))) {
          s.first = index;
        }
      }
    }

    /** Whether {@code a} comes before {@code b} by source file, then row (nulls first). */
    private boolean before(InternalRow a, InternalRow b) {
      int c = compareNullsFirst(a.isNullAt(sourceFile) ? null : a.getUTF8String(sourceFile),
          b.isNullAt(sourceFile) ? null : b.getUTF8String(sourceFile));
      if (c != 0) {
        return c < 0;
      }
      if (a.isNullAt(sourceRow) || b.isNullAt(sourceRow)) {
        return a.isNullAt(sourceRow) && !b.isNullAt(sourceRow);
      }
      return a.getLong(sourceRow) < b.getLong(sourceRow);
    }

    /** The row's delivery against {@code latest}, nulls first; a key's copies are nearly always of one delivery, compared in place. */
    private int compareDelivery(InternalRow row, UTF8String latest) {
      if (row.isNullAt(delivery)) {
        return latest == null ? 0 : -1;
      }
      if (latest != null && RowStrings.equals(row, delivery, latest)) {
        return 0;
      }
      return compareNullsFirst(row.getUTF8String(delivery), latest);
    }

    private static int compareNullsFirst(UTF8String a, UTF8String b) {
      if (a == null || b == null) {
        return a == null ? (b == null ? 0 : -1) : 1;
      }
      return a.compareTo(b);
    }

    private void classify(InternalRow row, KeySummary s, int index, GenericInternalRow extra) {
      UTF8String reason = null;
      UTF8String status;
      if (!RowStrings.equals(row, recordType, DATA)) {
        status = FILE_STATUS;
      } else if (s == null) {
        status = QUARANTINED_STATUS;                  // the rules gave it a reason
      } else if (compareDelivery(row, s.latest) < 0) {
        status = SUPERSEDED_STATUS;
        reason = LATER_DELIVERY;
      } else if (s.smallestHash != s.largestHash) {
        status = QUARANTINED_STATUS;
        reason = CONFLICT;
      } else if (s.first != index) {
        status = SUPERSEDED_STATUS;
        reason = IDENTICAL;
      } else {
        status = ACCEPTED_STATUS;
      }
      extra.update(0, status);
      extra.update(1, reason);
    }

    /** The row indexes in site order (sites in the order they first came, rows in input order). */
    private static int[] groupedBySite(IntList siteOfRow, int sites) {
      int[] start = new int[sites + 1];
      for (int i = 0; i < siteOfRow.size; i++) {
        start[siteOfRow.values[i] + 1]++;
      }
      for (int s = 0; s < sites; s++) {
        start[s + 1] += start[s];
      }
      int[] order = new int[siteOfRow.size];
      for (int i = 0; i < siteOfRow.size; i++) {
        order[start[siteOfRow.values[i]]++] = i;
      }
      return order;
    }
  }

  /** A growable list of ints (one per record; boxed integers would take four times the memory). */
  private static final class IntList {
    int[] values = new int[1024];
    int size;

    void add(int v) {
      if (size == values.length) {
        values = java.util.Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }
  }
}
