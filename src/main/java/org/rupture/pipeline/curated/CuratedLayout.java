package org.rupture.pipeline.curated;

/**
 * Where each table of a run lives under the run's folder ({@code <output>/runs/<run_id>}, SPEC section 8 and
 * docs/operations.md). Paths are strings so that {@code file:}, {@code hdfs:} and {@code s3a:} outputs work alike.
 */
public record CuratedLayout(String root) {
  public String sessionRatings() {
    return root + "/curated/session_ratings";
  }

  public String patients() {
    return root + "/curated/patients";
  }

  public String outcomes() {
    return root + "/curated/outcomes";
  }

  public String patientProcess() {
    return root + "/curated/patient_process";
  }

  public String quarantine() {
    return root + "/restricted/quarantine";
  }

  public String fieldIssues() {
    return root + "/restricted/field_issues";
  }

  /** The ingest state the next run starts from (restricted: the staged records hold raw lines). */
  public String ingestState() {
    return root + "/restricted/ingest_state";
  }

  /** The layout of the run whose {@link #ingestState()} is {@code dir}. */
  public static CuratedLayout ofIngestState(String dir) {
    String suffix = "/restricted/ingest_state";
    if (!dir.endsWith(suffix)) {
      throw new IllegalArgumentException("not a run's ingest state folder: " + dir);
    }
    return new CuratedLayout(dir.substring(0, dir.length() - suffix.length()));
  }

  public String curated() {
    return root + "/curated";
  }

  public String restricted() {
    return root + "/restricted";
  }

  /** Every published night's pooled estimates and run summary, up to and including this run. */
  public String history() {
    return root + "/history";
  }

  public String results() {
    return root + "/results";
  }

  public String manifest() {
    return root + "/manifest.json";
  }
}
