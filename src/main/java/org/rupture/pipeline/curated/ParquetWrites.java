package org.rupture.pipeline.curated;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.DataFrameWriter;

/**
 * A setting of the Parquet writes that write a file per site (the ingest's curated tables, the feature
 * tables): the buffer of Parquet's compression streams.
 *
 * <p>Parquet compresses every page (each column's dictionary and data pages, in every file) through a new
 * compression stream, whose buffer is as large as the Hadoop setting {@value #COMPRESSOR_BUFFER} says, and
 * Spark sets that to its {@code spark.buffer.size}, 64 KB: a zeroed 64 KB array per page. With a file per site
 * the pages are many and small (2,000 sites: tens of thousands of pages per table), and in a profile of the
 * analysis at 2,000 sites the allocation was a quarter of the time spent opening and closing Parquet files.
 * The buffer only holds compressed bytes on their way to the page; the bytes written are the same at any
 * size ({@code ParquetWritesTest}). The setting is made on the write's own Hadoop configuration, not the
 * session's: Hadoop's file streams read the same key for their buffers, and the ingest reads its CSV files
 * through those.
 */
public final class ParquetWrites {
  static final String COMPRESSOR_BUFFER = "io.file.buffer.size";
  /** Parquet's own default where the setting is absent. */
  static final int COMPRESSOR_BUFFER_BYTES = 4096;

  private ParquetWrites() {}

  /** Sets the compression streams' buffer on a write's own Hadoop configuration (the ingest's writer). */
  public static void smallCompressorBuffers(Configuration writeConf) {
    writeConf.setInt(COMPRESSOR_BUFFER, COMPRESSOR_BUFFER_BYTES);
  }

  /** Sets it as a write option: Spark copies a write's options into that write's Hadoop configuration. */
  public static <T> DataFrameWriter<T> smallCompressorBuffers(DataFrameWriter<T> writer) {
    return writer.option(COMPRESSOR_BUFFER, Integer.toString(COMPRESSOR_BUFFER_BYTES));
  }
}
