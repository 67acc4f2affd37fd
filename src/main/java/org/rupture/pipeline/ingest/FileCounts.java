package org.rupture.pipeline.ingest;

/**
 * The manifest's reconciliation for one input file: {@code records = accepted + quarantined +
 * superseded}; {@code rowsRead} counts data rows (a wide row becomes one record per session).
 * {@code parsed} is false for a file this run did not read because the previous run had ingested it
 * unchanged; its counts are then re-counted from the stored records (see {@link IngestState}).
 */
public record FileCounts(String file, String site, String delivery, String table, String checksum, long bytes,
    long rowsRead, long records, long accepted, long quarantined, long superseded, boolean parsed) {
  public boolean reconciles() {
    return records == accepted + quarantined + superseded && records >= rowsRead;
  }
}
