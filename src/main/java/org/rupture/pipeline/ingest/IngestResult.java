package org.rupture.pipeline.ingest;

import java.util.List;

/**
 * What one ingest did: per-file reconciliation, table row counts ({@code fieldIssues}: rows of the field issues
 * table), per site the shares of accepted records with a nulled field ({@code fieldIssueShares}), and what
 * nothing claimed; {@code fileWarnings}: per input file read this run, what the site's gate does not see
 * ({@link FileWarnings}).
 */
public record IngestResult(List<FileCounts> files, long sessionRows, long patientRows, long outcomeRows,
    long quarantined, long fieldIssues, FieldIssueShares fieldIssueShares, List<String> unmappedSites,
    List<String> unclaimedFiles, List<FileWarnings.Warning> fileWarnings) {
  public long recordsRead() {
    return files.stream().mapToLong(FileCounts::records).sum();
  }
}
