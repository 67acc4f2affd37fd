package org.rupture.pipeline.ingest;

import java.io.Serializable;

/** One landed file, the site and delivery it came in, and the mapping that claims it. */
public record SourceFile(String path, String site, String delivery, Kind kind, String mappingId, long bytes)
    implements Serializable {
  /** Which canonical table a file feeds. */
  public enum Kind { SESSIONS, PATIENTS }

  /** The path relative to the landing folder ({@code site/delivery/name}), used as lineage. */
  public String relativePath() {
    int i = path.lastIndexOf('/' + site + '/' + delivery + '/');
    return i < 0 ? path : path.substring(i + 1);
  }
}
