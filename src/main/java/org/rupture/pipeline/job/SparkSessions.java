package org.rupture.pipeline.job;

import java.util.Arrays;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.rupture.pipeline.config.ConfigException;
import org.rupture.pipeline.config.SparkSettings;
import org.rupture.pipeline.curated.ParquetCodecBuffers;

/**
 * Builds the job's SparkSession. The code never sets a master: spark-submit gives one, and
 * {@code scripts/rupture} gives embedded {@code local[*]} Spark as a system property, which
 * {@code --conf spark.master=...} and the config's spark section override. A JVM started with none is a
 * usage error (exit 2) naming the ways to give one. An embedded ({@code local}) master gets the defaults
 * of a short run on one machine: no UI, few shuffle partitions, the loopback address.
 */
public final class SparkSessions {
  /** The JVM flag that lets the JIT compile methods over 8,000 bytes of bytecode. */
  public static final String HUGE_METHODS = "-XX:-DontCompileHugeMethods";

  private static final String LISTING_PARALLELISM = "spark.sql.sources.parallelPartitionDiscovery.parallelism";
  private static final String PLUGINS = "spark.plugins";
  private static final String MIN_SPLITS = "spark.sql.files.minPartitionNum";

  private SparkSessions() {}

  /** Whether {@code master} runs Spark inside this JVM ({@code local}, {@code local[N]}, {@code local[N,F]}). */
  static boolean embedded(String master) {
    return master.equals("local") || master.startsWith("local[");
  }

  public static SparkSession create(String appName, Map<String, String> conf) {
    SparkConf sc = new SparkConf();
    conf.forEach(sc::set);
    String master = sc.get("spark.master", null);
    if (master == null && SparkSession.getDefaultSession().isEmpty()) {
      throw new ConfigException(null, "spark.master", "no Spark master is given: run the job with scripts/rupture"
          + " (embedded local[*] Spark) or spark-submit --master ..., or pass --conf spark.master=local[*]");
    }
    // no master but a session: an application (or a test) that embeds the job owns it, and the job runs in it
    if (master != null) {
      // --conf and the config's spark section are checked when parsed; a master from elsewhere (a -Dspark.master
      // system property) is checked here, before SparkContext logs its failure with a stack trace
      String masterProblem = SparkSettings.problem("spark.master", master);
      if (masterProblem != null) {
        throw new ConfigException(null, "spark.master", masterProblem);
      }
      if (embedded(master)) {
        sc.setIfMissing("spark.ui.enabled", "false");
        sc.setIfMissing("spark.sql.shuffle.partitions", "8");
        sc.setIfMissing("spark.driver.host", "127.0.0.1");
        sc.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        sc.setIfMissing("spark.hadoop.fs.file.impl", NioLocalFileSystem.class.getName());
        sc.setIfMissing("spark.hadoop.fs.file.impl.disable.cache", "true");
      } else {
        // Executors are JVMs Spark starts: let their JIT compile the large methods whole-stage codegen
        // generates for the validation rules (they would run interpreted, 3.4x slower). The embedded
        // driver gets the same flag from scripts/rupture.
        String opts = sc.get("spark.executor.extraJavaOptions", "");
        if (!opts.contains("DontCompileHugeMethods")) {
          sc.set("spark.executor.extraJavaOptions", (opts + " " + HUGE_METHODS).trim());
        }
      }
    }
    sc.setIfMissing("spark.sql.session.timeZone", "UTC");
    sc.setIfMissing("spark.sql.ansi.enabled", "true");
    // Code lookups lower-case every code field of every row; the JVM's case mapping (what the mappings'
    // code lists were lower-cased with) is several times cheaper than ICU's, which Spark 4 uses by default.
    sc.setIfMissing("spark.sql.icu.caseMappings.enabled", "false");
    // Parquet part files only; no _SUCCESS markers mixed into the output folders users browse.
    sc.setIfMissing("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false");
    // Parquet's compression streams get 4 KB buffers in this JVM now, before any Parquet file, and in each
    // executor's as it starts (ParquetCodecBuffers says why not per read or write)
    ParquetCodecBuffers.install();
    String plugins = sc.get(PLUGINS, "").trim();
    if (!Arrays.asList(plugins.split("\\s*,\\s*")).contains(ParquetCodecBuffers.class.getName())) {
      sc.set(PLUGINS, plugins.isEmpty() ? ParquetCodecBuffers.class.getName()
          : plugins + "," + ParquetCodecBuffers.class.getName());
    }
    sc.setAppName(appName);
    SparkSession spark = SparkSession.builder().config(sc).getOrCreate();
    if (!sc.contains(LISTING_PARALLELISM)) {
      // Reading a table partitioned by site lists one folder per site; above 32 folders Spark lists them
      // in a job of one task per folder (up to 10,000), each task deserialising the whole Hadoop
      // configuration: at 2,000 sites 5-10 s per table read. A few tasks a core list just as well.
      spark.conf().set(LISTING_PARALLELISM, Math.max(8, 4 * spark.sparkContext().defaultParallelism()));
    }
    if (!sc.contains(MIN_SPLITS)) {
      // Files are read in splits of total size / parallelism by default: the ingest's staged records on
      // two cores made three splits, the last running alone. Four splits a core keep every core busy.
      spark.conf().set(MIN_SPLITS, 4 * spark.sparkContext().defaultParallelism());
    }
    return spark;
  }
}
