package org.rupture.pipeline.curated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rupture.pipeline.testing.SparkTestBase;

/**
 * The codecs' small buffers take effect in every Parquet read and write of the JVM, whatever the reading or
 * writing configuration says, and change how compressed bytes are copied, not which bytes are written.
 */
class ParquetCodecBuffersTest extends SparkTestBase {
  private static final int SPARK_BUFFER_BYTES = 65536;

  @TempDir
  Path dir;

  @AfterEach
  void installed() {
    ParquetCodecBuffers.install();
  }

  @Test
  void installedCodecsServeReadsAndWritesConfiguredForSparksBuffers() {
    Configuration sessionLike = new Configuration(false);
    sessionLike.setInt(ParquetCodecBuffers.BUFFER_SIZE, SPARK_BUFFER_BYTES);
    ParquetCodecBuffers.install();
    // a read or write made with the session's configuration asks the factory for its codecs
    new CodecFactory(sessionLike, 0).getCompressor(CompressionCodecName.SNAPPY);
    new CodecFactory(sessionLike, 0).getDecompressor(CompressionCodecName.LZ4_RAW);

    assertEquals(4096, ParquetCodecBuffers.bufferBytes(CompressionCodecName.SNAPPY));
    assertEquals(4096, ParquetCodecBuffers.bufferBytes(CompressionCodecName.LZ4_RAW));
  }

  @Test
  void installReplacesCodecsMadeBeforeWithOtherBuffers() {
    ParquetCodecBuffers.install(SPARK_BUFFER_BYTES);
    assertEquals(SPARK_BUFFER_BYTES, ParquetCodecBuffers.bufferBytes(CompressionCodecName.SNAPPY));

    ParquetCodecBuffers.install();

    assertEquals(4096, ParquetCodecBuffers.bufferBytes(CompressionCodecName.SNAPPY));
  }

  @Test
  void filesWrittenWithSmallBuffersAreTheFilesWrittenWithSparksAndReadTheSame() {
    // pages whose compressed bytes are many times the small buffer (and a dictionary page per column and file),
    // in two site folders, so that the streams hand their bytes on in many pieces
    Dataset<Row> rows = spark().sql("SELECT IF(id % 3 = 0, 'a', 'b') AS site, sha2(CAST(id AS STRING), 256) AS key, "
        + "id * 0.37 AS x, CAST(id % 7 AS STRING) AS code FROM range(60000)").repartition(1);

    ParquetCodecBuffers.install(SPARK_BUFFER_BYTES);
    write(rows, "spark");
    ParquetCodecBuffers.install();
    write(rows, "small");

    List<Path> expected = files("spark");
    List<Path> actual = files("small");
    assertEquals(2, expected.size(), "one file a site");
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(dir.resolve("spark").relativize(expected.get(i).getParent()),
          dir.resolve("small").relativize(actual.get(i).getParent()));
      byte[] bytes = bytes(expected.get(i));
      assertTrue(bytes.length > 20 * ParquetCodecBuffers.BUFFER_BYTES, "pages larger than the buffer");
      assertArrayEquals(bytes, bytes(actual.get(i)), actual.get(i).toString());
    }
    // read back through the small buffers: the rows written
    Dataset<Row> read = spark().read().parquet(dir.resolve("small").toString()).select("site", "key", "x", "code");
    assertEquals(60000, read.count());
    assertEquals(0, read.exceptAll(rows).count());
  }

  private void write(Dataset<Row> rows, String name) {
    rows.write().mode(SaveMode.Overwrite).partitionBy("site").parquet(dir.resolve(name).toString());
  }

  /** The Parquet files under a table's folder, by site folder. */
  private List<Path> files(String name) {
    try (Stream<Path> walk = Files.walk(dir.resolve(name))) {
      return walk.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] bytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
