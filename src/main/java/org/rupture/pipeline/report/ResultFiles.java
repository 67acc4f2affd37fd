package org.rupture.pipeline.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Writes result tables and documents under one results folder (any Hadoop file system URI): Parquet as a
 * folder, CSV and JSON as single files next to it.
 */
public final class ResultFiles {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final SparkSession spark;
  private final String resultsDir;

  /** @param resultsDir folder (path or URI) the files are written into */
  public ResultFiles(SparkSession spark, String resultsDir) {
    this.spark = spark;
    this.resultsDir = resultsDir;
  }

  /** Writes {@code <name>/} (Parquet, one file) and {@code <name>.csv}; returns the row count. */
  public long writeParquetAndCsv(ResultTable table) {
    spark.createDataFrame(table.rows(), table.schema()).coalesce(1)
        .write().mode(SaveMode.Overwrite).parquet(path(table.name()));
    writeText(table.name() + ".csv", table.toCsv());
    return table.rows().size();
  }

  /** Writes {@code <name>.csv} only; returns the row count. */
  public long writeCsv(ResultTable table) {
    writeText(table.name() + ".csv", table.toCsv());
    return table.rows().size();
  }

  /** Writes a JSON document as {@code fileName}. */
  public void writeJson(String fileName, JsonNode document) {
    try {
      writeText(fileName, JSON.writeValueAsString(document) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("could not render " + fileName, e);
    }
  }

  /** Writes a UTF-8 text file, replacing an existing one. */
  public void writeText(String fileName, String content) {
    Path target = new Path(path(fileName));
    try {
      FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (OutputStream out = fs.create(target, true)) {
        out.write(content.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + target + ": " + e.getMessage(), e);
    }
  }

  private String path(String name) {
    return resultsDir.endsWith("/") ? resultsDir + name : resultsDir + "/" + name;
  }
}
