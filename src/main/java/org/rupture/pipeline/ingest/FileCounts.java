package org.rupture.pipeline.ingest;

import java.util.Map;

/**
 * The manifest's reconciliation for one input file: {@code records = accepted + quarantined +
 * superseded}; {@code rowsRead} counts data rows (a wide row becomes one record per session).
 * {@code parsed} is false for a file this run did not read because the previous run had ingested it
 * unchanged; its counts are then re-counted from the stored records (see {@link IngestState}).
 * {@code fieldIssues}: field -> reason code -> accepted records of the file whose field a rule nulled for
 * that reason (records, not issues: a record with two bad alliance items counts once), sorted; counted as
 * the field issues are written. {@code outOfRange}: field -> the least and greatest of the raw values the file's
 * accepted records had nulled as OUT_OF_RANGE (those that read as numbers), gathered the same way; a field with
 * none that read is absent.
 */
public record FileCounts(String file, String site, String delivery, String table, String checksum, long bytes,
    long rowsRead, long records, long accepted, long quarantined, long superseded, boolean parsed,
    Map<String, Map<String, Long>> fieldIssues, Map<String, Extent> outOfRange) {
  public boolean reconciles() {
    return records == accepted + quarantined + superseded && records >= rowsRead;
  }

  /** The least and the greatest of some values. */
  public record Extent(double min, double max) {
    /** The extent of both. */
    public Extent with(Extent o) {
      return new Extent(Math.min(min, o.min), Math.max(max, o.max));
    }
  }
}
