package org.rupture.pipeline.analysis;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.rupture.pipeline.curated.CuratedTables;
import org.rupture.pipeline.curated.SideBySide;
import org.rupture.pipeline.config.ConfigException;
import org.rupture.pipeline.features.FeatureCatalog;
import org.rupture.pipeline.features.PatientFeatures;
import org.rupture.pipeline.report.ConsoleSummary;
import org.rupture.pipeline.stats.meta.ReportingScale;
import org.rupture.pipeline.report.ResultFiles;

/**
 * The analysis stage: curated Parquet model -> features -> per-site effects -> two-stage pooling,
 * one-stage IPD models and evidence per claim (SPEC 5-8).
 *
 * <p>Spark work: the feature tables are written once and read back; one grouped aggregation computes the
 * sufficient statistics of every analysis at every site; a small one lists the sites, early-window raters
 * and outcome measures of the kept tables (with the session ratings' sites from their listing, each site is
 * reported in every analysis); each IRLS iteration of a retention model (the one-stage model, and the per-site
 * odds ratios of all sites at once) is one more small job. Only
 * aggregated rows reach the driver, where the statistics are computed.
 *
 * <p>Writes {@code <output>/curated/{patient_process,patient_outcomes}} (Parquet, partitioned by site) and
 * under {@code <output>/results/}: site_effects (Parquet + .csv), pooled (Parquet + .csv + .json),
 * leave_one_out.csv, evidence.csv + .json, ipd_models.json.
 */
public final class AnalyzeStage {
  private static final Logger LOG = LogManager.getLogger(AnalyzeStage.class);
  private static final List<String> CURATED_TABLES = List.of("session_ratings", "patients", "outcomes");
  private static final String CACHE_COMPRESSED = "spark.sql.inMemoryColumnarStorage.compressed";

  private AnalyzeStage() {
  }

  /**
   * Runs the analysis stage.
   *
   * @param curatedDir folder (path or URI) holding the curated session_ratings, patients and outcomes
   * @param outputDir  the run's output folder; features go to its curated/, results to its results/
   * @throws ConfigException when a curated table is missing or a configured process variable is not a
   *                         column of session_ratings
   */
  public static AnalysisOutcome run(SparkSession spark, AnalysisConfig config, String curatedDir, String outputDir) {
    return run(spark, config, null, "under " + curatedDir, curatedDir, outputDir);
  }

  /**
   * Runs the analysis stage, naming in its errors the configuration file and where the curated data came from.
   *
   * @param configFile    the file holding the analysis section
   * @param curatedOrigin where the curated data comes from, in words, e.g. "of published run X" (the run's own
   *                      folder is no help: a failed run's folder is deleted)
   */
  public static AnalysisOutcome run(SparkSession spark, AnalysisConfig config, String configFile, String curatedOrigin,
      String curatedDir, String outputDir) {
    // for the whole stage, not per kept table: tables are kept by actions running side by side, and a
    // setting changed and restored by each of two threads could end up restored to the other's value
    return CuratedTables.withSetting(spark, CACHE_COMPRESSED, "false",
        () -> runUncompressed(spark, config, configFile, curatedOrigin, curatedDir, outputDir));
  }

  private static AnalysisOutcome runUncompressed(SparkSession spark, AnalysisConfig config, String configFile,
      String curatedOrigin, String curatedDir, String outputDir) {
    Map<String, Dataset<Row>> curated = readCurated(spark, curatedDir);
    checkProcessVariables(config, curated.get("session_ratings"), configFile, curatedOrigin);
    // patients are read by the features and by every analysis of a patient attribute; one row per
    // patient is small enough to keep, and saves a listing of every site's file per read. Kept are only
    // the columns analyses read: the therapist's key and the lineage were over half of each row's bytes.
    // Every kept table is let go when the stage ends, also when it fails (kept from two threads at times).
    List<Dataset<Row>> kept = Collections.synchronizedList(new ArrayList<>());
    try {
      // filled now: analyses running side by side would each read the files
      curated.put("patients", filled(keptByPatient(curated.get("patients").select(patientColumns()), kept)).table());
      return analyse(spark, config, curated, outputDir, kept);
    } finally {
      kept.forEach(Dataset::unpersist);
    }
  }

  /** The patients' columns the features and the analyses read: identity and {@link FeatureCatalog#patientAttributes}. */
  private static Column[] patientColumns() {
    List<String> names = new ArrayList<>(Arrays.asList(PatientFeatures.PATIENT_ID));
    names.addAll(FeatureCatalog.patientAttributes());
    return names.stream().map(c -> col(c)).toArray(Column[]::new);
  }

  private static AnalysisOutcome analyse(SparkSession spark, AnalysisConfig config, Map<String, Dataset<Row>> curated,
      String outputDir, List<Dataset<Row>> kept) {
    FeatureCatalog catalog = config.catalog();
    Map<String, Long> rowsWritten = new LinkedHashMap<>();

    PatientFeatures features = new PatientFeatures(config.window(), config.repairThreshold(), catalog);
    String featureDir = child(outputDir, "curated");
    List<SiteStatistics.SessionPair> sessionPairs = config.analyses().stream()
        .map(spec -> spec.kind().sessionPair(spec)).filter(Objects::nonNull).toList();
    // the session-level analyses' per-patient sums come from the features' aggregation (one scan)
    Map<String, Column> pairSums = SiteStatistics.sessionUnitAggregates(sessionPairs);
    String processLocation = child(featureDir, PatientFeatures.PATIENT_PROCESS);
    String outcomesLocation = child(featureDir, PatientFeatures.PATIENT_OUTCOMES);
    // the two feature tables are computed side by side: the outcomes' small jobs take the cores the
    // driver leaves idle while it plans the process features, and those their stage of few tasks leaves
    SideBySide.Results<Filled, Filled> featureTables = SideBySide.run("outcome-features",
        () -> filled(keptByPatient(features.patientProcess(curated.get("session_ratings"), curated.get("patients"),
            pairSums), kept)),
        () -> filled(keptByPatient(features.patientOutcomes(curated.get("outcomes")), kept)));
    Dataset<Row> processAndPairs = featureTables.here().table();
    Dataset<Row> outcomes = featureTables.background().table();
    rowsWritten.put(PatientFeatures.PATIENT_PROCESS, featureTables.here().rows());
    rowsWritten.put(PatientFeatures.PATIENT_OUTCOMES, featureTables.background().rows());
    Dataset<Row> process = processAndPairs.drop(pairSums.keySet().toArray(String[]::new));
    AnalysisInputs inputs = new AnalysisInputs(
        curated.get("session_ratings").where(col("session_number").leq(config.window())), curated.get("patients"),
        process, outcomes, config.measures(), catalog);

    List<Dataset<Row>> unitFrames = new ArrayList<>();
    if (!sessionPairs.isEmpty()) {
      unitFrames.add(SiteStatistics.sessionUnits(processAndPairs, sessionPairs));
    }
    config.analyses().stream().filter(spec -> spec.kind().sessionPair(spec) == null)
        .forEach(spec -> unitFrames.add(spec.kind().unitRows(spec, inputs)));
    // The kept feature tables are written while the statistics are computed from them: the writes' tasks
    // take the cores the driver leaves idle while it plans the statistics' query and fits the models
    // the session ratings' sites from their listing, made when the table was read (no job)
    List<String> sessionSites = CuratedTables.sites(curated.get("session_ratings"));
    Effects e = SideBySide.run("feature-writes", () -> effects(spark, config, inputs, sessionSites, unitFrames), () -> {
      write(process, processLocation);
      write(outcomes, outcomesLocation);
      return null;
    }).here();

    writeResults(new ResultFiles(spark, child(outputDir, "results")), config, e.siteEffects(), e.pooled(),
        e.leaveOneOut(), e.evidence(), e.ipdModels(), rowsWritten);

    List<String> summary = ConsoleSummary.render(summaryLines(e.pooled(), e.evidence()));
    LOG.info("analysis: {} site effects, {} of {} effects pooled, {} one-stage models", e.siteEffects().size(),
        e.pooled().stream().filter(p -> p.result() != null).count(), e.pooled().size(), e.ipdModels().size());
    return new AnalysisOutcome(e.siteEffects(), e.pooled(), e.leaveOneOut(), e.ipdModels(), e.evidence(), rowsWritten,
        e.notes(), summary);
  }

  /** What {@link #effects} computes. */
  private record Effects(List<SiteEffect> siteEffects, List<PooledEffect> pooled, List<LeaveOneOutEffect> leaveOneOut,
      List<IpdModel> ipdModels, List<Evidence> evidence, List<String> notes) {}

  /**
   * Per-site effects of every analysis from one aggregation of its unit rows, their two-stage pooling with
   * leave-one-site-out estimates, the evidence per claim and the one-stage models. Every analysis x rater x
   * measure the configuration asks for is reported, also one no site has a patient for (a rater no site
   * rated, a measure no site delivered): a pooled row with k = 0 and its note, and a not-fitted model. Every
   * site with data (a session rating, a patient record or an outcome; {@code sessionSites} are the session
   * ratings') has a site effect in each, with n = 0 where no patient of it counts and as excluded_reason the
   * session ratings it lacks (none, none in the early window, none by the rater) or else what no patient of
   * it has (SPEC 6: sites are not dropped silently).
   */
  private static Effects effects(SparkSession spark, AnalysisConfig config, AnalysisInputs inputs,
      List<String> sessionSites, List<Dataset<Row>> unitFrames) {
    List<SiteMoments> moments = SiteStatistics.collect(SiteStatistics.siteMoments(unitFrames));
    DataExtent extent = inputs.extent(sessionSites);
    List<String> measures = config.measures().isEmpty() ? extent.measures() : config.measures();
    Comparator<EffectKey> keyOrder = EffectKey.RATER_MEASURE_ORDER.thenComparing(EffectKey::analysis);
    Map<EffectKey, List<SiteMoments>> byKey = moments.stream().collect(Collectors.groupingBy(SiteMoments::key,
        () -> new TreeMap<>(keyOrder), Collectors.toList()));

    TwoStagePooling pooling = new TwoStagePooling(config.method(), config.test());
    OneStageModels oneStage = new OneStageModels(spark, config.ipdRandomSlope());
    List<SiteEffect> siteEffects = new ArrayList<>();
    List<PooledEffect> pooled = new ArrayList<>();
    List<LeaveOneOutEffect> leaveOneOut = new ArrayList<>();
    List<IpdModel> ipdModels = new ArrayList<>();
    List<Evidence> evidence = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (AnalysisSpec spec : config.analyses()) {
      // the configured keys, and any other the data holds
      TreeSet<EffectKey> keys = new TreeSet<>(keyOrder);
      keys.addAll(spec.kind().effectKeys(spec, measures));
      byKey.keySet().stream().filter(k -> k.analysis().equals(spec.id())).forEach(keys::add);
      if (keys.isEmpty()) {
        notes.add("analysis " + spec.id() + ": no site has patients with " + spec.predictorLabel()
            + (spec.outcome() == null ? "" : " and " + spec.outcome()) + "; nothing to report");
      }
      Dataset<Row> retentionRows = null;
      for (EffectKey key : keys) {
        List<SiteMoments> sites = byKey.getOrDefault(key, List.of()).stream()
            .sorted(Comparator.comparing(SiteMoments::site)).toList();
        List<String> raters = spec.kind().sessionRaters(spec, key);
        List<SiteEffect> effects = withEverySite(key, sites, extent.sites()).stream()
            .map(m -> spec.kind().siteEffect(spec, m, config.minSiteN()))
            .map(e -> e.n() > 0 ? e : withoutSessions(e, extent.missingSessions(e.site(), raters, config.window())))
            .toList();
        siteEffects.addAll(effects);
        PooledEffect pooledEffect = pooling.pool(key, spec, effects);
        pooled.add(pooledEffect);
        leaveOneOut.addAll(pooling.leaveOneOut(pooledEffect, effects));
        evidence.addAll(EvidenceCheck.check(pooledEffect));
        if (effects.stream().allMatch(e -> e.n() == 0)) {
          notes.add("analysis " + describe(key) + ": " + pooledEffect.notPooled());
        }
        PooledEffect pooledRatio = null;
        if (spec.kind().oddsRatios(spec)) {
          // the per-site log odds ratios: every site's logistic regression at once, pooled like any effect
          retentionRows = retentionRows != null ? retentionRows : spec.kind().unitRows(spec, inputs);
          List<SiteEffect> ratios = SiteOddsRatios.compute(spark, spec, key, retentionRows,
              withEverySite(key, sites, extent.sites()), config.minSiteN()).stream()
              .map(e -> e.n() > 0 ? e : withoutSessions(e, extent.missingSessions(e.site(), raters, config.window())))
              .toList();
          siteEffects.addAll(ratios);
          pooledRatio = pooling.pool(key, spec, SiteOddsRatios.EFFECT_TYPE, ReportingScale.LOG_TO_RATIO,
              ratios);
          pooled.add(pooledRatio);
          leaveOneOut.addAll(pooling.leaveOneOut(pooledRatio, ratios));
          evidence.addAll(EvidenceCheck.check(pooledRatio));
        }
        OneStageModel type = spec.kind().oneStageModel(spec);
        // the two-stage effect the one-stage model is compared with: for the logistic model the pooled log odds
        // ratio when the analysis has one (one scale, up to the sign), else the analysis's own effect
        PooledEffect twoStage = type == OneStageModel.LOGISTIC && pooledRatio != null ? pooledRatio : pooledEffect;
        IpdModel model = null;
        if (type != OneStageModel.NONE && sites.isEmpty()) {
          // nothing to fit, and no unit row to read
          model = oneStage.notFitted(spec, key, type, pooledEffect.notPooled(), twoStage);
        } else if (type == OneStageModel.LINEAR_MIXED) {
          model = oneStage.linearMixed(spec, key, sites, twoStage);
        } else if (type == OneStageModel.LOGISTIC) {
          retentionRows = retentionRows != null ? retentionRows : spec.kind().unitRows(spec, inputs);
          model = oneStage.logistic(spec, key, retentionRows, sites, twoStage);
        }
        if (model != null) {
          ipdModels.add(model);
        }
      }
    }
    notes.addAll(oneStageNotes(ipdModels));
    return new Effects(siteEffects, pooled, leaveOneOut, ipdModels, evidence, notes);
  }

  /** A site effect with no patient, excluded for the session ratings its site lacks (if it lacks them). */
  private static SiteEffect withoutSessions(SiteEffect e, String missingSessions) {
    return missingSessions == null ? e : e.excludedFor(missingSessions);
  }

  /** A key as notes name it, e.g. {@code resolution_outcome (rater observer, measure IIP)}. */
  private static String describe(EffectKey key) {
    List<String> parts = new ArrayList<>();
    if (key.rater() != null) {
      parts.add("rater " + key.rater());
    }
    if (key.measure() != null) {
      parts.add("measure " + key.measure());
    }
    return key.analysis() + (parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")");
  }

  /**
   * What ipd_models.json says of the one-stage models not fitted, or fitted other than in their usual form,
   * one note per reason with how many models it concerns.
   */
  static List<String> oneStageNotes(List<IpdModel> models) {
    Map<String, Long> notFitted = models.stream().filter(m -> m.notFitted() != null)
        .collect(Collectors.groupingBy(IpdModel::notFitted, LinkedHashMap::new, Collectors.counting()));
    Map<String, Long> departures = models.stream().filter(m -> m.notFitted() == null && m.note() != null)
        .collect(Collectors.groupingBy(IpdModel::note, LinkedHashMap::new, Collectors.counting()));
    List<String> notes = new ArrayList<>();
    notFitted.forEach((reason, count) -> notes.add(count + " of " + models.size() + " one-stage models not fitted: "
        + reason + " (ipd_models.json)"));
    departures.forEach((note, count) -> notes.add(count + " of " + models.size() + " one-stage models: " + note
        + " (ipd_models.json)"));
    return notes;
  }

  /**
   * The moments of {@code sites} (one key's, from the aggregation) and {@link SiteMoments#none} for every
   * other site of {@code sitesInData}, by site. The added sites have no patient, so they are never pooled
   * nor enter a one-stage model (which read {@code sites} alone).
   */
  private static List<SiteMoments> withEverySite(EffectKey key, List<SiteMoments> sites, List<String> sitesInData) {
    Map<String, SiteMoments> bySite = new TreeMap<>();
    sitesInData.forEach(site -> bySite.put(site, SiteMoments.none(key, site)));
    sites.forEach(m -> bySite.put(m.site(), m));
    return List.copyOf(bySite.values());
  }

  /** Writes results/: site_effects and pooled as Parquet + CSV, pooled and evidence also as JSON, the rest. */
  private static void writeResults(ResultFiles files, AnalysisConfig config, List<SiteEffect> siteEffects,
      List<PooledEffect> pooled, List<LeaveOneOutEffect> leaveOneOut, List<Evidence> evidence,
      List<IpdModel> ipdModels, Map<String, Long> rowsWritten) {
    Map<String, AnalysisSpec> specs = config.analyses().stream()
        .collect(Collectors.toMap(AnalysisSpec::id, s -> s, (a, b) -> a, LinkedHashMap::new));
    rowsWritten.put("site_effects", files.writeParquetAndCsv(AnalysisTables.siteEffects(siteEffects, specs)));
    var pooledTable = AnalysisTables.pooled(pooled, config.method(), config.test());
    rowsWritten.put("pooled", files.writeParquetAndCsv(pooledTable));
    files.writeJson("pooled.json", pooledTable.toJson());
    rowsWritten.put("leave_one_out", files.writeCsv(AnalysisTables.leaveOneOut(leaveOneOut)));
    var evidenceTable = AnalysisTables.evidence(evidence);
    rowsWritten.put("evidence", files.writeCsv(evidenceTable));
    files.writeJson("evidence.json", evidenceTable.toJson());
    files.writeJson("ipd_models.json", AnalysisTables.ipdModels(ipdModels));
    rowsWritten.put("ipd_models", (long) ipdModels.size());
  }

  /**
   * One console line per pooled effect, with the compatibility of each of its evidence rows (one per published
   * effect of the claim) and, when not pooled, why.
   */
  static List<ConsoleSummary.Line> summaryLines(List<PooledEffect> pooled, List<Evidence> evidence) {
    Map<PooledEffect, List<Boolean>> compatible = new IdentityHashMap<>();
    for (Evidence e : evidence) {
      if (e.published() != null) {
        compatible.computeIfAbsent(e.pooled(), p -> new ArrayList<>()).add(e.compatible());
      }
    }
    return pooled.stream().map(p -> new ConsoleSummary.Line(p.spec().id(), p.key().rater(), p.key().measure(),
        p.effectType(), p.k(), p.nTotal(), p.estimate(), p.ciLower(), p.ciUpper(),
        p.result() == null ? Double.NaN : p.result().i2(), p.spec().expectedSign(), EvidenceCheck.verdict(p),
        compatible.getOrDefault(p, List.of()), p.result() == null ? p.notPooled() : null)).toList();
  }

  private static Map<String, Dataset<Row>> readCurated(SparkSession spark, String curatedDir) {
    Map<String, Dataset<Row>> tables = new LinkedHashMap<>();
    for (String table : CURATED_TABLES) {
      String location = child(curatedDir, table);
      if (!exists(spark, location)) {
        throw new ConfigException(null, "input", "no curated table '" + table + "' at " + location
            + "; run the ingest stage first, or point the analysis at a folder holding " + CURATED_TABLES);
      }
      tables.put(table, CuratedTables.readWithTextSites(spark, location));
    }
    return tables;
  }

  /**
   * The configuration is checked against the site mappings before Spark starts; this catches curated data
   * ingested before a mapping defined the variable ({@code analyze} of an older run).
   */
  private static void checkProcessVariables(AnalysisConfig config, Dataset<Row> sessionRatings, String configFile,
      String curatedOrigin) {
    List<String> columns = Arrays.asList(sessionRatings.columns());
    for (int i = 0; i < config.processVariables().size(); i++) {
      String variable = config.processVariables().get(i);
      if (!columns.contains(variable)) {
        throw new ConfigException(configFile, "analysis.process_variables[" + i + "]", "'" + variable
            + "' is not a column of the curated session_ratings " + curatedOrigin + " (columns: "
            + String.join(", ", columns) + "): they were ingested before a site mapping defined it under"
            + " sessions.extra; ingest again with `run` (or `ingest`, then `analyze`), or remove it");
      }
    }
  }

  /** A kept table and its number of rows. */
  private record Filled(Dataset<Row> table, long rows) {}

  /** Fills a kept table now (counting its rows), so that the analyses reading it do not each compute it. */
  private static Filled filled(Dataset<Row> kept) {
    return new Filled(kept, kept.count());
  }

  /** Writes a kept feature table, partitioned by site. */
  private static void write(Dataset<Row> kept, String location) {
    kept.repartition(CuratedTables.siteWriteTasks(kept.sparkSession()), col("site")).write()
        .mode(SaveMode.Overwrite).partitionBy("site").parquet(location);
  }

  /**
   * A patient-level table kept in memory (and added to {@code kept}, to be let go), hash-partitioned by
   * {@link PatientFeatures#PATIENT_ID} into the shuffle's number of partitions and sorted by it within
   * each. The analyses join these tables on exactly those keys, a dozen times; Spark knows a kept table's
   * partitioning and order, so each such join reads the partitions side by side, with no exchange and no
   * sort of either side.
   *
   * <p>Kept uncompressed ({@link #run} sets it for the stage): the in-memory cache otherwise tries its
   * encodings on every value of every column as it builds (a tenth of the analysis's CPU in a profile), to
   * save memory these few hundred thousand rows per table do not need.
   */
  private static Dataset<Row> keptByPatient(Dataset<Row> table, List<Dataset<Row>> kept) {
    SparkSession spark = table.sparkSession();
    int partitions = Integer.parseInt(spark.conf().get("spark.sql.shuffle.partitions"));
    Column[] id = Arrays.stream(PatientFeatures.PATIENT_ID).map(c -> col(c)).toArray(Column[]::new);
    Dataset<Row> keptTable = table.repartition(partitions, id).sortWithinPartitions(id)
        .persist(StorageLevel.MEMORY_AND_DISK());
    kept.add(keptTable);
    return keptTable;
  }

  private static boolean exists(SparkSession spark, String location) {
    Path path = new Path(location);
    try {
      return path.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("could not check " + location + ": " + e.getMessage(), e);
    }
  }

  private static String child(String dir, String name) {
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }
}
