package org.rupture.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rupture.pipeline.config.PipelineConfig;
import org.rupture.pipeline.config.PipelineConfigLoader;
import org.rupture.pipeline.ingest.LandingScanner;

/** What ingest and run warn of on standard error about the landing, before Spark reads a file. */
class PipelineJobWarningsTest {
  @TempDir Path dir;

  @Test
  void ingestWarnsOfAPatternMatchingNoFileAndOfAMappedSiteNameNearAnUnclaimedFolder() throws IOException {
    Files.createDirectories(dir.resolve("landing/alpha/2026-01-01"));
    Files.writeString(dir.resolve("landing/alpha/2026-01-01/sessions.csv"), "patient_id,rater,session,rupture\n");
    Files.writeString(dir.resolve("landing/alpha/2026-01-01/patients.csv"), "patient_id\n");
    Files.createDirectories(dir.resolve("landing/clinic-alpha/2026-01-01"));
    Files.createDirectories(dir.resolve("sites"));
    Files.writeString(dir.resolve("sites/alpha.yaml"), """
        site: alpha
        sessions: {files: "session_*.csv", columns: {patient: patient_id, rater: rater, session_number: session,
                   rupture_present: rupture}, rater_codes: {P: patient}}
        patients: {files: "patients*.csv", columns: {patient: patient_id}}
        """);
    Files.writeString(dir.resolve("sites/beta.yaml"), "site: clinic-alfa\n"
        + "patients: {files: \"patients*.csv\", columns: {patient: patient_id}}\n");
    Path conf = dir.resolve("pipeline.yaml");
    Files.writeString(conf, "input: " + dir.resolve("landing") + "\nsites: " + dir.resolve("sites") + "\n");
    PipelineConfig config = PipelineConfigLoader.load(conf.toString(), PipelineConfigLoader.Overrides.none());
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PipelineJob job = new PipelineJob(config, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));

    job.reportUnclaimed(LandingScanner.scan(new Configuration(), config.input(), config.mappings()));

    String warnings = err.toString(StandardCharsets.UTF_8);
    assertTrue(warnings.contains("WARNING: " + dir.resolve("sites/alpha.yaml") + ": sessions.files 'session_*.csv' "
        + "matches no file in any delivery of site 'alpha'; files there: patients.csv, sessions.csv\n"), warnings);
    assertTrue(warnings.contains("WARNING: site folder 'clinic-alpha' is claimed by no mapping in "
        + dir.resolve("sites") + "; its files are not ingested (" + dir.resolve("sites/beta.yaml")
        + " names site 'clinic-alfa' at 'site', which has no folder in the landing: did you mean 'clinic-alpha'?)"),
        warnings);
  }
}
