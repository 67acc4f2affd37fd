package org.rupture.pipeline.curated;

/**
 * Where each table of a run lives under the output folder (SPEC section 8). Paths are strings so
 * that {@code file:}, {@code hdfs:} and {@code s3a:} outputs work alike.
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

  public String results() {
    return root + "/results";
  }

  public String manifest() {
    return root + "/manifest.json";
  }
}
