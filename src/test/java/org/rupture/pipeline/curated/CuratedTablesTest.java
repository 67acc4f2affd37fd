package org.rupture.pipeline.curated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rupture.pipeline.testing.SparkTestBase;

/** Site folders read back as the text they were written from, whatever they look like. */
class CuratedTablesTest extends SparkTestBase {
  private static final String TYPE_INFERENCE = "spark.sql.sources.partitionColumnTypeInference.enabled";

  @TempDir
  Path dir;

  @Test
  void sitesThatLookLikeNumbersStayText() {
    String location = write("SELECT * FROM VALUES ('007', 1), ('12', 2), ('0.50', 3) AS t(site, v)");

    Dataset<Row> read = CuratedTables.readWithTextSites(spark(), location);

    assertEquals(DataTypes.StringType, read.schema().apply("site").dataType());
    assertEquals(List.of(row("0.50", 3), row("007", 1), row("12", 2)),
        rows(read.select("site", "v").orderBy("site")));
  }

  /** The sites of a table from its listing, as written: escaped folder names, URI-encoded paths and all. */
  @Test
  void sitesComeFromTheSiteFoldersAsTheyWereWritten() {
    String location = write("SELECT * FROM VALUES ('007', 1), ('007', 2), ('a b', 3), ('50%/x:y', 4), ('B', 5) "
        + "AS t(site, v)");

    Dataset<Row> read = CuratedTables.readWithTextSites(spark(), location);

    assertEquals(List.of("007", "50%/x:y", "B", "a b"), CuratedTables.sites(read));
    assertEquals(CuratedTables.sites(read), rows(read.select("site").distinct().orderBy("site")).stream()
        .map(r -> r.getString(0)).toList(), "the sites a scan of the table finds");
  }

  @Test
  void leavesTheSessionsSettingAsItWas() {
    String location = write("SELECT * FROM VALUES ('1', 1) AS t(site, v)");

    CuratedTables.readWithTextSites(spark(), location);
    assertEquals(null, spark().conf().get(TYPE_INFERENCE, null), "unset before, unset after");

    withSQLConf(Map.of(TYPE_INFERENCE, "true"), () -> {
      CuratedTables.readWithTextSites(spark(), location);
      assertEquals("true", spark().conf().get(TYPE_INFERENCE));
      // other reads in the session still infer partition types
      assertEquals(DataTypes.IntegerType, spark().read().parquet(location).schema().apply("site").dataType());
    });
  }

  @Test
  void aSettingHoldsForItsBodyAloneEvenWhenTheBodyFails() {
    String key = "spark.sql.inMemoryColumnarStorage.compressed";
    assertEquals("false", CuratedTables.withSetting(spark(), key, "false", () -> spark().conf().get(key)));
    assertEquals(null, spark().conf().get(key, null), "unset before, unset after");
    withSQLConf(Map.of(key, "true"), () -> {
      assertThrows(IllegalStateException.class, () -> CuratedTables.withSetting(spark(), key, "false", () -> {
        throw new IllegalStateException("body failed");
      }));
      assertEquals("true", spark().conf().get(key), "restored after a failure");
    });
  }

  private String write(String query) {
    String location = dir.resolve("table").toString();
    spark().sql(query).write().mode(SaveMode.Overwrite).partitionBy("site").parquet(location);
    return location;
  }
}
