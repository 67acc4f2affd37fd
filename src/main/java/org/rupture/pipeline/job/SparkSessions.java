package org.rupture.pipeline.job;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the job's SparkSession. A master given by spark-submit or {@code --conf spark.master=...}
 * wins; only when none is given does the job run on embedded {@code local[*]} Spark, so the code
 * never hard-codes a master for clusters.
 */
public final class SparkSessions {
  private SparkSessions() {}

  public static SparkSession create(String appName, Map<String, String> conf) {
    SparkConf sc = new SparkConf();
    conf.forEach(sc::set);
    if (!sc.contains("spark.master")) {
      sc.setMaster("local[*]");
      sc.setIfMissing("spark.ui.enabled", "false");
      sc.setIfMissing("spark.sql.shuffle.partitions", "8");
      sc.setIfMissing("spark.driver.host", "127.0.0.1");
      sc.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
      sc.setIfMissing("spark.hadoop.fs.file.impl", NioLocalFileSystem.class.getName());
      sc.setIfMissing("spark.hadoop.fs.file.impl.disable.cache", "true");
    }
    sc.setIfMissing("spark.sql.session.timeZone", "UTC");
    sc.setIfMissing("spark.sql.ansi.enabled", "true");
    // Parquet part files only; no _SUCCESS markers mixed into the output folders users browse.
    sc.setIfMissing("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false");
    sc.setAppName(appName);
    return SparkSession.builder().config(sc).getOrCreate();
  }
}
