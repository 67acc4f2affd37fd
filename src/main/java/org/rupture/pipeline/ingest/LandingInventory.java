package org.rupture.pipeline.ingest;

import java.util.List;

/**
 * What the landing folder holds: the files a mapping claims, plus the site folders and files that
 * nothing claims (reported in the manifest and on the console, never skipped silently).
 */
public record LandingInventory(List<SourceFile> files, List<String> unmappedSites, List<String> unclaimedFiles) {
  public List<SourceFile> files(SourceFile.Kind kind) {
    return files.stream().filter(f -> f.kind() == kind).toList();
  }
}
