package org.rupture.pipeline.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
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

  private RecordClassifier() {}

  /**
   * @param rules output of the rules: {@code reasons}, lineage, and the canonical columns
   * @param keys the canonical key columns (e.g. site, patient_key, session_number, rater)
   * @param content the canonical value columns that decide whether two copies are identical
   */
  public static Dataset<Row> classify(Dataset<Row> rules, List<String> keys, List<String> content) {
    Column keyable = col("record_type").equalTo(StagedRows.DATA).and(size(col("reasons")).equalTo(0));
    // Unkeyable records (already quarantined, or file summaries) get null keys: their status is
    // decided by their reasons, and nulls keep them out of every real key's group.
    List<Column> partition = new ArrayList<>();
    partition.add(col("site"));
    keys.stream().filter(k -> !k.equals("site")).forEach(k -> partition.add(when(keyable, col(k))));
    // One shuffle, by site: every key lives in one site, so the window below needs no further
    // exchange, and each site's rows end in one task, sorted by site, so the partitioned writes that
    // follow produce one file per site and table without another sort.
    Dataset<Row> withHash = rules.repartition(col("site"))
        .withColumn("content_hash", when(keyable, xxhash64(content.stream().map(c -> col(c)).toArray(Column[]::new))));
    // One window spec (one sort): latest delivery first, then file order, so row_number() counts the
    // copies within the latest delivery.
    WindowSpec ordered = Window.partitionBy(partition.toArray(Column[]::new))
        .orderBy(col("delivery").desc(), col("source_file"), col("source_row"));
    WindowSpec whole = ordered.rowsBetween(Window.unboundedPreceding(), Window.unboundedFollowing());
    Column latest = max("delivery").over(whole);
    Dataset<Row> w = withHash
        .withColumn("latest_delivery", latest)
        .withColumn("variants", size(collect_set(when(col("delivery").equalTo(latest), col("content_hash"))).over(whole)))
        .withColumn("copy", row_number().over(ordered));
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
        .drop("content_hash", "latest_delivery", "variants", "copy");
  }

  private static Column reason(String code) {
    return org.apache.spark.sql.functions.array(lit(code));
  }
}
