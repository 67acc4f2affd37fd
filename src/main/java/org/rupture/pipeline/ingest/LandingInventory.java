package org.rupture.pipeline.ingest;

import java.util.List;

/**
 * What the landing folder holds: the files a mapping claims, plus the site folders and files that
 * nothing claims (reported in the manifest and on the console, never skipped silently), and the site
 * folders a mapping claims, files or not (to tell a file pattern that matches nothing in a site, and a
 * mapped site name that has no folder).
 */
public record LandingInventory(List<SourceFile> files, List<String> unmappedSites, List<String> unclaimedFiles,
    List<String> claimedSites) {
  /** An inventory of {@code files} alone: the claimed sites are theirs. */
  public LandingInventory(List<SourceFile> files, List<String> unmappedSites, List<String> unclaimedFiles) {
    this(files, unmappedSites, unclaimedFiles, files.stream().map(SourceFile::site).distinct().toList());
  }

  public List<SourceFile> files(SourceFile.Kind kind) {
    return files.stream().filter(f -> f.kind() == kind).toList();
  }
}
