package org.rupture.pipeline.ingest;

/**
 * The manifest's reconciliation for one input file: {@code records = accepted + quarantined +
 * superseded}; {@code rowsRead} counts data rows (a wide row becomes one record per session).
 */
public record FileCounts(String file, String site, String delivery, String table, String checksum, long bytes,
    long rowsRead, long records, long accepted, long quarantined, long superseded) {
  public boolean reconciles() {
    return records == accepted + quarantined + superseded && records >= rowsRead;
  }
}
