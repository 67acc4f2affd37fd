package org.rupture.pipeline.curated;

import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configurable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.util.ReflectionUtils;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * The buffer of Parquet's compression streams, 4 KB (Parquet's own default) instead of the 64 KB Spark
 * gives them, for every Parquet file this JVM reads or writes.
 *
 * <p>Parquet compresses and decompresses every page (each column's dictionary and data pages, in every file)
 * through a new stream whose buffer is as large as its codec's Hadoop setting {@value #BUFFER_SIZE} says, and
 * Spark sets that key to its {@code spark.buffer.size}, 64 KB: a zeroed 64 KB array per page. With a file per
 * site and table the pages are many and small (2,000 sites: tens of thousands of pages per table); in a profile
 * of {@code analyze} at 2,000 sites the allocations were 4% of the samples. The buffer only holds bytes
 * on their way to and from the page; the bytes written are the same at any size ({@code ParquetCodecBuffersTest}).
 *
 * <p>Why not a setting of the reads and writes: Parquet keeps one codec instance per codec in a JVM-wide cache,
 * configured by whichever read or write asked first; every later one gets that instance whatever its own
 * configuration says. A write option took effect only in runs whose first Parquet file was one of those writes
 * (a fresh {@code run}), not where a run began by reading (an {@code analyze}, a nightly run reading the last
 * state). So the codecs are put into the cache here, before any file: in the driver by
 * {@code SparkSessions.create}, in each executor JVM by this class as a Spark plugin ({@code spark.plugins}).
 * The session's own setting stays as it is: Hadoop's file streams read the same key for their buffers, and the
 * ingest reads its CSV files through those.
 */
public final class ParquetCodecBuffers implements SparkPlugin {
  static final String BUFFER_SIZE = "io.file.buffer.size";
  static final int BUFFER_BYTES = 4096;
  /** Parquet's codecs whose streams take their buffer from {@value #BUFFER_SIZE} (Spark's default is Snappy). */
  private static final List<CompressionCodecName> CODECS = List.of(CompressionCodecName.SNAPPY,
      CompressionCodecName.LZ4_RAW);

  /** Puts 4 KB-buffered codecs into Parquet's codec cache, replacing any made before. */
  public static void install() {
    install(BUFFER_BYTES);
  }

  /** Puts codecs with {@code bufferBytes} buffers into the cache (a test puts Spark's 64 KB back). */
  static void install(int bufferBytes) {
    Configuration conf = new Configuration(false);
    conf.setInt(BUFFER_SIZE, bufferBytes);
    CodecCache.put(conf);
  }

  /** The buffer size the codec Parquet uses for {@code codec} in this JVM gives its streams, or -1. */
  static int bufferBytes(CompressionCodecName codec) {
    CompressionCodec instance = new CodecCache(new Configuration(false)).codec(codec);
    return instance instanceof Configurable c && c.getConf() != null ? c.getConf().getInt(BUFFER_SIZE, -1) : -1;
  }

  @Override
  public DriverPlugin driverPlugin() {
    return null; // the driver's are installed by SparkSessions.create, before the context starts
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new ExecutorPlugin() {
      @Override
      public void init(PluginContext ctx, Map<String, String> extraConf) {
        install();
      }
    };
  }

  /** Access to Parquet's JVM-wide codec cache (a protected static map of its codec factory). */
  private static final class CodecCache extends CodecFactory {
    CodecCache(Configuration conf) {
      super(conf, 0);
    }

    /** The cached codec, made with this factory's configuration when there is none. */
    CompressionCodec codec(CompressionCodecName name) {
      return getCodec(name);
    }

    static void put(Configuration conf) {
      for (CompressionCodecName name : CODECS) {
        // the cache key is the codec's class name (these codecs have no compression level)
        String className = name.getHadoopCompressionCodecClassName();
        try {
          CODEC_BY_NAME.put(className, (CompressionCodec) ReflectionUtils.newInstance(Class.forName(className), conf));
        } catch (ClassNotFoundException e) {
          throw new IllegalStateException("Parquet's codec " + className + " is not on the class path", e);
        }
      }
    }
  }
}
