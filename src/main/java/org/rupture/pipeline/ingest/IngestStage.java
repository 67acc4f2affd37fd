package org.rupture.pipeline.ingest;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.try_element_at;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.io.UncheckedIOException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;
import org.rupture.pipeline.config.PipelineConfig;
import org.rupture.pipeline.config.SiteMapping;
import org.rupture.pipeline.curated.CuratedLayout;
import org.rupture.pipeline.curated.CuratedTables;
import org.rupture.pipeline.curated.SideBySide;
import org.rupture.pipeline.report.ManifestWriter;
import scala.Tuple2;

/**
 * Landing files to the curated model (SPEC sections 3-4): parse every new or changed file once in the
 * executors (unchanged ones are taken over from the previous run's {@link IngestState}),
 * type and validate with Spark expressions, classify each record (accepted / quarantined /
 * superseded) and write curated tables, quarantine, field issues and the state for the next run in one
 * pass per record kind ({@link MultiTableWriter}), counting every file's records, and its accepted records'
 * nulled fields by field and reason, on the way; then check the quarantine gate and the field issue shares
 * ({@link FieldIssueShares}). When a gate fails what was written is removed again, and nothing is published.
 */
public final class IngestStage {
  private static final Logger LOG = LogManager.getLogger(IngestStage.class);
  private final SparkSession spark;
  private final List<SiteMapping> mappings;
  private final KeyHasher hasher;
  private final String runId;
  private final double maxQuarantineShare;
  private final double fieldIssueWarnShare;
  private final Double maxFieldIssueShare;
  private final double outOfRangeWarnShare;
  /** Shuffle parsed records by site too (the path records take when stored ones join them); for tests. */
  private boolean shuffleBySite;

  /** With the field issue shares' defaults: warnings above 0.2, no gate. */
  public IngestStage(SparkSession spark, List<SiteMapping> mappings, KeyHasher hasher, String runId,
      double maxQuarantineShare) {
    this(spark, mappings, hasher, runId, new PipelineConfig.Quality(maxQuarantineShare,
        PipelineConfig.Quality.DEFAULT_FIELD_ISSUE_WARN_SHARE, null));
  }

  /** @param quality the quarantine gate, and the field issue shares' warning threshold and gate */
  public IngestStage(SparkSession spark, List<SiteMapping> mappings, KeyHasher hasher, String runId,
      PipelineConfig.Quality quality) {
    this.spark = spark;
    this.mappings = mappings;
    this.hasher = hasher;
    this.runId = runId;
    this.maxQuarantineShare = quality.maxQuarantineShare();
    this.fieldIssueWarnShare = quality.fieldIssueWarnShare();
    this.maxFieldIssueShare = quality.maxFieldIssueShare();
    this.outOfRangeWarnShare = quality.outOfRangeWarnShare();
  }

  /** This stage with the parsed records shuffled by site before they are classified, as stored ones are. */
  IngestStage shufflingBySite() {
    shuffleBySite = true;
    return this;
  }

  /**
   * Ingests the landing inventory into {@code out}, parsing only the files that {@code previous} does not
   * hold unchanged ({@link IngestPlan}); then classifies the records of all files together, so superseding
   * and duplicate detection see every delivery, and writes the new state next to the data.
   *
   * @param previous the published run's state, or {@link IngestState#none()} to parse everything
   * @param verifyChecksums recognise unchanged files by SHA-256 (else by size and modification time)
   * @throws DataQualityException when the quarantine gate or the field issue gate fails; no curated or
   *     quarantine table is written
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
    int maxMeasures = mappings.stream().filter(m -> m.patients() != null)
        .mapToInt(m -> m.patients().outcomes().size()).max().orElse(0);

    Column run = lit(runId).as("run_id");
    List<MultiTableWriter.Target> sessionTargets = List.of(
        new MultiTableWriter.Target("t_curated", out.sessionRatings(), true),
        new MultiTableWriter.Target("t_quarantine", out.quarantine(), false),
        issueTarget(out),
        new MultiTableWriter.Target("t_state", IngestState.records(out.ingestState(), SourceFile.Kind.SESSIONS), false));
    List<MultiTableWriter.Target> patientTargets = List.of(
        new MultiTableWriter.Target("t_curated", out.patients(), true, List.of("patient_key")),
        new MultiTableWriter.Target("t_outcomes", out.outcomes(), true),
        new MultiTableWriter.Target("t_quarantine", out.quarantine(), false),
        issueTarget(out),
        new MultiTableWriter.Target("t_state", IngestState.records(out.ingestState(), SourceFile.Kind.PATIENTS), false,
            List.of("patient_key")));
    // Everything is written first and checked after: the run's folder is published only when the whole
    // run succeeds, and on a failed gate this stage removes what it wrote (nothing is published).
    // a quarantined record's session as read: a wide row's records share its row number and raw line
    Column session = coalesce(col("session_number").cast(DataTypes.StringType), col(SessionRules.UNPARSED_SESSION));
    Supplier<Dataset<Row>> sessionPlan = () -> planned(routed(classified(plan, SourceFile.Kind.SESSIONS, byId,
        previous, staged -> SessionRules.apply(staged.join(broadcast(MappingParameters.sessions(spark, mappings)),
            col("mapping_id").equalTo(col("p_mapping_id"))), extras, dateFormats, maxFormats),
        List.of("site", "patient_key", "session_number", "rater"), SessionRules.canonicalColumns(extras)),
        "session_ratings", run, SessionRules.canonicalColumns(extras), session, null, false));
    Supplier<Dataset<Row>> patientPlan = () -> planned(routed(classified(plan, SourceFile.Kind.PATIENTS, byId,
        previous, staged -> PatientRules.apply(staged.join(broadcast(MappingParameters.patients(spark, mappings)),
            col("mapping_id").equalTo(col("p_mapping_id"))), maxMeasures),
        List.of("site", "patient_key"), PatientRules.contentColumns()),
        "patients", run, PatientRules.canonicalColumns(), lit(null).cast(DataTypes.StringType),
        outcomes(run, maxMeasures), true));
    // The two passes are planned side by side. Each plan runs a small job (the broadcast of its mappings'
    // parameters) and compiles its rules' generated code, on one driver thread, and no task of either pass
    // starts before both plans are made: planned one after the other, a core stood idle for the whole of
    // the patients' plan before the session pass began (docs/performance.md).
    SideBySide.Results<Dataset<Row>, Dataset<Row>> routedPasses = SideBySide.run("patients-plan", sessionPlan,
        patientPlan);
    Dataset<Row> sessionRouted = routedPasses.here();
    Dataset<Row> patientRouted = routedPasses.background();
    List<MultiTableWriter.Result> passes = MultiTableWriter.write(spark, List.of(
        new MultiTableWriter.Pass(sessionRouted, sessionTargets), new MultiTableWriter.Pass(patientRouted, patientTargets)));
    MultiTableWriter.Result sessionPass = passes.get(0);
    MultiTableWriter.Result patientPass = passes.get(1);

    List<FileCounts> files = new ArrayList<>();
    files.addAll(counts(sessionPass, "session_ratings", inventory, plan));
    files.addAll(counts(patientPass, "patients", inventory, plan));
    files.sort(Comparator.comparing(FileCounts::file));
    Map<String, SiteMapping> mappingOfSite = new HashMap<>();
    inventory.files().forEach(f -> mappingOfSite.put(f.site(), byId.get(f.mappingId())));
    FieldIssueShares fieldIssueShares = FieldIssueShares.of(files, mappingOfSite, fieldIssueWarnShare,
        maxFieldIssueShare, outOfRangeWarnShare);
    try {
      enforceQuarantineGate(files, out.quarantine());
      fieldIssueShares.enforceGate();
    } catch (DataQualityException e) {
      deleteWritten(out, hadoopConf);
      throw e;
    }
    long quarantineRows = sessionPass.rows("t_quarantine") + patientPass.rows("t_quarantine");
    long issueRows = sessionPass.rows("t_issues") + patientPass.rows("t_issues");
    long outcomeRows = patientPass.rows("t_outcomes");
    restoreRawLines(out, linesMissing(sessionPass), linesMissing(patientPass), inventory, byId);
    writeEmpty(sessionRouted, "t_curated", out.sessionRatings(), sessionPass.rows("t_curated"), true);
    writeEmpty(patientRouted, "t_curated", out.patients(), patientPass.rows("t_curated"), true);
    writeEmpty(patientRouted, "t_outcomes", out.outcomes(), outcomeRows, true);
    writeEmpty(sessionRouted, "t_quarantine", out.quarantine(), quarantineRows, false);
    writeEmpty(sessionRouted, "t_issues", out.fieldIssues(), issueRows, false);
    writeEmpty(sessionRouted, "t_state", IngestState.records(out.ingestState(), SourceFile.Kind.SESSIONS),
        sessionPass.rows("t_state"), false);
    writeEmpty(patientRouted, "t_state", IngestState.records(out.ingestState(), SourceFile.Kind.PATIENTS),
        patientPass.rows("t_state"), false);

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
        fieldIssueShares, inventory.unmappedSites(), inventory.unclaimedFiles(),
        FileWarnings.of(files, maxQuarantineShare, f -> reasonCounts(out.quarantine(), col("source_file"), f)));
  }

  /**
   * The classified records as {@link MultiTableWriter} rows: per record its curated row (accepted),
   * its quarantine row (quarantined, with its {@code session} as text: a wide row's records share the
   * row's number and raw line), its field issues (accepted, with nulled fields), optionally more
   * rows of an accepted record ({@code extra}, as {@code t_outcomes}), and its state row: the rules'
   * output with the rules' own reasons, not the classifier's, for the next run to take unchanged files
   * from; raw lines only where a rule quarantined the row. Unless {@code stateOfAccepted}, accepted
   * records without field issues get no state row: they are rebuilt from the curated table instead
   * ({@link #acceptedSessions}), which saves writing nearly every session twice.
   */
  private static Dataset<Row> routed(Dataset<Row> classified, String table, Column run, List<String> canonical,
      Column session, Column extra, boolean stateOfAccepted) {
    Column accepted = col("status").equalTo(RecordClassifier.ACCEPTED);
    Column quarantined = col("status").equalTo(RecordClassifier.QUARANTINED);
    List<Column> curated = new ArrayList<>(canonical.stream().filter(c -> !c.equals("site")).map(c -> col(c)).toList());
    curated.addAll(lineage(run));
    Column issueRows = transform(col("issues"), i -> struct(col("site"), lit(table).as("table"), col("source_file"),
        col("source_row"), col("delivery"), i.getField("field").as("field"),
        i.getField("source_column").as("source_column"), i.getField("raw_value").as("raw_value"),
        i.getField("reason").as("reason"), run));
    Column[] state = Arrays.stream(classified.columns())
        .filter(c -> !c.equals("status") && !c.equals("reasons"))
        .map(c -> c.equals(RecordClassifier.RULE_REASONS) ? col(c).as("reasons") : col(c))
        .toArray(Column[]::new);
    List<Column> cols = new ArrayList<>(List.of(col("site"), col("source_file"), col("status"), col("file_rows"),
        col("file_checksum"), quarantined.and(col("raw_line").isNull()).as("line_missing"),
        when(accepted, struct(curated.toArray(Column[]::new))).as("t_curated")));
    if (extra != null) {
      cols.add(when(accepted, extra).as("t_outcomes"));
    }
    cols.add(when(quarantined, struct(col("site"), lit(table).as("table"), col("source_file"), col("source_row"),
        session.as("session_number"), col("delivery"), col("reasons"), col("raw_line"), run)).as("t_quarantine"));
    // field issues are few: only rows that have any go through the (interpreted) transform
    cols.add(when(accepted.and(size(col("issues")).gt(0)), issueRows).as("t_issues"));
    Column stored = not(accepted).or(coalesce(size(col("issues")).gt(0), lit(false)));
    cols.add((stateOfAccepted ? struct(state) : when(stored, struct(state))).as("t_state"));
    return classified.select(cols.toArray(Column[]::new));
  }

  /**
   * An accepted patient's outcome rows: per measure its baseline and termination score, where present
   * (null elements, which {@link MultiTableWriter} skips, where not: plain expressions unrolled up to the
   * most measures of any mapping instead of an interpreted filter over a transform).
   */
  private static Column outcomes(Column run, int maxMeasures) {
    List<Column> rows = new ArrayList<>();
    // at least one slot, so that the rows' type is there even when no mapping has an outcome measure
    for (int i = 0; i < Math.max(1, maxMeasures); i++) {
      Column score = try_element_at(col("scores"), lit(i + 1));
      for (String timepoint : List.of("baseline", "termination")) {
        rows.add(when(score.getField(timepoint).isNotNull(), outcome(score, timepoint, run)));
      }
    }
    return array(rows.toArray(Column[]::new));
  }

  private static Column outcome(Column score, String timepoint, Column run) {
    return struct(col("patient_key"), score.getField("measure").as("measure"), lit(timepoint).as("timepoint"),
        score.getField(timepoint).as("score"), score.getField("direction").as("direction"), col("source_file"),
        col("source_row"), col("delivery"), run);
  }

  private static Set<String> linesMissing(MultiTableWriter.Result pass) {
    Set<String> files = new TreeSet<>();
    pass.files().forEach((f, t) -> {
      if (t.linesMissing) {
        files.add(f);
      }
    });
    return files;
  }

  /** A table no record went to is still written, empty, so that readers find its schema. */
  private void writeEmpty(Dataset<Row> routed, String column, String path, long rows, boolean partitionBySite) {
    if (rows > 0) {
      return;
    }
    DataType type = routed.schema().apply(column).dataType();
    StructType rowType = (StructType) (type instanceof ArrayType a ? a.elementType() : type);
    StructType schema = rowType;
    if (partitionBySite) {
      // as a partitioned write of no rows would leave it: unpartitioned, the site a column of its own
      schema = new StructType().add("site", DataTypes.StringType, false);
      for (StructField f : rowType.fields()) {
        schema = schema.add(f);
      }
    }
    spark.createDataFrame(List.of(), schema).write().mode(SaveMode.Overwrite).parquet(path);
  }

  private static void deleteWritten(CuratedLayout out, Configuration hadoopConf) {
    for (String dir : List.of(out.curated(), out.restricted())) {
      try {
        Path p = new Path(dir);
        p.getFileSystem(hadoopConf).delete(p, true);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove " + dir + " after the quarantine gate failed", e);
      }
    }
  }

  /**
   * {@code routed} with its Spark plan made now (Spark keeps it; {@link MultiTableWriter} submits the plan
   * made here): planning runs the plan's broadcast job and compiles its generated code.
   */
  private static Dataset<Row> planned(Dataset<Row> routed) {
    ((org.apache.spark.sql.classic.Dataset<Row>) routed).queryExecution().toRdd();
    return routed;
  }

  /**
   * The classified records of one kind: the planned files parsed and put through the field
   * rules, plus the rules' output stored for the files taken over from the previous run. When nothing is
   * taken over the records stay in the landing scan's partitions, whole sites each, so classifying them
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
    boolean bySite = reused.length == 0 && !shuffleBySite;
    if (reused.length > 0) {
      Dataset<Row> stored = spark.read().parquet(IngestState.records(previous.dir(), kind))
          .where(col("source_file").isin(reused));
      if (kind == SourceFile.Kind.SESSIONS) {
        stored = stored.unionByName(acceptedSessions(CuratedLayout.ofIngestState(previous.dir()),
            plan.reuse().stream().filter(f -> f.kind() == kind).toList(), reused, stored), true);
      }
      // the current rules' columns; one an older state lacks (an extra variable added since) is null
      Set<String> storedColumns = Set.of(stored.columns());
      records = records.unionByName(stored.select(Arrays.stream(records.columns())
          .filter(storedColumns::contains).map(c -> col(c)).toArray(Column[]::new)), true);
    }
    return RecordClassifier.classify(records, keys, content, bySite);
  }

  /**
   * The rules' output of the session records the previous run accepted from {@code files} without a
   * field issue, rebuilt from its curated table: the session state stores only the other records
   * ({@link #routed}), because such a record is exactly its curated row (the rules gave it no reason and
   * nulled nothing, and only rule-quarantined rows keep raw lines). A curated row is one of those unless
   * the state holds its record ({@code stored}): a record is one file row and, for a wide export's row,
   * one session of it.
   */
  private Dataset<Row> acceptedSessions(CuratedLayout previousRun, List<SourceFile> files, Object[] reused,
      Dataset<Row> stored) {
    Dataset<Row> mappingIds = spark.createDataFrame(files.stream()
        .map(f -> RowFactory.create(f.relativePath(), f.mappingId())).toList(),
        new StructType().add("m_file", DataTypes.StringType).add("mapping_id", DataTypes.StringType));
    Dataset<Row> storedKeys = stored.where(col("record_type").equalTo(StagedRows.DATA))
        .select(col("source_file").as("s_file"), col("source_row").as("s_row"), col("session_number").as("s_session"));
    Dataset<Row> curated = CuratedTables.readWithTextSites(spark, previousRun.sessionRatings())
        .where(col("source_file").isin(reused));
    return curated
        .join(storedKeys, curated.col("source_file").equalTo(col("s_file"))
            .and(curated.col("source_row").equalTo(col("s_row")))
            .and(curated.col("session_number").eqNullSafe(col("s_session"))), "left_anti")
        .drop("run_id")
        .join(broadcast(mappingIds), col("source_file").equalTo(col("m_file")))
        .drop("m_file")
        .withColumn("record_type", lit(StagedRows.DATA))
        .withColumn("raw_line", lit(null).cast(DataTypes.StringType))
        .withColumn("reasons", org.apache.spark.sql.functions.array().cast("array<string>"));
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

  /**
   * The field issues' table, its rows counted per file by field and reason, and the least and greatest raw
   * value nulled as OUT_OF_RANGE kept per field: the few rows with issues are the only ones looked at, so a
   * shifted source scale can be named with its values ({@link FieldIssueShares}) at no cost to the others.
   */
  private static MultiTableWriter.Target issueTarget(CuratedLayout out) {
    return new MultiTableWriter.Target("t_issues", out.fieldIssues(), false).tallying("field", "reason")
        .spanning("raw_value", "reason", "OUT_OF_RANGE");
  }

  private static List<FileCounts> counts(MultiTableWriter.Result pass, String table, LandingInventory inventory,
      IngestPlan plan) {
    Map<String, SourceFile> byRelative = new HashMap<>();
    inventory.files().forEach(f -> byRelative.put(f.relativePath(), f));
    Set<String> parsed = plan.parse().stream().map(SourceFile::relativePath).collect(Collectors.toSet());
    List<FileCounts> out = new ArrayList<>();
    new TreeMap<>(pass.files()).forEach((file, c) -> {
      SourceFile f = byRelative.get(file);
      Map<String, Map<String, Long>> issues = new TreeMap<>();
      c.tallied("t_issues").forEach((fieldAndReason, records) -> issues
          .computeIfAbsent(fieldAndReason.get(0), k -> new TreeMap<>()).put(fieldAndReason.get(1), records));
      Map<String, FileCounts.Extent> outOfRange = new TreeMap<>();
      c.spans("t_issues").forEach((fieldAndReason, minMax) ->
          outOfRange.put(fieldAndReason.get(0), new FileCounts.Extent(minMax[0], minMax[1])));
      out.add(new FileCounts(file, f.site(), f.delivery(), table, c.checksum, f.bytes(), c.rows,
          c.accepted + c.quarantined + c.superseded, c.accepted, c.quarantined, c.superseded, parsed.contains(file),
          issues, outOfRange));
    });
    return out;
  }

  /**
   * Fails (exit 3) when a site's quarantined share exceeds the limit; the caller then removes what the run
   * wrote, so the message itself says why the records were quarantined (counts per reason code, from the
   * quarantine just written): the rejected run's quarantine does not outlive it.
   */
  private void enforceQuarantineGate(List<FileCounts> files, String quarantine) {
    Map<String, String> failing = new LinkedHashMap<>();
    FileWarnings.quarantinedPerSite(files).forEach((site, s) -> {
      double share = FileWarnings.share(s[0], s[1]);
      if (share > maxQuarantineShare) {
        failing.put(site, String.format("%s: %d of %d records quarantined (%.1f%%)", site, s[0], s[1], 100 * share));
      }
    });
    if (!failing.isEmpty()) {
      Map<String, String> reasons = reasonCounts(quarantine, col("site"), failing.keySet());
      List<String> lines = failing.entrySet().stream()
          .map(e -> e.getValue() + (reasons.containsKey(e.getKey()) ? ", reasons: " + reasons.get(e.getKey()) : ""))
          .toList();
      throw new DataQualityException("quarantine share above quality.max_quarantine_share = "
          + PipelineConfig.plain(maxQuarantineShare) + " for " + String.join("; ", lines)
          + ". Nothing was published. Fix the export or the site's mapping (reason codes: docs/site-mapping.md), "
          + "or raise quality.max_quarantine_share to publish the run and read its restricted/quarantine.");
    }
  }

  /**
   * Per site (or per file: the quarantine's column {@code by}, one of {@code values}), its quarantined records'
   * reason codes with their counts, most frequent first ("WRONG_FIELD_COUNT 58, MALFORMED_QUOTING 2"); one Spark
   * aggregation of the quarantine, a few rows per site or file to the driver. One whose counts cannot be read
   * (nothing written for it by this pass) is left out: the message then gives the share alone.
   */
  private Map<String, String> reasonCounts(String quarantine, Column by, Collection<String> values) {
    Map<String, String> out = new LinkedHashMap<>();
    try {
      List<Row> rows = spark.read().parquet(quarantine)
          .where(by.isin(values.toArray()))
          .select(by.as("by"), explode(col("reasons")).as("reason"))
          .groupBy(col("by"), col("reason")).count()
          .orderBy(col("by"), col("count").desc(), col("reason"))
          .collectAsList();
      for (Row r : rows) {
        out.merge(r.getString(0), r.getString(1) + " " + r.getLong(2), (a, b) -> a + ", " + b);
      }
    } catch (RuntimeException e) {
      LOG.debug("could not count the quarantine's reasons at {}", quarantine, e);
    }
    return out;
  }

  private static List<Column> lineage(Column run) {
    return List.of(col("source_file"), col("source_row"), col("delivery"), run);
  }

  /**
   * Gives the quarantined records that have no raw line theirs. Rows quarantined by a rule carry
   * theirs; rows quarantined by the classifier (conflicting duplicates) get theirs by reading their
   * files again, only when there are any: such rows are few, and keeping raw lines out of the
   * classification keeps the widest column out of its sort. The quarantine table is rewritten next to
   * itself and swapped in.
   */
  private void restoreRawLines(CuratedLayout out, Set<String> sessionFiles, Set<String> patientFiles,
      LandingInventory inventory, Map<String, SiteMapping> byId) {
    if (sessionFiles.isEmpty() && patientFiles.isEmpty()) {
      return;
    }
    Dataset<Row> lines = null;
    for (SourceFile.Kind kind : SourceFile.Kind.values()) {
      Set<String> files = kind == SourceFile.Kind.SESSIONS ? sessionFiles : patientFiles;
      List<SourceFile> reread = inventory.files().stream()
          .filter(f -> f.kind() == kind && files.contains(f.relativePath())).toList();
      if (reread.isEmpty()) {
        continue;
      }
      StructType schema = kind == SourceFile.Kind.SESSIONS ? StagedRows.SESSIONS : StagedRows.PATIENTS;
      // a wide export's row yields one record per session, all with the same raw line
      Dataset<Row> l = LandingSource.load(spark, schema, reread, byId, hasher)
          .where(col("record_type").equalTo(StagedRows.DATA))
          .select(col("source_file").as("l_file"), col("source_row").as("l_row"), col("raw_line").as("l_line"))
          .dropDuplicates("l_file", "l_row");
      lines = lines == null ? l : lines.unionByName(l);
    }
    Dataset<Row> q = spark.read().parquet(out.quarantine());
    Column[] order = Arrays.stream(q.columns()).map(c -> col(c)).toArray(Column[]::new);
    String rewritten = out.quarantine() + ".rewritten";
    q.join(lines, col("source_file").equalTo(col("l_file")).and(col("source_row").equalTo(col("l_row"))), "left")
        .withColumn("raw_line", coalesce(col("raw_line"), col("l_line")))
        .select(order)
        .write().mode(SaveMode.Overwrite).parquet(rewritten);
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try {
      Path target = new Path(out.quarantine());
      FileSystem fs = target.getFileSystem(conf);
      fs.delete(target, true);
      if (!fs.rename(new Path(rewritten), target)) {
        throw new IOException("cannot move " + rewritten + " to " + target);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot complete the quarantine's raw lines: " + e.getMessage(), e);
    }
  }

}
