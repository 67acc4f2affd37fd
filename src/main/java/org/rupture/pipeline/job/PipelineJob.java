package org.rupture.pipeline.job;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.sql.SparkSession;
import org.rupture.pipeline.analysis.AnalysisConfig;
import org.rupture.pipeline.analysis.AnalysisOutcome;
import org.rupture.pipeline.analysis.AnalyzeStage;
import org.rupture.pipeline.config.PipelineConfig;
import org.rupture.pipeline.config.SiteMapping;
import org.rupture.pipeline.curated.CuratedLayout;
import org.rupture.pipeline.ingest.HeaderCheck;
import org.rupture.pipeline.ingest.IngestResult;
import org.rupture.pipeline.ingest.IngestStage;
import org.rupture.pipeline.ingest.KeyHasher;
import org.rupture.pipeline.ingest.LandingInventory;
import org.rupture.pipeline.ingest.LandingScanner;
import org.rupture.pipeline.ingest.SecretResolver;
import org.rupture.pipeline.report.ManifestWriter;

/**
 * The job's actions (ingest, analyze, run, validate-config) over one resolved configuration. Each
 * returns a typed result; the CLI only parses arguments and maps outcomes to exit codes.
 */
public final class PipelineJob {
  private static final Logger LOG = LogManager.getLogger(PipelineJob.class);

  private final PipelineConfig config;
  private final PrintStream out;
  private final PrintStream err;
  private final String runId;
  private final Instant started = Instant.now();
  private final AnalysisConfig analysisConfig;
  private boolean lastSecretWasDemo;

  /** @param out progress lines; @param err warnings meant for the person running the job */
  public PipelineJob(PipelineConfig config, PrintStream out, PrintStream err) {
    this.config = config;
    this.out = out;
    this.err = err;
    // parsed here so that a mistake in the analysis section fails before Spark starts
    this.analysisConfig = AnalysisConfig.parse(config.analysis(), config.configFile());
    this.runId = config.runId() != null ? config.runId()
        : DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(started);
  }

  public String runId() {
    return runId;
  }

  /** The HMAC secret; resolved (and a missing one reported) before Spark starts. */
  public SecretResolver.Secret secret(Configuration hadoopConf) {
    return SecretResolver.resolve(config, hadoopConf, System::getenv);
  }

  /** Checks every mapping against its files' headers without starting Spark. */
  public LandingInventory validate(Configuration hadoopConf) {
    LandingInventory inventory = LandingScanner.scan(hadoopConf, config.input(), config.mappings());
    HeaderCheck.require(inventory, byId(), hadoopConf);
    return inventory;
  }

  /** Landing to curated Parquet, quarantine and manifest. */
  public IngestResult ingest(SparkSession spark, StageTimings timings) {
    IngestResult result = ingestOnly(spark, timings);
    writeManifest(spark, result, timings, lastSecretWasDemo);
    return result;
  }

  private IngestResult ingestOnly(SparkSession spark, StageTimings timings) {
    Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
    SecretResolver.Secret secret = secret(hadoopConf);
    if (secret.demo()) {
      err.println("WARNING: using the built-in DEMO secret for patient/therapist keys. Keys are NOT "
          + "private. Set " + config.privacy().secretEnv() + " for real data.");
    }
    LandingInventory inventory = LandingScanner.scan(hadoopConf, config.input(), config.mappings());
    reportUnclaimed(inventory);
    CuratedLayout layout = new CuratedLayout(config.output());
    IngestStage stage = new IngestStage(spark, config.mappings(), new KeyHasher(secret.bytes()), runId,
        config.quality().maxQuarantineShare());
    IngestResult result = timings.time("ingest", () -> stage.run(inventory, layout), IngestResult::sessionRows,
        r -> String.format("%d files, %d patients, %d quarantined, %d field issues", r.files().size(),
            r.patientRows(), r.quarantined(), r.fieldIssues()));
    lastSecretWasDemo = secret.demo();
    return result;
  }

  /** Ingest, then analysis; one manifest for the run. */
  public AnalysisOutcome run(SparkSession spark, StageTimings timings) {
    IngestResult ingested = ingestOnly(spark, timings);
    AnalysisOutcome outcome = analyze(spark, timings);
    writeManifest(spark, ingested, timings, lastSecretWasDemo);
    return outcome;
  }

  /** Curated to features and results; prints the compact pooled table. */
  public AnalysisOutcome analyze(SparkSession spark, StageTimings timings) {
    CuratedLayout layout = new CuratedLayout(config.output());
    AnalysisOutcome outcome = timings.time("analyze",
        () -> AnalyzeStage.run(spark, analysisConfig, config.output() + "/curated", config.output()),
        o -> o.siteEffects().size(),
        o -> String.format("%d site effects, %d pooled, %d IPD models", o.siteEffects().size(), o.pooled().size(),
            o.ipdModels().size()));
    outcome.notes().forEach(n -> err.println("note: " + n));
    out.println();
    outcome.summaryLines().forEach(out::println);
    out.println("results: " + layout.results());
    return outcome;
  }

  private void writeManifest(SparkSession spark, IngestResult result, StageTimings timings, boolean demo) {
    ManifestWriter.RunInfo info = new ManifestWriter.RunInfo(runId, started, config.configFile(),
        config.configHash(), config.input(), config.output(), spark.version(), demo);
    ManifestWriter.write(ManifestWriter.build(info, result, timings.stages()),
        new CuratedLayout(config.output()).manifest(), spark.sparkContext().hadoopConfiguration());
  }

  private void reportUnclaimed(LandingInventory inventory) {
    for (String site : inventory.unmappedSites()) {
      err.println("WARNING: site folder '" + site + "' is claimed by no mapping in " + config.sitesDir()
          + "; its files are not ingested (add conf/sites/" + site + ".yaml)");
    }
    for (String file : inventory.unclaimedFiles()) {
      LOG.warn("file {} matches no sessions/patients pattern of its site's mapping; not ingested", file);
    }
    if (!inventory.unclaimedFiles().isEmpty()) {
      err.println("WARNING: " + inventory.unclaimedFiles().size()
          + " landed file(s) match no file pattern; listed in manifest.json under unclaimed_files");
    }
  }

  private Map<String, SiteMapping> byId() {
    Map<String, SiteMapping> m = new HashMap<>();
    config.mappings().forEach(x -> m.put(x.id(), x));
    return m;
  }

  public List<SiteMapping> mappings() {
    return config.mappings();
  }
}
