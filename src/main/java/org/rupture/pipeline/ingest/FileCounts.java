package org.rupture.pipeline.ingest;

import java.util.Map;

/**
 * The manifest's reconciliation for one input file: {@code records = accepted + quarantined +
 * superseded}; {@code rowsRead} counts data rows (a wide row becomes one record per session).
 * {@code parsed} is false for a file this run did not read because the previous run had ingested it
 * unchanged; its counts are then re-counted from the stored records (see {@link IngestState}).
 * {@code fieldIssues}: field -> reason code -> accepted records of the file whose field a rule nulled for
 * that reason (records, not issues: a record with two bad alliance items counts once), sorted; counted as
 * the field issues are written.
 */
public record FileCounts(String file, String site, String delivery, String table, String checksum, long bytes,
    long rowsRead, long records, long accepted, long quarantined, long superseded, boolean parsed,
    Map<String, Map<String, Long>> fieldIssues) {
  public boolean reconciles() {
    return records == accepted + quarantined + superseded && records >= rowsRead;
  }
}
