package org.rupture.pipeline.ingest;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.JobID;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.TaskAttemptID;
import org.apache.hadoop.mapreduce.TaskID;
import org.apache.hadoop.mapreduce.TaskType;
import org.apache.hadoop.mapreduce.task.TaskAttemptContextImpl;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.parquet.hadoop.ParquetOutputFormat;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.execution.datasources.OutputWriter;
import org.apache.spark.sql.execution.datasources.OutputWriterFactory;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.SerializableConfiguration;
import org.rupture.pipeline.curated.DriverIo;
import org.rupture.pipeline.curated.RunningTasks;
import org.rupture.pipeline.curated.SideBySide;

/**
 * Writes several Parquet tables in one pass over the classified records, and tallies every source
 * file's records by status in the same pass.
 *
 * <p>Why not one {@code DataFrameWriter} per table: every table is a different projection of the same
 * classified records, so Spark would either compute the records (parse, rules, classification) once
 * per table or cache them first; on 8 M session rows building and re-reading that cache cost more than
 * the classification itself. Here each classified row is looked at once: a routed row carries, per
 * target table, a struct (one output row) or an array of structs (several, e.g. field issues), null
 * when the row has nothing for that table, and the task hands each to that table's Parquet writer
 * (Spark's own, from {@link ParquetFileFormat#prepareWrite}, as {@code DataFrameWriter.parquet} uses).
 *
 * <p>Commit: tasks write into a {@code _staging-<job>} folder inside each table (invisible to Parquet
 * readers, which skip names starting with '_'); the driver moves the files the successful task attempts
 * reported into place and removes the staging folders, so files of failed or retried attempts never
 * show. Site-partitioned tables get {@code site=<value>} folders; the routed rows must arrive grouped by
 * site within a partition (the classifier leaves them so), so a task holds one open file per table.
 *
 * <p>Routed rows must have the columns {@code site}, {@code source_file}, {@code status} (the
 * {@link RecordClassifier} statuses), {@code file_rows}, {@code file_checksum} and {@code line_missing}
 * (a quarantined record whose raw line must be read again), then one column per target.
 */
final class MultiTableWriter {
  private static final Logger LOG = LogManager.getLogger(MultiTableWriter.class);

  /**
   * One output table.
   *
   * @param column the routed column holding this table's row (struct) or rows (array of structs)
   * @param path the table's folder; several targets (of several passes) may share one
   * @param partitionBySite write into {@code site=<value>} folders (the row structs then omit the site)
   */
  /**
   * One table written from the struct (or array of structs) column {@code column}. {@code uniqueColumns}
   * hold a different value on (nearly) every row, such as the patients' keys: Parquet's dictionary
   * encoding would hash every value only to fall back to plain encoding, so it is off for them.
   * {@code tallyBy}: string fields of the table's rows by whose values the pass counts, per source file,
   * the routed rows that write any row with them ({@link FileTally#tallied}); a routed row counts once per
   * distinct combination however many of its rows hold it (e.g. a record's field issues by field and
   * reason: records, not issues). Empty: nothing counted. {@code span}: besides, per tally key, the least and
   * greatest of some rows' values ({@link Span}), or null.
   */
  record Target(String column, String path, boolean partitionBySite, List<String> uniqueColumns,
      List<String> tallyBy, Span span) implements Serializable {
    Target(String column, String path, boolean partitionBySite) {
      this(column, path, partitionBySite, List.of());
    }

    Target(String column, String path, boolean partitionBySite, List<String> uniqueColumns) {
      this(column, path, partitionBySite, uniqueColumns, List.of(), null);
    }

    /** This target, its routed rows also counted by the values of {@code fields} of the rows they write. */
    Target tallying(String... fields) {
      return new Target(column, path, partitionBySite, uniqueColumns, List.of(fields), span);
    }

    /** This tallying target, also keeping the least and greatest number per tally key ({@link Span}). */
    Target spanning(String value, String where, String equals) {
      return new Target(column, path, partitionBySite, uniqueColumns, tallyBy, new Span(value, where, equals));
    }
  }

  /**
   * Per tally key, the least and greatest number in the string field {@code value} of the written rows whose
   * string field {@code where} equals {@code equals} (a field issue's raw value where its reason is
   * OUT_OF_RANGE): what the rows of a tallied key held, read only on those rows, which are few. Read as the
   * rules read numbers, with a decimal comma where the value has a comma ({@link #number}); a value that does
   * not read as a finite number is skipped.
   */
  record Span(String value, String where, String equals) implements Serializable {}

  /**
   * Per source file: its data rows (from its file record), records by status, checksum, lines to re-read,
   * and per tallying target ({@link Target#tallyBy}) its routed rows by the values they write.
   */
  static final class FileTally implements Serializable {
    long rows;
    long accepted;
    long quarantined;
    long superseded;
    boolean linesMissing;
    String checksum;
    /** Target column -> values of its {@code tallyBy} fields -> routed rows; only targets that tally. */
    final Map<String, Map<List<String>, Long>> tallied = new HashMap<>();
    /** Target column -> values of its {@code tallyBy} fields -> {least, greatest}; only targets that span. */
    final Map<String, Map<List<String>, double[]>> spans = new HashMap<>();

    void add(FileTally o) {
      rows = Math.max(rows, o.rows);
      accepted += o.accepted;
      quarantined += o.quarantined;
      superseded += o.superseded;
      linesMissing |= o.linesMissing;
      if (checksum == null) {
        checksum = o.checksum;
      }
      o.tallied.forEach((column, counts) -> counts.forEach((key, n) -> count(column, key, n)));
      o.spans.forEach((column, spans) -> spans.forEach((key, minMax) -> {
        span(column, key, minMax[0]);
        span(column, key, minMax[1]);
      }));
    }

    void span(String column, List<String> key, double v) {
      spans.computeIfAbsent(column, c -> new HashMap<>()).merge(key, new double[] {v, v},
          (a, b) -> new double[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
    }

    /** {least, greatest} of {@code column}'s {@link Span} values by tally key; empty when none was read. */
    Map<List<String>, double[]> spans(String column) {
      return spans.getOrDefault(column, Map.of());
    }

    void count(String column, List<String> key, long n) {
      tallied.computeIfAbsent(column, c -> new HashMap<>()).merge(key, n, Long::sum);
    }

    /** The routed rows by the values of {@code column}'s tally fields; empty when none wrote any. */
    Map<List<String>, Long> tallied(String column) {
      return tallied.getOrDefault(column, Map.of());
    }
  }

  /** What one pass wrote: rows per target (in target order) and the tally of every source file. */
  record Result(List<Target> targets, long[] counts, Map<String, FileTally> files) {
    /** Rows written for the target of routed column {@code column}. */
    long rows(String column) {
      for (int i = 0; i < targets.size(); i++) {
        if (targets.get(i).column().equals(column)) {
          return counts[i];
        }
      }
      throw new IllegalArgumentException("no target " + column);
    }
  }

  private static final UTF8String ACCEPTED = UTF8String.fromString(RecordClassifier.ACCEPTED);
  private static final UTF8String QUARANTINED = UTF8String.fromString(RecordClassifier.QUARANTINED);
  private static final UTF8String SUPERSEDED = UTF8String.fromString(RecordClassifier.SUPERSEDED);
  private static final UTF8String FILE = UTF8String.fromString(RecordClassifier.FILE);

  private static final class TaskResult implements Serializable {
    final List<String[]> files = new ArrayList<>();
    final Map<String, FileTally> tally = new HashMap<>();
    long[] rows;
  }

  /** Executor-side description of one target: where its struct sits and how to write it. */
  private record Slot(String column, int ordinal, boolean array, int fields, StructType schema, String staging,
      boolean partitionBySite, OutputWriterFactory factory, int[] tally, int spanValue, int spanWhere,
      UTF8String spanEquals) implements Serializable {}

  private MultiTableWriter() {}

  /** One pass: the routed rows and the tables they are written to. */
  record Pass(Dataset<Row> routed, List<Target> targets) {}

  /** Writes one pass's tables. */
  static Result write(SparkSession spark, Dataset<Row> routed, List<Target> targets) {
    return write(spark, List.of(new Pass(routed, targets))).get(0);
  }

  /**
   * Writes several independent passes, their results in the same order. All passes' Spark jobs are
   * submitted before the first is awaited, in the order given: Spark runs the first pass's tasks first
   * and a later pass's as cores come free, so the later pass fills the cores the first one's last tasks
   * leave idle (a pass's last tasks end unevenly), and its plan is made while the first one's tasks run.
   * When a pass fails, the others are awaited (their files not committed), and every task of the passes'
   * jobs has ended, before its failure is thrown.
   */
  static List<Result> write(SparkSession spark, List<Pass> passes) {
    List<Running> running = new ArrayList<>();
    RunningTasks tasks = new RunningTasks();
    spark.sparkContext().addSparkListener(tasks);
    try {
      for (Pass p : passes) {
        running.add(start(spark, p.routed(), p.targets()));
      }
      List<Result> results = new ArrayList<>();
      for (Running r : running) {
        results.add(r.finish());
      }
      return results;
    } catch (RuntimeException | Error e) {
      running.forEach(Running::abandon);
      awaitTasksEnded(tasks, running);
      throw e;
    } finally {
      spark.sparkContext().removeSparkListener(tasks);
    }
  }

  /**
   * After a failure, waits until no task of the passes' jobs runs, so that none still writes into the
   * run's folder while the caller removes it: Spark reports a failed job before it has ended the job's
   * other running tasks, which close their open files as they end ({@link RunningTasks}).
   */
  private static void awaitTasksEnded(RunningTasks tasks, List<Running> running) {
    List<Integer> jobs = running.stream().flatMap(r -> r.job().jobIds().stream()).toList();
    try {
      if (!tasks.awaitEnded(jobs, RunningTasks.KILLED_TASKS_TIMEOUT_MILLIS)) {
        LOG.warn("tasks of the failed ingest's jobs {} still ran {} s after the failure; their files may be "
            + "left in the unpublished run folder, which the next run removes", jobs,
            RunningTasks.KILLED_TASKS_TIMEOUT_MILLIS / 1000);
      }
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** A pass whose job has been submitted; {@link #finish} awaits it and moves its files into place. */
  private record Running(JavaFutureAction<List<TaskResult>> job, List<Target> targets, List<Slot> slots,
      Configuration hadoopConf) {
    Result finish() {
      List<TaskResult> results;
      try {
        results = job.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while writing " + targets.get(0).path(), e);
      } catch (ExecutionException e) {
        throw SideBySide.asThrown(e.getCause()); // Spark's failure of the job
      }
      return commit(results, targets, slots, hadoopConf);
    }

    /**
     * Waits for the job to end and leaves its files in the staging folders. Not cancelled: Spark ends a
     * cancelled job's running tasks only some time after it reports the job cancelled, and no task may
     * still write into the run's folder once the failure is thrown.
     */
    void abandon() {
      try {
        job.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        // the failure being reported is another pass's
      }
    }
  }

  private static Running start(SparkSession spark, Dataset<Row> routed, List<Target> targets) {
    StructType schema = routed.schema();
    String job = UUID.randomUUID().toString().substring(0, 8);
    Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
    List<Slot> slots = new ArrayList<>();
    List<SerializableConfiguration> confs = new ArrayList<>();
    for (Target t : targets) {
      DataType type = schema.apply(t.column()).dataType();
      boolean array = type instanceof ArrayType;
      StructType rowType = (StructType) (array ? ((ArrayType) type).elementType() : type);
      try {
        // qualified here, in the driver: executors resolve a relative path against their own working
        // folder (on a cluster not the driver's), as Spark's own writers avoid the same way
        Path tablePath = new Path(t.path());
        String table = tablePath.getFileSystem(hadoopConf).makeQualified(tablePath).toString();
        Job hadoopJob = Job.getInstance(hadoopConf);
        for (String c : t.uniqueColumns()) {
          hadoopJob.getConfiguration().setBoolean("parquet.enable.dictionary#" + c, false);
        }
        OutputWriterFactory factory = new ParquetFileFormat().prepareWrite(spark, hadoopJob,
            scala.collection.immutable.Map$.MODULE$.<String, String>empty(), rowType);
        if (RowWriteSupport.supports(rowType, spark.sessionState().conf())) {
          ParquetOutputFormat.setWriteSupportClass(hadoopJob, RowWriteSupport.class);
        }
        confs.add(new SerializableConfiguration(hadoopJob.getConfiguration()));
        int[] tally = new int[t.tallyBy().size()];
        for (int i = 0; i < tally.length; i++) {
          tally[i] = rowType.fieldIndex(t.tallyBy().get(i));
          if (!(rowType.fields()[tally[i]].dataType() instanceof StringType)) {
            throw new IllegalArgumentException("cannot tally " + t.column() + " by " + t.tallyBy().get(i)
                + ", not a string");
          }
        }
        int spanValue = -1;
        int spanWhere = -1;
        if (t.span() != null) {
          if (tally.length == 0) {
            throw new IllegalArgumentException("cannot span " + t.column() + " without tallying it");
          }
          spanValue = stringField(t, rowType, t.span().value());
          spanWhere = stringField(t, rowType, t.span().where());
        }
        slots.add(new Slot(t.column(), schema.fieldIndex(t.column()), array, rowType.size(), rowType,
            table + "/_staging-" + job, t.partitionBySite(), factory, tally, spanValue, spanWhere,
            t.span() == null ? null : UTF8String.fromString(t.span().equals())));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot prepare the Parquet write of " + t.path(), e);
      }
    }
    int[] fixed = {schema.fieldIndex("site"), schema.fieldIndex("source_file"), schema.fieldIndex("status"),
        schema.fieldIndex("file_rows"), schema.fieldIndex("file_checksum"), schema.fieldIndex("line_missing")};
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<List<SerializableConfiguration>> bConfs = jsc.broadcast(confs);
    JavaRDD<InternalRow> rows = ((org.apache.spark.sql.classic.Dataset<Row>) routed).queryExecution().toRdd().toJavaRDD();
    JavaFutureAction<List<TaskResult>> submitted = rows
        .mapPartitions(it -> List.of(writePartition(it, slots, fixed, bConfs.value(), job)).iterator())
        .collectAsync();
    return new Running(submitted, targets, slots, hadoopConf);
  }

  private static int stringField(Target t, StructType rowType, String field) {
    int i = rowType.fieldIndex(field);
    if (!(rowType.fields()[i].dataType() instanceof StringType)) {
      throw new IllegalArgumentException("cannot span " + t.column() + " by " + field + ", not a string");
    }
    return i;
  }

  private static Result commit(List<TaskResult> results, List<Target> targets, List<Slot> slots,
      Configuration hadoopConf) {
    long[] counts = new long[targets.size()];
    Map<String, FileTally> files = new HashMap<>();
    try {
      FileSystem fs = new Path(slots.isEmpty() ? "/" : slots.get(0).staging()).getFileSystem(hadoopConf);
      List<String[]> moves = new ArrayList<>();
      for (TaskResult r : results) {
        for (int i = 0; i < counts.length; i++) {
          counts[i] += r.rows[i];
        }
        r.tally.forEach((f, t) -> files.computeIfAbsent(f, k -> new FileTally()).add(t));
        moves.addAll(r.files);
      }
      // a file per site and table (thousands with thousands of sites), each move a round trip to a cluster's file
      // system (a NameNode call): on a few threads (DriverIo), the site folders made first, once each
      List<Path> folders = moves.stream().map(move -> new Path(move[1]).getParent()).distinct().toList();
      DriverIo.map(folders, fs::mkdirs);
      DriverIo.map(moves, move -> {
        if (!fs.rename(new Path(move[0]), new Path(move[1]))) {
          throw new IOException("cannot move " + move[0] + " to " + move[1]);
        }
        return move;
      });
      for (Slot s : slots) {
        fs.delete(new Path(s.staging()), true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot commit the ingest's tables: " + e.getMessage(), e);
    }
    return new Result(List.copyOf(targets), counts, files);
  }

  private static TaskResult writePartition(Iterator<InternalRow> it, List<Slot> slots, int[] fixed,
      List<SerializableConfiguration> confs, String job) throws IOException {
    TaskContext task = TaskContext.get();
    int partition = task.partitionId();
    TaskAttemptID attempt = new TaskAttemptID(new TaskID(new JobID(job, task.stageId()), TaskType.MAP, partition),
        task.attemptNumber());
    TaskAttemptContext[] contexts = new TaskAttemptContext[slots.size()];
    for (int i = 0; i < contexts.length; i++) {
      // a copy per task: the broadcast configuration is shared by the executor's concurrent tasks
      contexts[i] = new TaskAttemptContextImpl(new Configuration(confs.get(i).value()), attempt);
    }
    TaskResult result = new TaskResult();
    result.rows = new long[slots.size()];
    OutputWriter[] open = new OutputWriter[slots.size()];
    String[][] openFiles = new String[slots.size()][];
    int[] sequence = new int[slots.size()];
    String prefix = String.format("part-%05d-%s-a%d", partition, job, task.attemptNumber());
    UTF8String site = null;
    String siteDir = null;
    UTF8String lastFile = null;
    FileTally tally = null;
    boolean done = false;
    try {
      while (it.hasNext()) {
        InternalRow row = it.next();
        if (site == null || !RowStrings.equals(row, fixed[0], site)) {
          // rows arrive grouped by site: a new site closes the partitioned tables' files of the last one
          for (int i = 0; i < open.length; i++) {
            if (open[i] != null && slots.get(i).partitionBySite()) {
              close(open, openFiles, i, result);
            }
          }
          site = row.getUTF8String(fixed[0]).clone();
          siteDir = ExternalCatalogUtils.getPartitionPathString("site", site.toString());
        }
        if (lastFile == null || !RowStrings.equals(row, fixed[1], lastFile)) {
          lastFile = row.getUTF8String(fixed[1]).clone();
          tally = result.tally.computeIfAbsent(lastFile.toString(), k -> new FileTally());
        }
        count(row, fixed, tally);
        for (int i = 0; i < open.length; i++) {
          Slot s = slots.get(i);
          if (row.isNullAt(s.ordinal())) {
            continue;
          }
          if (s.array()) {
            ArrayData values = row.getArray(s.ordinal());
            List<List<String>> keys = null;
            for (int j = 0; j < values.numElements(); j++) {
              if (!values.isNullAt(j)) {
                InternalRow value = values.getStruct(j, s.fields());
                writer(open, openFiles, sequence, i, s, contexts[i], prefix, siteDir).write(value);
                result.rows[i]++;
                if (s.tally().length > 0) {
                  List<String> key = key(value, s.tally());
                  keys = distinct(keys, key);
                  span(value, s, key, tally);
                }
              }
            }
            if (keys != null) {
              for (List<String> k : keys) {
                tally.count(s.column(), k, 1);
              }
            }
          } else {
            InternalRow value = row.getStruct(s.ordinal(), s.fields());
            writer(open, openFiles, sequence, i, s, contexts[i], prefix, siteDir).write(value);
            result.rows[i]++;
            if (s.tally().length > 0) {
              List<String> key = key(value, s.tally());
              tally.count(s.column(), key, 1);
              span(value, s, key, tally);
            }
          }
        }
      }
      for (int i = 0; i < open.length; i++) {
        if (open[i] != null) {
          close(open, openFiles, i, result);
        }
      }
      done = true;
      return result;
    } finally {
      if (!done) {
        // a failed attempt leaves its files in the staging folders, which the driver removes
        for (OutputWriter w : open) {
          if (w != null) {
            try {
              w.close();
            } catch (RuntimeException ignored) {
              // the task's own failure is the one to report
            }
          }
        }
      }
    }
  }

  /** The values of a written row's tally fields (strings only for the few rows of a tallying target). */
  private static List<String> key(InternalRow value, int[] fields) {
    List<String> key = new ArrayList<>(fields.length);
    for (int f : fields) {
      key.add(value.isNullAt(f) ? null : value.getUTF8String(f).toString());
    }
    return key;
  }

  /** Adds a written row's {@link Span} value to {@code tally} where the slot spans and the row is one to read. */
  private static void span(InternalRow value, Slot s, List<String> key, FileTally tally) {
    if (s.spanWhere() < 0 || value.isNullAt(s.spanWhere()) || value.isNullAt(s.spanValue())
        || !RowStrings.equals(value, s.spanWhere(), s.spanEquals())) {
      return;
    }
    double v = number(value.getUTF8String(s.spanValue()));
    if (!Double.isNaN(v)) {
      tally.span(s.column(), key, v);
    }
  }

  private static final UTF8String COMMA = UTF8String.fromString(",");

  /**
   * A raw value as the rules read it, its comma taken for a decimal comma (where a value the rules read as a
   * number has a comma, its mapping has one); NaN for one that does not read as a finite number.
   */
  static double number(UTF8String raw) {
    Double d = FieldFunctions.number(raw.trim(), raw.contains(COMMA));
    return d == null || Double.isInfinite(d) ? Double.NaN : d;
  }

  /** {@code keys} with {@code key} added unless it holds it already (a routed row writes few rows). */
  private static List<List<String>> distinct(List<List<String>> keys, List<String> key) {
    if (keys == null) {
      keys = new ArrayList<>(2);
    }
    if (!keys.contains(key)) {
      keys.add(key);
    }
    return keys;
  }

  private static void count(InternalRow row, int[] fixed, FileTally tally) {
    // compared in place: no string made per record
    if (RowStrings.equals(row, fixed[2], ACCEPTED)) {
      tally.accepted++;
    } else if (RowStrings.equals(row, fixed[2], QUARANTINED)) {
      tally.quarantined++;
    } else if (RowStrings.equals(row, fixed[2], SUPERSEDED)) {
      tally.superseded++;
    } else if (RowStrings.equals(row, fixed[2], FILE)) {
      tally.rows = Math.max(tally.rows, row.isNullAt(fixed[3]) ? 0 : row.getLong(fixed[3]));
      if (!row.isNullAt(fixed[4])) {
        tally.checksum = row.getUTF8String(fixed[4]).toString();
      }
    } else {
      throw new IllegalStateException("unknown status " + row.getUTF8String(fixed[2]));
    }
    if (!row.isNullAt(fixed[5]) && row.getBoolean(fixed[5])) {
      tally.linesMissing = true;
    }
  }

  private static OutputWriter writer(OutputWriter[] open, String[][] openFiles, int[] sequence, int i, Slot s,
      TaskAttemptContext context, String prefix, String siteDir) {
    if (open[i] == null) {
      String relative = (s.partitionBySite() ? siteDir + "/" : "")
          + String.format("%s-%03d%s", prefix, sequence[i]++, s.factory().getFileExtension(context));
      String staged = s.staging() + "/" + relative;
      String finalPath = s.staging().substring(0, s.staging().lastIndexOf("/_staging-")) + "/" + relative;
      open[i] = s.factory().newInstance(staged, s.schema(), context);
      openFiles[i] = new String[] {staged, finalPath};
    }
    return open[i];
  }

  private static void close(OutputWriter[] open, String[][] openFiles, int i, TaskResult result) {
    open[i].close();
    result.files.add(openFiles[i]);
    open[i] = null;
    openFiles[i] = null;
  }
}
