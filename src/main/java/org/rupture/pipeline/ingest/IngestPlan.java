package org.rupture.pipeline.ingest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Which landed files a run parses and which it takes over, unread, from the previous run's
 * {@link IngestState}. A file is taken over when the previous run ingested the same path, as the same kind,
 * under the same mapping with the same fingerprint, with the same size and, with {@code verifyChecksums}, the
 * same SHA-256 (read, but not parsed) or, without, the same modification time (not read at all). Everything
 * else, and every file when the stored records are incompatible ({@link IngestState.Compatibility}), is parsed.
 *
 * @param parse files to parse
 * @param reuse files whose stored records are taken over
 */
public record IngestPlan(List<SourceFile> parse, List<SourceFile> reuse) {

  /**
   * @param checksums computes the SHA-256 of the given files (in the executors), keyed by relative path
   */
  public static IngestPlan of(LandingInventory inventory, IngestState previous, IngestState.Compatibility now,
      Map<String, String> mappingHashes, boolean verifyChecksums,
      Function<List<SourceFile>, Map<String, String>> checksums) {
    if (!previous.compatibleWith(now)) {
      return new IngestPlan(inventory.files(), List.of());
    }
    List<SourceFile> candidates = new ArrayList<>();
    for (SourceFile f : inventory.files()) {
      IngestState.FileEntry e = previous.files().get(f.relativePath());
      if (e != null && e.kind() == f.kind() && e.mappingId().equals(f.mappingId())
          && e.mappingHash().equals(mappingHashes.get(f.mappingId())) && e.bytes() == f.bytes()
          && (verifyChecksums || e.modified() == f.modified())) {
        candidates.add(f);
      }
    }
    Map<String, String> actual = verifyChecksums ? checksums.apply(candidates) : Map.of();
    Set<String> reused = new HashSet<>();
    for (SourceFile f : candidates) {
      if (!verifyChecksums || previous.files().get(f.relativePath()).sha256().equals(actual.get(f.relativePath()))) {
        reused.add(f.relativePath());
      }
    }
    List<SourceFile> parse = inventory.files().stream().filter(f -> !reused.contains(f.relativePath())).toList();
    List<SourceFile> reuse = inventory.files().stream().filter(f -> reused.contains(f.relativePath())).toList();
    return new IngestPlan(parse, reuse);
  }
}
