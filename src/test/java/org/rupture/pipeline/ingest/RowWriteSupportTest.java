package org.rupture.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.mapreduce.Job;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.util.ArrayBasedMapData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.execution.datasources.parquet.ParquetWriteSupport;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rupture.pipeline.testing.SparkTestBase;

/**
 * The ingest's Parquet writer against Spark's: the same rows written by both give byte-identical files,
 * which Spark reads back as the rows written.
 */
class RowWriteSupportTest extends SparkTestBase {
  @TempDir
  Path dir;

  /** Every type the ingest's tables hold, with nulls, empty and non-ASCII text, empty and null collections. */
  private static final String ALL_TYPES = "SELECT * FROM VALUES "
      + "('p1', 'Zürich ✓', '', 1, DATE'2024-03-01', 7L, 2.5D, true, CAST(1.5 AS FLOAT), CAST(3 AS SMALLINT), "
      + " CAST(4 AS TINYINT), array(named_struct('field', 'alliance', 'n', 1), CAST(NULL AS STRUCT<field: STRING, n: INT>), "
      + " named_struct('field', CAST(NULL AS STRING), 'n', 2)), array('a', NULL, 'ç'), map('k', 'v', 'k2', NULL), "
      + " named_struct('inner', 'x', 'deep', named_struct('t', 'y'))), "
      + "(NULL, NULL, 'b', NULL, NULL, NULL, CAST('NaN' AS DOUBLE), false, NULL, NULL, NULL, "
      + " array(), CAST(NULL AS ARRAY<STRING>), map(), NULL), "
      + "('p3', 'plain', ' trailing ', -5, DATE'1970-01-01', -1L, -0.0D, NULL, CAST(-2 AS FLOAT), NULL, NULL, "
      + " NULL, array(), NULL, named_struct('inner', NULL, 'deep', NULL)) "
      + "AS t(key, text, blank, n, day, big, x, flag, f, s, b, issues, reasons, extras, nested)";

  @Test
  void rowsInSparksBinaryFormatGiveTheFilesSparksWriterGives() throws IOException {
    Dataset<Row> rows = spark().sql(ALL_TYPES);
    StructType type = rows.schema();
    assertTrue(RowWriteSupport.supports(type, SQLConf.get()));
    List<InternalRow> internal = ((org.apache.spark.sql.classic.Dataset<Row>) rows).queryExecution().toRdd()
        .toJavaRDD().map(InternalRow::copy).collect();
    assertInstanceOf(UnsafeRow.class, internal.get(0));

    Path ours = write("ours.parquet", new RowWriteSupport(), type, internal);
    Path sparks = write("spark.parquet", new ParquetWriteSupport(), type, internal);

    assertArrayEquals(Files.readAllBytes(sparks), Files.readAllBytes(ours));
    assertEquals(rows.orderBy("x").collectAsList(),
        spark().read().schema(type).parquet(ours.toString()).orderBy("x").collectAsList());
  }

  @Test
  void rowsOfJavaObjectsAreWrittenAlike() throws IOException {
    StructType type = new StructType().add("text", DataTypes.StringType).add("list",
        DataTypes.createArrayType(DataTypes.StringType)).add("map",
        DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));
    List<InternalRow> internal = List.of(
        new GenericInternalRow(new Object[] {UTF8String.fromString("héllo"),
            new GenericArrayData(new Object[] {UTF8String.fromString("a"), null}),
            ArrayBasedMapData.apply(new Object[] {UTF8String.fromString("k")}, new Object[] {UTF8String.fromString("v")})}),
        new GenericInternalRow(new Object[] {null, null, null}));

    Path ours = write("ours.parquet", new RowWriteSupport(), type, internal);
    Path sparks = write("spark.parquet", new ParquetWriteSupport(), type, internal);

    assertArrayEquals(Files.readAllBytes(sparks), Files.readAllBytes(ours));
    assertEquals("[[héllo,ArraySeq(a, null),Map(k -> v)], [null,null,null]]",
        spark().read().parquet(ours.toString()).collectAsList().toString());
  }

  @Test
  void typesItDoesNotWriteAndTheLegacyLayoutStayWithSparksWriter() {
    assertFalse(RowWriteSupport.supports(new StructType().add("t", DataTypes.TimestampType), SQLConf.get()));
    assertFalse(RowWriteSupport.supports(new StructType().add("d", DataTypes.createDecimalType(10, 2)), SQLConf.get()));
    assertFalse(RowWriteSupport.supports(new StructType().add("b", DataTypes.BinaryType), SQLConf.get()));
    assertFalse(RowWriteSupport.supports(new StructType().add("a",
        DataTypes.createArrayType(DataTypes.TimestampType)), SQLConf.get()));
    StructType text = new StructType().add("s", DataTypes.StringType);
    withSQLConf(Map.of("spark.sql.parquet.writeLegacyFormat", "true"),
        () -> assertFalse(RowWriteSupport.supports(text, SQLConf.get())));
    withSQLConf(Map.of("spark.sql.parquet.datetimeRebaseModeInWrite", "LEGACY"),
        () -> assertFalse(RowWriteSupport.supports(text, SQLConf.get())));

    Configuration legacy = conf(text);
    legacy.set("spark.sql.parquet.writeLegacyFormat", "true");
    assertThrows(IllegalStateException.class, () -> new RowWriteSupport().init(legacy));
  }

  private Path write(String name, WriteSupport<InternalRow> support, StructType type, List<InternalRow> rows)
      throws IOException {
    Path file = dir.resolve(name);
    try (ParquetWriter<InternalRow> writer = new Builder(new org.apache.hadoop.fs.Path(file.toUri()), support)
        .withConf(conf(type)).withCompressionCodec(CompressionCodecName.SNAPPY).build()) {
      for (InternalRow row : rows) {
        writer.write(row);
      }
    }
    return file;
  }

  /** The configuration Spark's Parquet write gives its write support (as the multi-table writer takes it). */
  private static Configuration conf(StructType type) {
    try {
      Job job = Job.getInstance(new Configuration());
      new ParquetFileFormat().prepareWrite(spark(), job, scala.collection.immutable.Map$.MODULE$.<String, String>empty(),
          type);
      return job.getConfiguration();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final class Builder extends ParquetWriter.Builder<InternalRow, Builder> {
    private final WriteSupport<InternalRow> support;

    Builder(org.apache.hadoop.fs.Path file, WriteSupport<InternalRow> support) {
      super(file);
      this.support = support;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<InternalRow> getWriteSupport(Configuration conf) {
      return support;
    }
  }
}
