package org.rupture.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.scheduler.JobSucceeded$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.rupture.pipeline.testing.SparkTestBase;

/** One pass writes every target table, partitioned or not, and tallies each source file by status. */
class MultiTableWriterTest extends SparkTestBase {
  @TempDir
  Path dir;

  /** Routed rows of two sites: a struct target (accepted only), an array target (0-2 rows each). */
  private Dataset<Row> routed() {
    return spark().sql("SELECT site, source_file, status, file_rows, file_checksum, line_missing, "
        + "CASE WHEN status = 'accepted' THEN named_struct('v', v, 'source_row', source_row) END AS t_main, "
        + "CASE WHEN status = 'accepted' THEN extras END AS t_extra "
        + "FROM VALUES "
        + "('s1', 'f1', 'file', 3L, 'abc', false, 0, 0L, CAST(NULL AS ARRAY<STRUCT<site: STRING, x: INT>>)), "
        + "('s1', 'f1', 'accepted', NULL, NULL, false, 10, 1L, array(named_struct('site', 's1', 'x', 1), named_struct('site', 's1', 'x', 2))), "
        + "('s1', 'f1', 'quarantined', NULL, NULL, true, 11, 2L, NULL), "
        + "('s1', 'f1', 'superseded', NULL, NULL, false, 12, 3L, NULL), "
        + "('s2', 'f2', 'file', 1L, 'def', false, 0, 0L, NULL), "
        + "('s2', 'f2', 'accepted', NULL, NULL, false, 20, 1L, array()) "
        + "AS t(site, source_file, status, file_rows, file_checksum, line_missing, v, source_row, extras)")
        .repartition(1).sortWithinPartitions("site");
  }

  @Test
  void writesEveryTargetInOnePassAndTalliesEveryFile() throws IOException {
    String main = dir.resolve("main").toString();
    String extra = dir.resolve("extra").toString();
    MultiTableWriter.Result r = MultiTableWriter.write(spark(), routed(), List.of(
        new MultiTableWriter.Target("t_main", main, true),
        new MultiTableWriter.Target("t_extra", extra, false)));

    assertEquals(2, r.rows("t_main"));
    assertEquals(2, r.rows("t_extra"));
    List<Row> mainRows = spark().read().parquet(main).orderBy("v").collectAsList();
    assertEquals("[[10,1,s1], [20,1,s2]]", mainRows.toString());
    assertTrue(Files.isDirectory(dir.resolve("main/site=s1")));
    assertEquals("[[s1,1], [s1,2]]", spark().read().parquet(extra).orderBy("x").collectAsList().toString());

    MultiTableWriter.FileTally f1 = r.files().get("f1");
    assertEquals(3, f1.rows);
    assertEquals(1, f1.accepted);
    assertEquals(1, f1.quarantined);
    assertEquals(1, f1.superseded);
    assertTrue(f1.linesMissing);
    assertEquals("abc", f1.checksum);
    MultiTableWriter.FileTally f2 = r.files().get("f2");
    assertEquals(1, f2.rows);
    assertEquals(1, f2.accepted);
    assertFalse(f2.linesMissing);
    assertEquals("def", f2.checksum);

    try (Stream<Path> all = Files.walk(dir)) {
      assertTrue(all.noneMatch(p -> p.getFileName().toString().startsWith("_staging")),
          "the staging folders are removed once the files are in place");
    }
  }

  /**
   * A tallying target counts, per source file, the routed rows by the values its rows hold: a routed row once
   * per distinct combination, however many of its rows hold it (records with a field issue, not issues).
   */
  @Test
  void aTallyingTargetCountsRoutedRowsByTheValuesTheyWrite() {
    Dataset<Row> routed = spark().sql("SELECT site, source_file, status, file_rows, file_checksum, line_missing, "
        + "CASE WHEN status = 'accepted' THEN issues END AS t_issues "
        + "FROM VALUES "
        + "('s1', 'f1', 'file', 3L, 'abc', false, CAST(NULL AS ARRAY<STRUCT<field: STRING, reason: STRING, raw: STRING>>)), "
        + "('s1', 'f1', 'accepted', NULL, NULL, false, array(named_struct('field', 'a', 'reason', 'R1', 'raw', 'x'), "
        + "  named_struct('field', 'a', 'reason', 'R1', 'raw', 'y'), named_struct('field', 'b', 'reason', 'R2', 'raw', 'z'))), "
        + "('s1', 'f1', 'accepted', NULL, NULL, false, array(named_struct('field', 'a', 'reason', 'R1', 'raw', 'w'))), "
        + "('s1', 'f1', 'accepted', NULL, NULL, false, NULL), "
        + "('s2', 'f2', 'file', 1L, 'def', false, NULL), "
        + "('s2', 'f2', 'accepted', NULL, NULL, false, NULL) "
        + "AS t(site, source_file, status, file_rows, file_checksum, line_missing, issues)")
        .repartition(1).sortWithinPartitions("site");
    MultiTableWriter.Result r = MultiTableWriter.write(spark(), routed, List.of(
        new MultiTableWriter.Target("t_issues", dir.resolve("issues").toString(), false).tallying("field", "reason")));
    assertEquals(4, r.rows("t_issues"));
    assertEquals(java.util.Map.of(List.of("a", "R1"), 2L, List.of("b", "R2"), 1L), r.files().get("f1").tallied("t_issues"));
    assertEquals(java.util.Map.of(), r.files().get("f2").tallied("t_issues"));
    assertEquals(3, r.files().get("f1").accepted);

    assertThrows(IllegalArgumentException.class, () -> MultiTableWriter.write(spark(), routed(), List.of(
        new MultiTableWriter.Target("t_extra", dir.resolve("extra").toString(), false).tallying("x"))),
        "only string fields are tallied");
  }

  /**
   * A spanning target keeps per tally key the least and greatest raw value of the rows whose reason is the one
   * named, read leniently (a decimal comma, spaces); what does not read as a number, and other reasons' values,
   * are skipped.
   */
  @Test
  void aSpanningTargetKeepsTheLeastAndGreatestNumberOfTheRowsItReads() {
    Dataset<Row> routed = spark().sql("SELECT site, source_file, status, file_rows, file_checksum, line_missing, "
        + "CASE WHEN status = 'accepted' THEN issues END AS t_issues "
        + "FROM VALUES "
        + "('s1', 'f1', 'file', 4L, 'abc', false, CAST(NULL AS ARRAY<STRUCT<field: STRING, reason: STRING, raw: STRING>>)), "
        + "('s1', 'f1', 'accepted', NULL, NULL, false, array(named_struct('field', 'a', 'reason', 'OUT', 'raw', '5'), "
        + "  named_struct('field', 'b', 'reason', 'OUT', 'raw', 'x'), named_struct('field', 'c', 'reason', 'NAN', 'raw', '99'))), "
        + "('s1', 'f1', 'accepted', NULL, NULL, false, array(named_struct('field', 'a', 'reason', 'OUT', 'raw', ' 7,5 '))), "
        + "('s1', 'f1', 'accepted', NULL, NULL, false, array(named_struct('field', 'a', 'reason', 'OUT', 'raw', CAST(NULL AS STRING)))), "
        + "('s1', 'f1', 'accepted', NULL, NULL, false, array(named_struct('field', 'a', 'reason', 'OUT', 'raw', '-1'))) "
        + "AS t(site, source_file, status, file_rows, file_checksum, line_missing, issues)")
        .repartition(2);
    MultiTableWriter.Result r = MultiTableWriter.write(spark(), routed, List.of(
        new MultiTableWriter.Target("t_issues", dir.resolve("issues").toString(), false).tallying("field", "reason")
            .spanning("raw", "reason", "OUT")));
    assertEquals(java.util.Map.of(List.of("a", "OUT"), 4L, List.of("b", "OUT"), 1L, List.of("c", "NAN"), 1L),
        r.files().get("f1").tallied("t_issues"));
    java.util.Map<List<String>, double[]> spans = r.files().get("f1").spans("t_issues");
    assertEquals(java.util.Set.of(List.of("a", "OUT")), spans.keySet(), "b's value is no number, c's reason another");
    assertEquals(List.of(-1.0, 7.5), List.of(spans.get(List.of("a", "OUT"))[0], spans.get(List.of("a", "OUT"))[1]));

    assertThrows(IllegalArgumentException.class, () -> MultiTableWriter.write(spark(), routed, List.of(
        new MultiTableWriter.Target("t_issues", dir.resolve("other").toString(), false).spanning("raw", "reason", "OUT"))),
        "only a tallying target spans");
  }

  @Test
  void twoPassesIntoOneTableKeepBothPassesRows() {
    String shared = dir.resolve("shared").toString();
    MultiTableWriter.write(spark(), routed(), List.of(new MultiTableWriter.Target("t_extra", shared, false)));
    MultiTableWriter.write(spark(), routed(), List.of(new MultiTableWriter.Target("t_extra", shared, false)));
    assertEquals(4, spark().read().parquet(shared).count());
  }

  @Test
  void passesStartedTogetherGiveEachItsOwnResultInOrder() {
    String main = dir.resolve("main").toString();
    String shared = dir.resolve("shared").toString();
    Dataset<Row> accepted = routed().where("status IN ('file', 'accepted')");
    List<MultiTableWriter.Result> results = MultiTableWriter.write(spark(), List.of(
        new MultiTableWriter.Pass(routed(), List.of(new MultiTableWriter.Target("t_main", main, true),
            new MultiTableWriter.Target("t_extra", shared, false))),
        new MultiTableWriter.Pass(accepted, List.of(new MultiTableWriter.Target("t_extra", shared, false)))));

    assertEquals(2, results.size());
    assertEquals(2, results.get(0).rows("t_main"));
    assertEquals(1, results.get(0).files().get("f1").quarantined);
    assertEquals(0, results.get(1).files().get("f1").quarantined, "the second pass's own tally");
    assertEquals(2, results.get(1).rows("t_extra"));
    assertEquals(4, spark().read().parquet(shared).count());
    assertEquals(2, spark().read().parquet(main).count());
  }

  @Test
  void aFailedPassIsThrownOnlyOnceTheOthersHaveEnded() throws Exception {
    Dataset<Row> broken = routed().withColumn("status", functions.lit("bogus"));
    String other = dir.resolve("other").toString();
    Failure f = failure(() -> MultiTableWriter.write(spark(), List.of(
        new MultiTableWriter.Pass(broken, List.of(new MultiTableWriter.Target("t_main", dir.resolve("main").toString(), true))),
        new MultiTableWriter.Pass(routed(), List.of(new MultiTableWriter.Target("t_extra", other, false))))));
    assertTrue(f.thrown().getMessage().contains("unknown status bogus"), f.thrown().getMessage());
    List<SparkListenerJobEnd> succeeded = f.events(SparkListenerJobEnd.class).stream()
        .filter(end -> end.jobResult() == JobSucceeded$.MODULE$).toList();
    assertEquals(1, succeeded.size(), "the other pass ran to its end: " + f.events());
    assertTrue(succeeded.get(0).time() <= f.thrownAt(), "the other pass ended before the failure was thrown");
    try (Stream<Path> all = Files.walk(dir.resolve("other"))) {
      assertTrue(all.filter(p -> p.toString().endsWith(".parquet")).allMatch(p -> p.toString().contains("/_staging-")),
          "the other pass's files are not committed");
    }
  }

  @Test
  void aFailedPassIsThrownOnlyOnceItsOwnTasksHaveEnded() throws Exception {
    // two tasks: the first fails on its first row, the second is still writing (a tenth of a second a row)
    spark().udf().register("rupture_test_slowly", (UDF1<Long, Long>) v -> {
      Thread.sleep(100);
      return v;
    }, DataTypes.LongType);
    Dataset<Row> twoTasks = spark().range(0, 40, 1, 2).selectExpr("'s1' AS site",
        "concat('f', CAST(id DIV 20 AS STRING)) AS source_file",
        "CASE WHEN id = 0 THEN 'bogus' ELSE 'accepted' END AS status", "CAST(NULL AS BIGINT) AS file_rows",
        "CAST(NULL AS STRING) AS file_checksum", "false AS line_missing",
        "named_struct('v', CAST(id AS INT), 'source_row', IF(id >= 20, rupture_test_slowly(id), id)) AS t_main");
    Failure f = failure(() -> MultiTableWriter.write(spark(), twoTasks,
        List.of(new MultiTableWriter.Target("t_main", dir.resolve("main").toString(), true))));
    assertTrue(f.thrown().getMessage().contains("unknown status bogus"), f.thrown().getMessage());
    assertEquals(2, f.events(SparkListenerTaskStart.class).size(), "both tasks started");
    List<SparkListenerTaskEnd> ended = f.events(SparkListenerTaskEnd.class);
    assertEquals(2, ended.size(), "both tasks ended before the failure was thrown");
    for (SparkListenerTaskEnd end : ended) {
      assertTrue(end.taskInfo().finishTime() <= f.thrownAt(), "task " + end.taskInfo().index() + " ended "
          + (end.taskInfo().finishTime() - f.thrownAt()) + " ms after the failure was thrown");
    }
  }

  /** What a failing write threw, when, and the job and task events Spark posted until then. */
  private record Failure(RuntimeException thrown, long thrownAt, List<SparkListenerEvent> events) {
    <T> List<T> events(Class<T> type) {
      return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
  }

  /**
   * Runs a write that must fail and records the events Spark posts meanwhile. Events as posted, not the
   * status tracker's view: for a failed job Spark wakes the waiting caller before it posts the job's end,
   * so right after the throw the tracker may still count the failed job as active.
   */
  private Failure failure(Executable write) throws TimeoutException {
    List<SparkListenerEvent> events = Collections.synchronizedList(new ArrayList<>());
    SparkListener listener = new SparkListener() {
      @Override
      public void onJobEnd(SparkListenerJobEnd end) {
        events.add(end);
      }

      @Override
      public void onTaskStart(SparkListenerTaskStart start) {
        events.add(start);
      }

      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        events.add(end);
      }
    };
    spark().sparkContext().addSparkListener(listener);
    try {
      RuntimeException thrown = assertThrows(RuntimeException.class, write);
      long thrownAt = System.currentTimeMillis();
      spark().sparkContext().listenerBus().waitUntilEmpty(); // the events posted so far reach the listener
      return new Failure(thrown, thrownAt, List.copyOf(events));
    } finally {
      spark().sparkContext().removeSparkListener(listener);
    }
  }

  @Test
  void uniqueColumnsAreWrittenWithoutADictionary() throws IOException {
    String main = dir.resolve("plain").toString();
    MultiTableWriter.write(spark(), routed(), List.of(
        new MultiTableWriter.Target("t_main", main, false, List.of("v"))));
    Path file;
    try (Stream<Path> all = Files.walk(dir.resolve("plain"))) {
      file = all.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(file.toString()), spark().sparkContext().hadoopConfiguration()))) {
      for (ColumnChunkMetaData c : reader.getFooter().getBlocks().get(0).getColumns()) {
        boolean dictionary = c.getEncodings().stream().anyMatch(Encoding::usesDictionary);
        assertEquals(!c.getPath().toDotString().equals("v"), dictionary, c.getPath() + " " + c.getEncodings());
      }
    }
  }
}
