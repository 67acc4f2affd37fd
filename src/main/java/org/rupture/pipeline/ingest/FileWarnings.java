package org.rupture.pipeline.ingest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.rupture.pipeline.config.PipelineConfig;

/**
 * Warnings about single input files that the per-site quarantine gate lets pass: a delivery of a site that has
 * delivered for months is a small part of the site, so a file whose records were (nearly) all quarantined (a
 * trailing delimiter on every data line, another export's columns) leaves its site's share low and would pass in
 * silence; and a file with no data row at all (empty, or a header alone) ingests nothing without a word. Only
 * files read this run are warned about (an unchanged file taken over from the previous run was warned about when
 * it was read), and a file's quarantine line needs at least {@link FieldIssueShares#MIN_FILE_RECORDS} quarantined
 * records: a small correction delivery reaches any share with one bad record, and still counts in its site's.
 */
public final class FileWarnings {
  /** A warning and the input file (relative path, as the manifest names it) it is about. */
  public record Warning(String file, String message) {}

  private FileWarnings() {}

  /**
   * @param files the run's per-file counts
   * @param maxQuarantineShare {@code quality.max_quarantine_share}; the sites above it have failed the gate
   * @param reasonsOf the quarantined records' reason codes with their counts for the given files ("WRONG_FIELD_COUNT
   *     50"), by file; called only when some file is warned about for its quarantine
   */
  public static List<Warning> of(List<FileCounts> files, double maxQuarantineShare,
      Function<List<String>, Map<String, String>> reasonsOf) {
    Map<String, long[]> perSite = quarantinedPerSite(files);
    List<FileCounts> quarantined = files.stream().filter(FileCounts::parsed)
        .filter(f -> f.quarantined() >= FieldIssueShares.MIN_FILE_RECORDS && share(f.quarantined(), f.records())
            > maxQuarantineShare)
        .toList();
    Map<String, String> reasons = quarantined.isEmpty() ? Map.of()
        : reasonsOf.apply(quarantined.stream().map(FileCounts::file).toList());
    List<Warning> out = new ArrayList<>();
    for (FileCounts f : files) {
      if (!f.parsed()) {
        continue;
      }
      if (f.rowsRead() == 0) {
        out.add(new Warning(f.file(), "file " + f.file() + " holds no data row (it is empty, or holds its header"
            + " alone): nothing of it is ingested; check the export if the site meant to deliver " + f.table()));
      } else if (quarantined.contains(f)) {
        long[] site = perSite.get(f.site());
        String why = reasons.containsKey(f.file()) ? "; " + reasons.get(f.file()) : "";
        out.add(new Warning(f.file(), String.format("file %s: %d of %d records quarantined (%.1f%%%s), above"
            + " quality.max_quarantine_share = %s, while its site %s passes the gate with %d of %d (%.1f%%); the"
            + " records are in restricted/quarantine: fix the export or the site's mapping (reason codes:"
            + " docs/site-mapping.md)", f.file(), f.quarantined(), f.records(), 100 * share(f.quarantined(),
            f.records()), why, PipelineConfig.plain(maxQuarantineShare), f.site(), site[0], site[1],
            100 * share(site[0], site[1]))));
      }
    }
    return out;
  }

  /**
   * Per site, in the files' order, its quarantined records and all its records ({@code {quarantined, records}}):
   * what the quarantine gate compares with {@code quality.max_quarantine_share}, and a file's warning names.
   */
  static Map<String, long[]> quarantinedPerSite(List<FileCounts> files) {
    Map<String, long[]> perSite = new LinkedHashMap<>();
    for (FileCounts f : files) {
      long[] s = perSite.computeIfAbsent(f.site(), k -> new long[2]);
      s[0] += f.quarantined();
      s[1] += f.records();
    }
    return perSite;
  }

  static double share(long part, long whole) {
    return whole == 0 ? 0 : (double) part / whole;
  }
}
