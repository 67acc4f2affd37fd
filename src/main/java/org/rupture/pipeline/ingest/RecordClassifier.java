package org.rupture.pipeline.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.bitwise_not;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.rupture.pipeline.curated.CuratedTables;

/**
 * Gives every record exactly one status (SPEC section 4, "Nothing is lost"):
 * {@code accepted}, {@code quarantined} (reasons non-empty, or a conflicting duplicate within the
 * latest delivery: {@code DUPLICATE_CONFLICT}) or {@code superseded} (an earlier delivery of the key:
 * {@code SUPERSEDED_BY_LATER_DELIVERY}; an identical copy within one delivery: {@code DUPLICATE_IDENTICAL}).
 * File summary records get status {@code file}. One window over the key does it in one shuffle;
 * records that cannot be keyed get a unique key of their own so they pass through untouched.
 */
public final class RecordClassifier {
  public static final String ACCEPTED = "accepted";
  public static final String QUARANTINED = "quarantined";
  public static final String SUPERSEDED = "superseded";
  public static final String FILE = "file";
  /** The reasons the rules gave, kept next to the classifier's {@code reasons} for the ingest state. */
  public static final String RULE_REASONS = "rule_reasons";

  private RecordClassifier() {}

  /**
   * @param rules output of the rules: {@code reasons}, lineage, and the canonical columns
   * @param keys the canonical key columns (e.g. site, patient_key, session_number, rater)
   * @param content the canonical value columns that decide whether two copies are identical
   * @param groupedBySite whether the records are already partitioned by site (the landing scan's
   *     partitions); if not, they are shuffled by site first
   */
  public static Dataset<Row> classify(Dataset<Row> rules, List<String> keys, List<String> content,
      boolean groupedBySite) {
    Column keyable = col("record_type").equalTo(StagedRows.DATA).and(size(col("reasons")).equalTo(0));
    Column key = when(keyable, concat_ws("\u0001", keys.stream().map(k -> col(k).cast("string")).toArray(Column[]::new)))
        .otherwise(concat_ws("\u0001", lit("#"), col("record_type"), col("source_file"), col("source_row").cast("string")));
    // Records are classified within their site's partition: every key lives in one site, so the
    // window below needs no exchange of its own, and each site's rows end in one task, sorted by
    // site, so the partitioned writes that follow produce one file per site and table without another
    // sort. The landing scan delivers records so (LandingSource); stored records taken over from the
    // previous run are not, and then one shuffle by site does it.
    // Raw lines travel through the sort only for rows already quarantined by a rule; the
    // few rows quarantined here (conflicting duplicates) get theirs back from their files afterwards
    // (IngestStage), which keeps the widest column out of the costly part.
    Dataset<Row> bySite = rules.withColumn(RULE_REASONS, col("reasons"))
        .withColumn("raw_line", when(size(col("reasons")).gt(0), col("raw_line")));
    if (!groupedBySite) {
      int partitions = CuratedTables.siteWriteTasks(rules.sparkSession());
      bySite = bySite.repartition(partitions, col("site"));
    }
    Dataset<Row> withKey = bySite
        .withColumn("dedup_key", key)
        .withColumn("key_hash", xxhash64(col("dedup_key")))
        .withColumn("content_hash", xxhash64(content.stream().map(c -> col(c)).toArray(Column[]::new)));
    // One window, one sort: within a key the latest delivery comes first, so the row number of a row
    // of that delivery is its copy number there (first by file and row stays accepted). Whether the
    // latest delivery holds different contents is whether the largest and the smallest content hash
    // among its rows differ: both are the hash half of a maximum over (delivery, hash) pairs, the
    // smallest through the bitwise complement, which reverses the order without overflow. Plain
    // aggregates over the full frame, instead of a set of hashes nested over the latest delivery,
    // keep it to one window operator.
    // The window sorts each partition by its partition columns first. With one site per partition the
    // site decides nothing and a string key's 8-byte sort prefix would be the same for most rows (the
    // site's name leads it), so every comparison would walk long strings; a 64-bit hash of the key
    // first gives the sort a prefix that almost always decides. With many sites a partition (after
    // the shuffle by site) the site comes first, so that each site's rows stay together for the writes.
    Column[] partitionBy = groupedBySite
        ? new Column[] {col("key_hash"), col("site"), col("dedup_key")}
        : new Column[] {col("site"), col("dedup_key")};
    WindowSpec byKey = Window.partitionBy(partitionBy)
        .orderBy(col("delivery").desc(), col("source_file"), col("source_row"));
    WindowSpec wholeKey = byKey.rowsBetween(Window.unboundedPreceding(), Window.unboundedFollowing());
    Column latest = max("delivery").over(wholeKey);
    Column largestHash = max(struct(col("delivery"), col("content_hash"))).over(wholeKey).getField("content_hash");
    Column smallestHash = bitwise_not(max(struct(col("delivery"), bitwise_not(col("content_hash")).as("h")))
        .over(wholeKey).getField("h"));
    Dataset<Row> w = withKey
        .withColumn("latest_delivery", latest)
        .withColumn("conflict", largestHash.notEqual(smallestHash))
        .withColumn("copy", row_number().over(byKey));
    Column status = when(col("record_type").notEqual(StagedRows.DATA), lit(FILE))
        .when(size(col("reasons")).gt(0), lit(QUARANTINED))
        .when(col("delivery").lt(col("latest_delivery")), lit(SUPERSEDED))
        .when(col("conflict"), lit(QUARANTINED))
        .when(col("copy").gt(1), lit(SUPERSEDED))
        .otherwise(lit(ACCEPTED));
    Column reasons = when(col("record_type").notEqual(StagedRows.DATA), col("reasons"))
        .when(size(col("reasons")).gt(0), col("reasons"))
        .when(col("delivery").lt(col("latest_delivery")), reason("SUPERSEDED_BY_LATER_DELIVERY"))
        .when(col("conflict"), reason("DUPLICATE_CONFLICT"))
        .when(col("copy").gt(1), reason("DUPLICATE_IDENTICAL"))
        .otherwise(col("reasons"));
    return w.withColumn("status", status)
        .withColumn("reasons", reasons)
        // raw lines are kept for quarantine only; dropping the rest early keeps the rows small
        .withColumn("raw_line", when(col("status").equalTo(QUARANTINED), col("raw_line")))
        .drop("dedup_key", "key_hash", "content_hash", "latest_delivery", "conflict", "copy");
  }

  private static Column reason(String reason) {
    return org.apache.spark.sql.functions.array(lit(reason));
  }
}
