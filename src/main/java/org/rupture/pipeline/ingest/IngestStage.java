package org.rupture.pipeline.ingest;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.SerializableConfiguration;
import org.rupture.pipeline.config.SiteMapping;
import org.rupture.pipeline.curated.CuratedLayout;
import org.rupture.pipeline.report.ManifestWriter;
import scala.Tuple2;

/**
 * Landing files to the curated model (SPEC sections 3-4): parse every new or changed file once in the
 * executors (unchanged ones are taken over from the previous run's {@link IngestState}),
 * type and validate with Spark expressions, classify each record (accepted / quarantined /
 * superseded), check the quarantine gate, then write curated tables, quarantine, field issues and the
 * state for the next run. When the gate fails nothing is written.
 */
public final class IngestStage {
  private final SparkSession spark;
  private final List<SiteMapping> mappings;
  private final KeyHasher hasher;
  private final String runId;
  private final double maxQuarantineShare;

  public IngestStage(SparkSession spark, List<SiteMapping> mappings, KeyHasher hasher, String runId,
      double maxQuarantineShare) {
    this.spark = spark;
    this.mappings = mappings;
    this.hasher = hasher;
    this.runId = runId;
    this.maxQuarantineShare = maxQuarantineShare;
  }

  /**
   * Ingests the landing inventory into {@code out}, parsing only the files that {@code previous} does not
   * hold unchanged ({@link IngestPlan}); then classifies the records of all files together, so superseding
   * and duplicate detection see every delivery, and writes the new state next to the data.
   *
   * @param previous the published run's state, or {@link IngestState#none()} to parse everything
   * @param verifyChecksums recognise unchanged files by SHA-256 (else by size and modification time)
   * @throws DataQualityException when the quarantine gate fails; no curated or quarantine table is written
   */
  public IngestResult run(LandingInventory inventory, CuratedLayout out, IngestState previous,
      boolean verifyChecksums) {
    Map<String, SiteMapping> byId = new HashMap<>();
    mappings.forEach(m -> byId.put(m.id(), m));
    Map<String, String> mappingHashes = new HashMap<>();
    mappings.forEach(m -> mappingHashes.put(m.id(), IngestState.mappingHash(m)));
    IngestState.Compatibility compatibility = IngestState.Compatibility.of(hasher, ManifestWriter.version());
    IngestPlan plan = IngestPlan.of(inventory, previous, compatibility, mappingHashes, verifyChecksums,
        this::checksums);
    Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
    HeaderCheck.require(new LandingInventory(plan.parse(), List.of(), List.of()), byId, hadoopConf);

    List<String> extras = new ArrayList<>(new TreeSet<>(mappings.stream()
        .filter(m -> m.sessions() != null)
        .flatMap(m -> m.sessions().extras().stream().map(SiteMapping.ExtraVariable::name)).toList()));
    int maxFormats = mappings.stream().mapToInt(m -> m.dialect().dateFormats().size()).max().orElse(1);
    List<String> dateFormats = mappings.stream().flatMap(m -> m.dialect().dateFormats().stream()).distinct().toList();
    int maxItems = mappings.stream().filter(m -> m.sessions() != null && m.sessions().alliance() != null)
        .mapToInt(m -> m.sessions().alliance().items().size()).max().orElse(0);

    Dataset<Row> sessions = classified(plan, SourceFile.Kind.SESSIONS, byId, previous,
        staged -> SessionRules.apply(staged.join(broadcast(MappingParameters.sessions(spark, mappings)),
            col("mapping_id").equalTo(col("p_mapping_id"))), extras, dateFormats, maxFormats, maxItems),
        List.of("site", "patient_key", "session_number", "rater"), SessionRules.canonicalColumns(extras));
    Dataset<Row> patients = classified(plan, SourceFile.Kind.PATIENTS, byId, previous,
        staged -> PatientRules.apply(staged.join(broadcast(MappingParameters.patients(spark, mappings)),
            col("mapping_id").equalTo(col("p_mapping_id")))),
        List.of("site", "patient_key"),
        List.of("therapist_key", "treatment", "dropout", "sessions_attended", "therapist_training_phase", "scores"));
    try {
      List<FileCounts> files = new ArrayList<>();
      files.addAll(counts(sessions, "session_ratings", inventory, plan));
      files.addAll(counts(patients, "patients", inventory, plan));
      files.sort(Comparator.comparing(FileCounts::file));
      enforceQuarantineGate(files);

      Column run = lit(runId).as("run_id");
      Dataset<Row> acceptedSessions = sessions.filter(col("status").equalTo(RecordClassifier.ACCEPTED));
      List<Column> sessionCols = new ArrayList<>(SessionRules.canonicalColumns(extras).stream().map(c -> col(c)).toList());
      sessionCols.addAll(lineage(run));
      write(acceptedSessions.select(sessionCols.toArray(Column[]::new)), out.sessionRatings(), true);

      Dataset<Row> acceptedPatients = patients.filter(col("status").equalTo(RecordClassifier.ACCEPTED));
      List<Column> patientCols = new ArrayList<>(PatientRules.canonicalColumns().stream().map(c -> col(c)).toList());
      patientCols.addAll(lineage(run));
      write(acceptedPatients.select(patientCols.toArray(Column[]::new)), out.patients(), true);

      Dataset<Row> outcomes = acceptedPatients
          .select(col("site"), col("patient_key"), explode(col("scores")).as("s"), col("source_file"),
              col("source_row"), col("delivery"))
          .selectExpr("site", "patient_key", "s.measure AS measure", "s.direction AS direction",
              "stack(2, 'baseline', s.baseline, 'termination', s.termination) AS (timepoint, score)",
              "source_file", "source_row", "delivery")
          .filter(col("score").isNotNull())
          .select(col("site"), col("patient_key"), col("measure"), col("timepoint"), col("score"),
              col("direction"), col("source_file"), col("source_row"), col("delivery"), run);
      long outcomeRows = write(outcomes, out.outcomes(), true);

      Dataset<Row> quarantine = quarantined(sessions, "session_ratings", run, SourceFile.Kind.SESSIONS, inventory, byId)
          .unionByName(quarantined(patients, "patients", run, SourceFile.Kind.PATIENTS, inventory, byId));
      write(quarantine, out.quarantine(), false);

      Dataset<Row> issues = fieldIssues(acceptedSessions, "session_ratings", run)
          .unionByName(fieldIssues(acceptedPatients, "patients", run));
      long issueRows = write(issues, out.fieldIssues(), false);

      writeRecords(sessions, IngestState.records(out.ingestState(), SourceFile.Kind.SESSIONS));
      writeRecords(patients, IngestState.records(out.ingestState(), SourceFile.Kind.PATIENTS));
      Map<String, String> checksums = new HashMap<>();
      files.forEach(f -> checksums.put(f.file(), f.checksum()));
      IngestState.write(out.ingestState(), compatibility, inventory.files().stream()
          .map(f -> new IngestState.FileEntry(f.relativePath(), f.kind(), f.mappingId(), mappingHashes.get(f.mappingId()),
              f.bytes(), f.modified(), checksums.get(f.relativePath())))
          .toList(), hadoopConf);

      long sessionRows = files.stream().filter(f -> f.table().equals("session_ratings")).mapToLong(FileCounts::accepted).sum();
      long patientRows = files.stream().filter(f -> f.table().equals("patients")).mapToLong(FileCounts::accepted).sum();
      long quarantinedRows = files.stream().mapToLong(FileCounts::quarantined).sum();
      return new IngestResult(files, sessionRows, patientRows, outcomeRows, quarantinedRows, issueRows,
          inventory.unmappedSites(), inventory.unclaimedFiles());
    } finally {
      sessions.unpersist();
      patients.unpersist();
    }
  }

  /**
   * The classified records of one kind, persisted: the planned files parsed and put through the field
   * rules, plus the rules' output stored for the files taken over from the previous run. When nothing is
   * taken over the records stay in the landing scan's partitions, one site each, so classifying them
   * needs no shuffle ({@link LandingSource}).
   */
  private Dataset<Row> classified(IngestPlan plan, SourceFile.Kind kind, Map<String, SiteMapping> byId,
      IngestState previous, UnaryOperator<Dataset<Row>> rules, List<String> keys,
      List<String> content) {
    StructType schema = kind == SourceFile.Kind.SESSIONS ? StagedRows.SESSIONS : StagedRows.PATIENTS;
    List<SourceFile> toParse = plan.parse().stream().filter(f -> f.kind() == kind).toList();
    Dataset<Row> records = rules.apply(toParse.isEmpty()
        ? spark.createDataFrame(List.of(), schema)
        : LandingSource.load(spark, schema, toParse, byId, hasher));
    Object[] reused = plan.reuse().stream().filter(f -> f.kind() == kind).map(SourceFile::relativePath).toArray();
    boolean bySite = reused.length == 0 && LandingSource.groupsBySite(spark, toParse);
    if (reused.length > 0) {
      Dataset<Row> stored = spark.read().parquet(IngestState.records(previous.dir(), kind))
          .where(col("source_file").isin(reused));
      // the current rules' columns; one an older state lacks (an extra variable added since) is null
      Set<String> storedColumns = Set.of(stored.columns());
      records = records.unionByName(stored.select(Arrays.stream(records.columns())
          .filter(storedColumns::contains).map(c -> col(c)).toArray(Column[]::new)), true);
    }
    return RecordClassifier.classify(records, keys, content, bySite).persist(StorageLevel.MEMORY_AND_DISK());
  }

  /**
   * Stores the rules' output of every record (with the rules' own reasons, not the classifier's) as the
   * state the next run takes unchanged files from. Raw lines are kept only where a rule quarantined the row.
   */
  private static void writeRecords(Dataset<Row> classified, String path) {
    Column[] cols = Arrays.stream(classified.columns())
        .filter(c -> !c.equals("status") && !c.equals("reasons"))
        .map(c -> c.equals(RecordClassifier.RULE_REASONS) ? col(c).as("reasons") : col(c))
        .toArray(Column[]::new);
    classified.select(cols).write().mode(SaveMode.Overwrite).parquet(path);
  }

  private List<List<SourceFile>> groups(List<SourceFile> files) {
    return FileGroups.pack(files, 4 * spark.sparkContext().defaultParallelism(), FileGroups.TARGET_BYTES);
  }

  /** The SHA-256 of each file, computed in the executors (a group of files per task), by relative path. */
  private Map<String, String> checksums(List<SourceFile> files) {
    if (files.isEmpty()) {
      return Map.of();
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<SerializableConfiguration> bConf = hadoopConf(jsc);
    List<List<SourceFile>> groups = groups(files);
    return new HashMap<>(jsc.parallelize(groups, groups.size())
        .flatMap(g -> g.iterator())
        .mapToPair(f -> new Tuple2<>(f.relativePath(), f.sha256(bConf.value().value())))
        .collectAsMap());
  }

  private Broadcast<SerializableConfiguration> hadoopConf(JavaSparkContext jsc) {
    return jsc.broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
  }

  private List<FileCounts> counts(Dataset<Row> classified, String table, LandingInventory inventory,
      IngestPlan plan) {
    Map<String, SourceFile> byRelative = new HashMap<>();
    inventory.files().forEach(f -> byRelative.put(f.relativePath(), f));
    // counts and longs only, so that Spark aggregates by hashing instead of sorting every record;
    // the checksum (a string) comes from the one file record per file
    List<Row> rows = classified.groupBy("source_file", "status")
        .agg(count(lit(1)).as("n"), max("file_rows").as("rows"))
        .collectAsList();
    Map<String, String> checksum = new HashMap<>();
    classified.filter(col("status").equalTo(RecordClassifier.FILE)).select("source_file", "file_checksum")
        .collectAsList().forEach(r -> checksum.put(r.getString(0), r.getString(1)));
    Set<String> parsed = plan.parse().stream().map(SourceFile::relativePath).collect(Collectors.toSet());
    Map<String, long[]> acc = new TreeMap<>();
    for (Row r : rows) {
      String file = r.getString(0);
      long[] c = acc.computeIfAbsent(file, k -> new long[4]);
      switch (r.getString(1)) {
        case RecordClassifier.FILE -> c[0] = r.getLong(3);
        case RecordClassifier.ACCEPTED -> c[1] += r.getLong(2);
        case RecordClassifier.QUARANTINED -> c[2] += r.getLong(2);
        case RecordClassifier.SUPERSEDED -> c[3] += r.getLong(2);
        default -> throw new IllegalStateException("unknown status " + r.getString(1));
      }
    }
    List<FileCounts> out = new ArrayList<>();
    acc.forEach((file, c) -> {
      SourceFile f = byRelative.get(file);
      out.add(new FileCounts(file, f.site(), f.delivery(), table, checksum.get(file), f.bytes(), c[0],
          c[1] + c[2] + c[3], c[1], c[2], c[3], parsed.contains(file)));
    });
    return out;
  }

  /** Fails (exit 3) before anything is written when a site's quarantined share exceeds the limit. */
  private void enforceQuarantineGate(List<FileCounts> files) {
    Map<String, long[]> perSite = new LinkedHashMap<>();
    for (FileCounts f : files) {
      long[] s = perSite.computeIfAbsent(f.site(), k -> new long[2]);
      s[0] += f.quarantined();
      s[1] += f.records();
    }
    List<String> failing = new ArrayList<>();
    perSite.forEach((site, s) -> {
      double share = s[1] == 0 ? 0 : (double) s[0] / s[1];
      if (share > maxQuarantineShare) {
        failing.add(String.format("%s: %d of %d records quarantined (%.1f%%)", site, s[0], s[1], 100 * share));
      }
    });
    if (!failing.isEmpty()) {
      throw new DataQualityException("quarantine share above quality.max_quarantine_share = "
          + maxQuarantineShare + " for " + String.join("; ", failing)
          + ". Nothing was published. Inspect the quarantine reasons with `validate-config` or raise the threshold.");
    }
  }

  private static List<Column> lineage(Column run) {
    return List.of(col("source_file"), col("source_row"), col("delivery"), run);
  }

  /**
   * The quarantined records with their raw lines. Rows quarantined by a rule carry theirs; rows
   * quarantined by the classifier (conflicting duplicates) get theirs by reading their files again,
   * only when there are any: such rows are few, and keeping raw lines out of the classification keeps
   * the widest column out of its cache.
   */
  private Dataset<Row> quarantined(Dataset<Row> classified, String table, Column run, SourceFile.Kind kind,
      LandingInventory inventory, Map<String, SiteMapping> byId) {
    Dataset<Row> q = classified.filter(col("status").equalTo(RecordClassifier.QUARANTINED))
        .select(col("site"), lit(table).as("table"), col("source_file"), col("source_row"), col("delivery"),
            col("reasons"), col("raw_line"), run);
    Set<String> files = q.filter(col("raw_line").isNull()).select("source_file").distinct()
        .collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toSet());
    if (files.isEmpty()) {
      return q;
    }
    List<SourceFile> reread = inventory.files().stream()
        .filter(f -> f.kind() == kind && files.contains(f.relativePath())).toList();
    StructType schema = kind == SourceFile.Kind.SESSIONS ? StagedRows.SESSIONS : StagedRows.PATIENTS;
    // a wide export's row yields one record per session, all with the same raw line
    Dataset<Row> lines = LandingSource.load(spark, schema, reread, byId, hasher)
        .where(col("record_type").equalTo(StagedRows.DATA))
        .select(col("source_file").as("l_file"), col("source_row").as("l_row"), col("raw_line").as("l_line"))
        .dropDuplicates("l_file", "l_row");
    return q.join(lines, col("source_file").equalTo(col("l_file")).and(col("source_row").equalTo(col("l_row"))), "left")
        .withColumn("raw_line", coalesce(col("raw_line"), col("l_line")))
        .drop("l_file", "l_row", "l_line");
  }

  private static Dataset<Row> fieldIssues(Dataset<Row> accepted, String table, Column run) {
    return accepted.select(col("site"), lit(table).as("table"), col("source_file"), col("source_row"),
            col("delivery"), explode(col("issues")).as("i"), run)
        .selectExpr("site", "table", "source_file", "source_row", "delivery", "i.field AS field",
            "i.source_column AS source_column", "i.raw_value AS raw_value", "i.reason AS reason", "run_id");
  }

  /**
   * Writes a table and returns its row count, observed during the write (no second pass). An empty
   * partitioned table is rewritten unpartitioned so that it still carries its schema for readers.
   */
  private static long write(Dataset<Row> ds, String path, boolean partitionBySite) {
    Observation rows = new Observation("rows:" + path);
    var w = ds.observe(rows, count(lit(1)).as("n")).write().mode(SaveMode.Overwrite);
    if (partitionBySite) {
      w = w.partitionBy("site");
    }
    w.parquet(path);
    long n;
    try {
      n = ((Number) rows.getAsJava().get("n")).longValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing " + path, e);
    }
    if (n == 0 && partitionBySite) {
      ds.limit(0).write().mode(SaveMode.Overwrite).parquet(path);
    }
    return n;
  }
}
