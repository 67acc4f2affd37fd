package org.rupture.pipeline.curated;

import java.net.URI;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils;

/** Reading the curated tables back (analysis, and the next run's ingest). */
public final class CuratedTables {
  private static final String TYPE_INFERENCE = "spark.sql.sources.partitionColumnTypeInference.enabled";
  private static final String SITE_FOLDER = "site=";

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
   * turn a site folder such as {@code site=007} into the integer 7. Type inference of partition values is
   * switched off for this read only; the relation resolves its partitions when it is created, so one
   * listing of the site folders serves (reading the table for its schema first and then again with a
   * corrected one listed the folders twice, which at 2,000 sites is a Spark job each).
   */
  public static Dataset<Row> readWithTextSites(SparkSession spark, String location) {
    return withSetting(spark, TYPE_INFERENCE, "false", () -> {
      Dataset<Row> table = spark.read().parquet(location);
      table.schema(); // resolved now, while inference is off
      return table;
    });
  }

  /**
   * The sites of a site-partitioned table as read by {@link #readWithTextSites}, in order: the {@code site=}
   * folders of its files, from the listing Spark made when it read the table (no Spark job, no file read;
   * a scan of the site column would open every file). A folder holds a file only with rows: the ingest's
   * writer and Spark's both open a site's file with its first row.
   */
  public static List<String> sites(Dataset<Row> table) {
    TreeSet<String> sites = new TreeSet<>();
    for (String file : table.inputFiles()) {
      Path folder = new Path(URI.create(file)).getParent();
      String name = folder == null ? "" : folder.getName();
      String site = name.startsWith(SITE_FOLDER) ? name.substring(SITE_FOLDER.length()) : null;
      if (site != null && !site.equals(ExternalCatalogUtils.DEFAULT_PARTITION_NAME())) {
        sites.add(ExternalCatalogUtils.unescapePathName(site));
      }
    }
    return List.copyOf(sites);
  }

  /**
   * Runs {@code body} with the session setting {@code key} at {@code value}, and restores the setting
   * (or its absence) afterwards, also when {@code body} throws: for a setting that is read while a plan
   * is made, so that it changes that plan alone and not the user's session.
   */
  public static <T> T withSetting(SparkSession spark, String key, String value, Supplier<T> body) {
    String previous = spark.conf().get(key, null);
    spark.conf().set(key, value);
    try {
      return body.get();
    } finally {
      if (previous == null) {
        spark.conf().unset(key);
      } else {
        spark.conf().set(key, previous);
      }
    }
  }
}
