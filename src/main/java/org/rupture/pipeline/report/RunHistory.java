package org.rupture.pipeline.report;

import static org.rupture.pipeline.report.ResultTable.LONG;
import static org.rupture.pipeline.report.ResultTable.TEXT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The history a researcher reads to see how each estimate moved as data arrived (docs/operations.md):
 * <ul>
 *   <li>{@code history/runs} (Parquet + CSV): per night the run published last for it, and before it the
 *       night's last run with results when that last run has none (an {@code ingest});</li>
 *   <li>{@code history/pooled} (Parquet + CSV): run_id, run_date, then every column of results/pooled, one
 *       row per night x pooled estimate.</li>
 * </ul>
 * Each run writes the whole history up to and including itself into its own folder, so the history is
 * published atomically with the run and retention never loses it. A night run again with results replaces
 * that night's rows: the history holds one set of estimates per night and no duplicated rows. A run without
 * results (an {@code ingest}) replaces only the night's runs without results, so that the night's estimates
 * and the run holding them stay.
 */
public final class RunHistory {
  static final StructType RUNS = ResultTable.schema("run_id", TEXT, "run_date", TEXT, "published_at", TEXT,
      "command", TEXT, "previous_run", TEXT, "files_parsed", LONG, "files_reused", LONG, "session_ratings", LONG,
      "quarantined", LONG, "pooled_rows", LONG);

  /** What the runs table says about one night's run. */
  public record Night(String runId, LocalDate runDate, Instant publishedAt, String command, String previousRun,
      long filesParsed, long filesReused, long sessionRatings, long quarantined, long pooledRows) {
    Row toRow() {
      return RowFactory.create(runId, runDate.toString(), publishedAt.toString(), command, previousRun, filesParsed,
          filesReused, sessionRatings, quarantined, pooledRows);
    }
  }

  private final SparkSession spark;

  public RunHistory(SparkSession spark) {
    this.spark = spark;
  }

  /** The run ids of a history folder per night, oldest night first; empty when there is none. */
  public List<List<String>> nights(String historyDir) {
    String runs = historyDir + "/runs";
    if (!exists(runs)) {
      return List.of();
    }
    return byNight(spark.read().parquet(runs).select("run_id", "run_date").collectAsList());
  }

  /** Run ids grouped by night, in the order of the rows (sorted by night): rows starting run_id, run_date. */
  private static List<List<String>> byNight(List<Row> runs) {
    Map<String, List<String>> nights = new LinkedHashMap<>();
    for (Row r : runs) {
      nights.computeIfAbsent(r.getString(1), d -> new ArrayList<>()).add(r.getString(0));
    }
    return List.copyOf(nights.values());
  }

  /**
   * Writes the history of a run: the previous history without the run's night, plus the run.
   *
   * @param previousHistoryDir the published run's history folder, or null
   * @param pooledResults this run's results/pooled Parquet, or null when the run made no results
   * @return the run ids per night, oldest night first (the last night's last is this run)
   */
  public List<List<String>> write(String previousHistoryDir, String pooledResults, String historyDir, Night night) {
    ResultFiles files = new ResultFiles(spark, historyDir);
    String date = night.runDate().toString();
    boolean withResults = pooledResults != null;

    // without results, the night keeps its last run with results (and so its estimates below)
    List<Row> nights = new ArrayList<>(previous(previousHistoryDir, "runs", RUNS, date, !withResults));
    nights.add(night.toRow());
    nights.sort(Comparator.comparing(r -> r.getString(1))); // stable: a night's runs stay in publishing order
    files.writeParquetAndCsv(new ResultTable("runs", RUNS, nights));

    StructType pooledSchema = null;
    List<Row> pooled = new ArrayList<>();
    if (pooledResults != null) {
      StructType results = spark.read().parquet(pooledResults).schema();
      pooledSchema = ResultTable.schema("run_id", TEXT, "run_date", TEXT);
      for (StructField f : results.fields()) {
        pooledSchema = pooledSchema.add(f.name(), f.dataType(), true);
      }
      for (Row r : spark.read().parquet(pooledResults).collectAsList()) {
        Object[] values = new Object[r.length() + 2];
        values[0] = night.runId();
        values[1] = date;
        for (int i = 0; i < r.length(); i++) {
          values[i + 2] = r.get(i);
        }
        pooled.add(RowFactory.create(values));
      }
    } else if (previousHistoryDir != null && exists(previousHistoryDir + "/pooled")) {
      pooledSchema = spark.read().parquet(previousHistoryDir + "/pooled").schema();
    }
    if (pooledSchema != null) {
      List<Row> all = new ArrayList<>(previous(previousHistoryDir, "pooled", pooledSchema, date, !withResults));
      all.addAll(pooled);
      all.sort(Comparator.comparing(r -> r.getString(1)));
      files.writeParquetAndCsv(new ResultTable("pooled", pooledSchema, all));
    }
    return byNight(nights);
  }

  /**
   * The rows of a previous history table other than those of {@code runDate}, in file order, with their
   * columns matched to {@code schema} by name (a column the older run did not have is null). With
   * {@code keepResults}, {@code runDate}'s rows of its last run with results stay: in {@code runs} the row
   * with pooled rows, in {@code pooled} every row (they are that run's).
   */
  private List<Row> previous(String historyDir, String table, StructType schema, String runDate,
      boolean keepResults) {
    if (historyDir == null || !exists(historyDir + "/" + table)) {
      return List.of();
    }
    List<Row> out = new ArrayList<>();
    for (Row r : spark.read().parquet(historyDir + "/" + table).collectAsList()) {
      if (runDate.equals(r.getString(r.fieldIndex("run_date")))
          && !(keepResults && (table.equals("pooled") || r.getLong(r.fieldIndex("pooled_rows")) > 0))) {
        continue;
      }
      Object[] values = new Object[schema.size()];
      for (int i = 0; i < values.length; i++) {
        String name = schema.fields()[i].name();
        values[i] = r.schema().getFieldIndex(name).isDefined() ? r.get(r.fieldIndex(name)) : null;
      }
      out.add(RowFactory.create(values));
    }
    return out;
  }

  private boolean exists(String location) {
    Path p = new Path(location);
    try {
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + location, e);
    }
  }
}
