package org.rupture.pipeline.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

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
    // windows below need no exchange of their own, and each site's rows end in one task, sorted by
    // site, so the partitioned writes that follow produce one file per site and table without another
    // sort. The landing scan delivers records so (LandingSource); stored records taken over from the
    // previous run are not, and then one shuffle by site does it.
    // Raw lines travel through the sort and cache only for rows already quarantined by a rule; the
    // few rows quarantined here (conflicting duplicates) get theirs back from their files afterwards
    // (IngestStage), which keeps the widest column out of the costly part.
    Dataset<Row> bySite = rules.withColumn(RULE_REASONS, col("reasons"))
        .withColumn("raw_line", when(size(col("reasons")).gt(0), col("raw_line")));
    if (!groupedBySite) {
      bySite = bySite.repartition(col("site"));
    }
    Dataset<Row> withKey = bySite
        .withColumn("dedup_key", key)
        .withColumn("content_hash", xxhash64(content.stream().map(c -> col(c)).toArray(Column[]::new)));
    // Both specs order by (delivery, source_file, source_row) within the key, so that the one sort
    // their windows need serves both; the key's aggregates see its whole group through the full frame.
    WindowSpec byKey = Window.partitionBy("site", "dedup_key").orderBy("delivery", "source_file", "source_row")
        .rowsBetween(Window.unboundedPreceding(), Window.unboundedFollowing());
    WindowSpec byKeyAndDelivery = Window.partitionBy("site", "dedup_key", "delivery").orderBy("source_file", "source_row");
    Column latest = max("delivery").over(byKey);
    Column variants = size(collect_set(when(col("delivery").equalTo(latest), col("content_hash"))).over(byKey));
    Column copy = row_number().over(byKeyAndDelivery);
    Dataset<Row> w = withKey
        .withColumn("latest_delivery", latest)
        .withColumn("variants", variants)
        .withColumn("copy", copy);
    Column status = when(col("record_type").notEqual(StagedRows.DATA), lit(FILE))
        .when(size(col("reasons")).gt(0), lit(QUARANTINED))
        .when(col("delivery").lt(col("latest_delivery")), lit(SUPERSEDED))
        .when(col("variants").gt(1), lit(QUARANTINED))
        .when(col("copy").gt(1), lit(SUPERSEDED))
        .otherwise(lit(ACCEPTED));
    Column reasons = when(col("record_type").notEqual(StagedRows.DATA), col("reasons"))
        .when(size(col("reasons")).gt(0), col("reasons"))
        .when(col("delivery").lt(col("latest_delivery")), reason("SUPERSEDED_BY_LATER_DELIVERY"))
        .when(col("variants").gt(1), reason("DUPLICATE_CONFLICT"))
        .when(col("copy").gt(1), reason("DUPLICATE_IDENTICAL"))
        .otherwise(col("reasons"));
    return w.withColumn("status", status)
        .withColumn("reasons", reasons)
        // raw lines are kept for quarantine only; dropping the rest early keeps the cache small
        .withColumn("raw_line", when(col("status").equalTo(QUARANTINED), col("raw_line")))
        .drop("dedup_key", "content_hash", "latest_delivery", "variants", "copy");
  }

  private static Column reason(String reason) {
    return org.apache.spark.sql.functions.array(lit(reason));
  }
}
