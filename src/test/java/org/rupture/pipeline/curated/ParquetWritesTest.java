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
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rupture.pipeline.testing.SparkTestBase;

/** The small compression buffers change how compressed bytes are copied, not which bytes are written. */
class ParquetWritesTest extends SparkTestBase {
  @TempDir
  Path dir;

  @Test
  void filesWrittenWithSmallCompressorBuffersAreTheFilesWrittenWithout() {
    // pages whose compressed bytes are many times the small buffer (and a dictionary page per column and file),
    // in two site folders, so that the stream hands its bytes on in many pieces
    Dataset<Row> rows = spark().sql("SELECT IF(id % 3 = 0, 'a', 'b') AS site, sha2(CAST(id AS STRING), 256) AS key, "
        + "id * 0.37 AS x, CAST(id % 7 AS STRING) AS code FROM range(60000)").repartition(1);

    write(rows.write(), "default");
    write(ParquetWrites.smallCompressorBuffers(rows.write()), "small");

    List<Path> expected = files("default");
    List<Path> actual = files("small");
    assertEquals(2, expected.size(), "one file a site");
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(dir.resolve("default").relativize(expected.get(i).getParent()),
          dir.resolve("small").relativize(actual.get(i).getParent()));
      byte[] bytes = bytes(expected.get(i));
      assertTrue(bytes.length > 20 * ParquetWrites.COMPRESSOR_BUFFER_BYTES, "pages larger than the buffer");
      assertArrayEquals(bytes, bytes(actual.get(i)), actual.get(i).toString());
    }
  }

  private void write(DataFrameWriter<Row> writer, String name) {
    writer.mode(SaveMode.Overwrite).partitionBy("site").parquet(dir.resolve(name).toString());
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
