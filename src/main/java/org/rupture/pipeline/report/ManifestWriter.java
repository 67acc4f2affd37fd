package org.rupture.pipeline.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.rupture.pipeline.ingest.FieldIssueShares;
import org.rupture.pipeline.ingest.FileCounts;
import org.rupture.pipeline.ingest.FileWarnings;
import org.rupture.pipeline.ingest.IngestResult;
import org.rupture.pipeline.job.StageTimings;

/**
 * Writes {@code manifest.json} (SPEC section 8): run id and date, config hash, software and Spark versions,
 * per input file its checksum, reconciled counts and whether this run parsed it or took its stored records
 * over unchanged ({@code ingest: parsed | reused}) and its accepted records' nulled fields by field and reason,
 * per site the share of its accepted records each field and reason nulled ({@code field_issue_shares}, with the
 * warnings), and per stage its duration and rows.
 */
public final class ManifestWriter {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ManifestWriter() {}

  /**
   * Facts about the run that are not stage results.
   *
   * @param command the command that made the run (run, ingest, analyze)
   * @param previousRun the run that was published when this one started, or null
   */
  public record RunInfo(String runId, LocalDate runDate, String command, String previousRun, Instant started,
      String configFile, String configHash, String input, String output, String sparkVersion, boolean demoSecret) {}

  public static ObjectNode build(RunInfo info, IngestResult ingest, List<StageTimings.Stage> stages) {
    ObjectNode root = JSON.createObjectNode();
    root.put("run_id", info.runId());
    root.put("run_date", info.runDate().toString());
    root.put("command", info.command());
    root.put("previous_run", info.previousRun());
    root.put("started_at", info.started().toString());
    root.put("finished_at", Instant.now().toString());
    root.put("config_file", info.configFile());
    root.put("config_hash", info.configHash());
    ObjectNode sw = root.putObject("software");
    sw.put("name", "rupture-pipeline");
    sw.put("version", version());
    sw.put("spark_version", info.sparkVersion());
    sw.put("java_version", System.getProperty("java.version"));
    root.put("input", info.input());
    root.put("output", info.output());
    root.put("demo_secret", info.demoSecret());
    if (ingest != null) {
      ArrayNode files = root.putArray("files");
      for (FileCounts f : ingest.files()) {
        ObjectNode n = files.addObject();
        n.put("file", f.file());
        n.put("site", f.site());
        n.put("delivery", f.delivery());
        n.put("table", f.table());
        n.put("ingest", f.parsed() ? "parsed" : "reused");
        n.put("sha256", f.checksum());
        n.put("bytes", f.bytes());
        n.put("rows_read", f.rowsRead());
        n.put("records", f.records());
        n.put("accepted", f.accepted());
        n.put("quarantined", f.quarantined());
        n.put("superseded", f.superseded());
        n.put("reconciled", f.reconciles());
        ObjectNode issues = n.putObject("field_issues");
        f.fieldIssues().forEach((field, byReason) -> {
          ObjectNode reasons = issues.putObject(field);
          byReason.forEach(reasons::put);
        });
        List<String> warnings = ingest.fileWarnings().stream().filter(w -> w.file().equals(f.file()))
            .map(FileWarnings.Warning::message).toList();
        if (!warnings.isEmpty()) {
          warnings.forEach(n.putArray("warnings")::add);
        }
      }
      ObjectNode totals = root.putObject("totals");
      totals.put("files_parsed", ingest.files().stream().filter(FileCounts::parsed).count());
      totals.put("files_reused", ingest.files().stream().filter(f -> !f.parsed()).count());
      totals.put("rows_read", ingest.files().stream().mapToLong(FileCounts::rowsRead).sum());
      totals.put("records", ingest.recordsRead());
      totals.put("accepted", ingest.files().stream().mapToLong(FileCounts::accepted).sum());
      totals.put("quarantined", ingest.quarantined());
      totals.put("superseded", ingest.files().stream().mapToLong(FileCounts::superseded).sum());
      totals.put("session_ratings", ingest.sessionRows());
      totals.put("patients", ingest.patientRows());
      totals.put("outcomes", ingest.outcomeRows());
      totals.put("field_issues", ingest.fieldIssues());
      root.set("field_issue_shares", fieldIssueShares(ingest));
      ingest.unmappedSites().forEach(root.putArray("unmapped_sites")::add);
      ingest.unclaimedFiles().forEach(root.putArray("unclaimed_files")::add);
    }
    ArrayNode st = root.putArray("stages");
    for (StageTimings.Stage s : stages) {
      ObjectNode n = st.addObject();
      n.put("name", s.name());
      n.put("seconds", Math.round(s.seconds() * 1000) / 1000.0);
      n.put("rows", s.rows());
    }
    return root;
  }

  /**
   * The field issue check: its thresholds, its warnings (as printed) and per ingested site (every one, [] when
   * nothing was nulled) each table x field x reason with its records, the site's accepted records of the table,
   * the share, whether it is above the warning threshold, and the mapping key to check with the file setting it;
   * under {@code files} the same per ingested input file, its {@code warning} whether the file got a line of its
   * own ({@link FieldIssueShares#filesAbove}). An OUT_OF_RANGE entry also has the least and greatest value nulled
   * ({@code values}), the mapping's {@code declared_scale} and whether it got an out-of-range line
   * ({@code out_of_range_warning}).
   */
  private static ObjectNode fieldIssueShares(IngestResult ingest) {
    FieldIssueShares check = ingest.fieldIssueShares();
    ObjectNode node = JSON.createObjectNode();
    node.put("warn_share", check.warnShare());
    if (check.maxShare() == null) {
      node.putNull("max_share");
    } else {
      node.put("max_share", check.maxShare());
    }
    node.put("out_of_range_warn_share", check.outOfRangeWarnShare());
    check.warnings().forEach(node.putArray("warnings")::add);
    ObjectNode sites = node.putObject("sites");
    ingest.files().stream().map(FileCounts::site).sorted().distinct().forEach(sites::putArray);
    List<FieldIssueShares.Share> outOfRange = check.outOfRange();
    for (FieldIssueShares.Share s : check.shares()) {
      share(((ArrayNode) sites.get(s.site())).addObject(), s, s.share() > check.warnShare(), outOfRange.contains(s));
    }
    ObjectNode files = node.putObject("files");
    ingest.files().stream().map(FileCounts::file).sorted().distinct().forEach(files::putArray);
    List<FieldIssueShares.Share> warned = check.filesAbove(check.warnShare());
    List<FieldIssueShares.Share> filesOutOfRange = check.filesOutOfRange();
    for (FieldIssueShares.Share s : check.fileShares()) {
      share(((ArrayNode) files.get(s.source())).addObject(), s, warned.contains(s), filesOutOfRange.contains(s));
    }
    return node;
  }

  private static void share(ObjectNode n, FieldIssueShares.Share s, boolean warning, boolean outOfRangeWarning) {
    n.put("table", s.table());
    n.put("field", s.field());
    n.put("reason", s.reason());
    n.put("records", s.records());
    n.put("accepted", s.accepted());
    n.put("share", Math.round(s.share() * 10_000) / 10_000.0);
    n.put("warning", warning);
    n.put("mapping_key", s.key());
    n.put("set_in", s.file());
    if (s.reason().equals("OUT_OF_RANGE")) {
      if (s.values() == null) {
        n.putNull("values");
      } else {
        n.putObject("values").put("min", s.values().min()).put("max", s.values().max());
      }
      if (s.scale() == null) {
        n.putNull("declared_scale");
      } else {
        n.putArray("declared_scale").add(s.scale().min()).add(s.scale().max());
      }
      n.put("out_of_range_warning", outOfRangeWarning);
    }
  }

  /** The ingest facts of a manifest: they describe the curated data, and travel with it when it is copied. */
  private static final List<String> INGEST_FIELDS = List.of("input", "demo_secret", "files", "totals",
      "field_issue_shares", "unmapped_sites", "unclaimed_files");

  /**
   * The manifest of a run that analyses a copy of a published run's curated data ({@code analyze}): the
   * facts of this run, and the ingest facts of the run the data comes from ({@code source}'s input, demo
   * secret, files with their counts, totals), named in {@code curated_from}. Without them the published
   * manifest would not say which files, counts and keys its curated data holds.
   */
  public static ObjectNode buildCarrying(RunInfo info, ObjectNode source, List<StageTimings.Stage> stages) {
    ObjectNode root = build(info, null, stages);
    ArrayNode stageTimes = (ArrayNode) root.remove("stages");
    JsonNode sourceRun = source.get("run_id");
    root.put("curated_from", sourceRun == null ? null : sourceRun.asText());
    for (String field : INGEST_FIELDS) {
      if (source.has(field)) {
        root.set(field, source.get(field).deepCopy());
      }
    }
    root.set("stages", stageTimes);
    return root;
  }

  /**
   * Reads a run's manifest.
   *
   * @throws IllegalStateException when it is missing or not a JSON object (every published run has one)
   */
  public static ObjectNode read(String path, Configuration hadoopConf) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(hadoopConf);
      JsonNode node;
      try (InputStream in = fs.open(p)) {
        node = JSON.readTree(in);
      }
      if (!(node instanceof ObjectNode object)) {
        throw new IllegalStateException("the manifest " + path + " is not a JSON object");
      }
      return object;
    } catch (FileNotFoundException e) {
      throw new IllegalStateException("the published run has no manifest at " + path
          + "; publish a run with `ingest` or `run` first", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the manifest " + path + ": " + e.getMessage(), e);
    }
  }

  public static void write(ObjectNode manifest, String path, Configuration hadoopConf) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(hadoopConf);
      try (OutputStream out = fs.create(p, true)) {
        out.write(JSON.writeValueAsString(manifest).getBytes(StandardCharsets.UTF_8));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the manifest " + path, e);
    }
  }

  /**
   * The build's version (the pom's, written into {@code version.properties} when Maven copies the resources),
   * or "dev" when the classes were not built by Maven. It is part of the ingest state's compatibility: a new
   * version parses every file again.
   */
  public static String version() {
    return VERSION;
  }

  private static final String VERSION = readVersion();

  private static String readVersion() {
    try (InputStream in = ManifestWriter.class.getResourceAsStream("/org/rupture/pipeline/version.properties")) {
      if (in == null) {
        return "dev";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "").trim();
      return v.isEmpty() || v.contains("${") ? "dev" : v;
    } catch (IOException e) {
      return "dev";
    }
  }
}
