package org.rupture.pipeline.ingest;

import java.util.List;

/** What one ingest did: per-file reconciliation, table row counts, and what nothing claimed. */
public record IngestResult(List<FileCounts> files, long sessionRows, long patientRows, long outcomeRows,
    long quarantined, long fieldIssues, List<String> unmappedSites, List<String> unclaimedFiles) {
  public long recordsRead() {
    return files.stream().mapToLong(FileCounts::records).sum();
  }
}
