package org.rupture.pipeline.curated;

import java.util.Arrays;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Reading the curated tables back (analysis, and the next run's ingest). */
public final class CuratedTables {
  private CuratedTables() {}

  /**
   * How many tasks a shuffle by site gets before a site-partitioned write (one task writes each site's
   * folder, so one file per site and table): a fixed number, several a core. Adaptive execution would
   * coalesce a plain repartition by site into about one task a core, and the last of those then ran
   * alone for a third of the stage (2,000 sites on 2 cores).
   */
  public static int siteWriteTasks(SparkSession spark) {
    return 8 * spark.sparkContext().defaultParallelism();
  }

  /**
   * Reads a site-partitioned Parquet table keeping {@code site} as text: partition discovery would otherwise
   * turn a site folder such as {@code site=007} into the integer 7.
   */
  public static Dataset<Row> readWithTextSites(SparkSession spark, String location) {
    StructType inferred = spark.read().parquet(location).schema();
    StructType schema = new StructType(Arrays.stream(inferred.fields())
        .map(f -> f.name().equals("site") ? new StructField("site", DataTypes.StringType, true, f.metadata()) : f)
        .toArray(StructField[]::new));
    return spark.read().schema(schema).parquet(location);
  }
}
