package org.rupture.pipeline.testing;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.internal.SQLConf;

/**
 * One local SparkSession per test JVM, shared by every Spark test (modelled on Iceberg's TestBase).
 * It is never stopped by a test; the JVM's shutdown hook stops it.
 */
public abstract class SparkTestBase {
  private static volatile SparkSession spark;

  protected static SparkSession spark() {
    if (spark == null) {
      synchronized (SparkTestBase.class) {
        if (spark == null) {
          spark = SparkSession.builder()
              .master("local[2]")
              .appName("rupture-pipeline-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.default.parallelism", "2")
              .config("spark.sql.adaptive.enabled", "false")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.sql.session.timeZone", "UTC")
              .config("spark.sql.ansi.enabled", "true")
              .getOrCreate();
        }
      }
    }
    return spark;
  }

  protected static List<Row> sql(String query, Object... args) {
    return spark().sql(String.format(query, args)).collectAsList();
  }

  protected static Row row(Object... values) {
    return RowFactory.create(values);
  }

  protected static List<Row> rows(Dataset<Row> ds) {
    return ds.collectAsList();
  }

  /** Runs the action with the given SQL confs set, then restores the previous values. */
  protected static void withSQLConf(Map<String, String> conf, Runnable action) {
    SQLConf sqlConf = spark().sessionState().conf();
    Map<String, String> previous = new java.util.HashMap<>();
    conf.forEach((k, v) -> {
      if (sqlConf.contains(k)) {
        previous.put(k, sqlConf.getConfString(k));
      }
      spark().conf().set(k, v);
    });
    try {
      action.run();
    } finally {
      conf.keySet().forEach(k -> {
        if (previous.containsKey(k)) {
          spark().conf().set(k, previous.get(k));
        } else {
          spark().conf().unset(k);
        }
      });
    }
  }

  protected static List<Object> list(Object... values) {
    return Arrays.asList(values);
  }
}
