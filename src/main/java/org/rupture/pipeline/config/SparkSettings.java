package org.rupture.pipeline.config;

import org.apache.spark.internal.config.ConfigEntry;
import org.apache.spark.internal.config.ConfigEntry$;
import org.apache.spark.sql.internal.SQLConf$;

/**
 * Checks {@code spark.*} settings (the config's {@code spark:} section, {@code --conf}) against the type and
 * bounds Spark declares for them, before Spark starts: Spark itself reads most settings only when a query
 * first needs them, so a mistyped value failed the run minutes in, as an error without the config's key.
 * Settings Spark does not declare (its own undocumented ones, Hadoop's {@code spark.hadoop.*}) pass.
 */
public final class SparkSettings {
  static {
    // Spark registers its declared settings when the objects declaring them are first used
    forceInit(SQLConf$.MODULE$);
    forceInit(org.apache.spark.internal.config.package$.MODULE$);
  }

  private SparkSettings() {}

  private static void forceInit(Object declarations) {
    if (declarations == null) {
      throw new IllegalStateException("Spark's setting declarations are not on the class path");
    }
  }

  /** What is wrong with {@code value} for Spark setting {@code key}, in one line; null when Spark accepts it. */
  public static String problem(String key, String value) {
    ConfigEntry<?> entry = ConfigEntry$.MODULE$.findEntry(key);
    if (entry == null) {
      return null;
    }
    try {
      entry.valueConverter().apply(value);
      return null;
    } catch (RuntimeException e) {
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return message.replaceAll("\\s*\\R\\s*", " ").trim();
    }
  }
}
