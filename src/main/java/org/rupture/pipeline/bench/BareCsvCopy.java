package org.rupture.pipeline.bench;

import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.rupture.pipeline.job.SparkSessions;

/**
 * The benchmark's baseline (scripts/bench): a bare Spark CSV-to-Parquet copy of the same landing files
 * the ingest reads, all columns as strings, no validation. Usage: {@code BareCsvCopy <landing> <output>}.
 */
public final class BareCsvCopy {
  private BareCsvCopy() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: BareCsvCopy <landing dir> <output dir>");
      System.exit(2);
    }
    SparkSession spark = SparkSessions.create("bare csv copy", java.util.Map.of());
    try {
      for (String table : new String[] {"sessions", "patients"}) {
        long start = System.nanoTime();
        spark.read().option("header", "true").option("inferSchema", "false")
            .csv(args[0] + "/*/*/" + table + "*.csv")
            .write().mode(SaveMode.Overwrite).parquet(args[1] + "/" + table);
        System.out.printf("bare copy %-9s %6.1f s%n", table, (System.nanoTime() - start) / 1e9);
      }
    } finally {
      spark.stop();
    }
  }
}
