package org.rupture.pipeline.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * One landed file, the site and delivery it came in, the mapping that claims it, and its size and modification
 * time (epoch milliseconds) as the file system lists them.
 */
public record SourceFile(String path, String site, String delivery, Kind kind, String mappingId, long bytes,
    long modified) implements Serializable {
  /** Which canonical table a file feeds. */
  public enum Kind { SESSIONS, PATIENTS }

  /** The path relative to the landing folder ({@code site/delivery/name}), used as lineage. */
  public String relativePath() {
    int i = path.lastIndexOf('/' + site + '/' + delivery + '/');
    return i < 0 ? path : path.substring(i + 1);
  }

  /** The SHA-256 of the file's bytes, hex; runs where the file is read (an executor). */
  public String sha256(Configuration hadoopConf) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      Path p = new Path(path);
      try (InputStream in = p.getFileSystem(hadoopConf).open(p)) {
        byte[] buffer = new byte[1 << 16];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          digest.update(buffer, 0, n);
        }
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
