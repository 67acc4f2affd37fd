package org.rupture.pipeline.ingest;

import java.io.IOException;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.rupture.pipeline.config.ConfigException;
import org.rupture.pipeline.config.KeySources;
import org.rupture.pipeline.config.SiteMapping;

/**
 * Checks every claimed file's header against its mapping before any Spark job runs (and for
 * {@code validate-config}): a mapped column missing from a header is a configuration mistake, not
 * bad data, so it fails fast naming the file that sets the key (the mapping, or the profile it extends
 * the key from), the key, the data file and the nearest column.
 * Reads one line per file; empty files pass (they simply hold no rows).
 */
public final class HeaderCheck {
  private HeaderCheck() {}

  /**
   * Problems as "mapping file: key: message (in data file)"; for a key the mapping takes from a profile,
   * "profile file (profile of mapping file): key: message; to change it for this mapping only, ... (in data
   * file)".
   */
  public static List<String> problems(LandingInventory inventory, Map<String, SiteMapping> mappings,
      Configuration hadoopConf) {
    List<String> out = new ArrayList<>();
    for (SourceFile f : inventory.files()) {
      SiteMapping m = mappings.get(f.mappingId());
      Path p = new Path(f.path());
      try (CsvRecordReader r = new CsvRecordReader(p.getFileSystem(hadoopConf).open(p),
          Charset.forName(m.dialect().encoding()), m.dialect().delimiter(), m.dialect().quote())) {
        CsvRecordReader.RawRecord header = r.next();
        if (header == null) {
          continue;
        }
        if (header.fields() == null) {
          KeySources k = m.sources();
          String file = k.fileOf("dialect.encoding");
          out.add(k.where("dialect.encoding") + ": dialect: the header of " + f.relativePath() + " cannot be read ("
              + header.error() + "); check dialect.encoding" + k.setIn("dialect.encoding", file) + " and dialect.quote"
              + k.setIn("dialect.quote", file) + (dialectHint(k).isEmpty() ? "" : "; " + dialectHint(k)));
          continue;
        }
        List<String> names = header.fields().stream().map(String::trim).toList();
        for (FileLayout.Problem problem : FileLayout.of(names, m, f.kind()).keyedProblems()) {
          KeySources k = m.sources();
          out.add(k.where(problem.key()) + ": "
              + KeySources.withHint(problem.toString(), problem.keyValue() ? k.overrideHint(problem.key()) : "")
              + " (in " + f.relativePath() + ")");
        }
      } catch (IOException e) {
        out.add(f.relativePath() + ": cannot be read: " + e.getMessage());
      }
    }
    return out;
  }

  /** For a dialect a profile sets: how to give one mapping its own, "" when the mapping sets both keys. */
  private static String dialectHint(KeySources k) {
    if (!k.inProfile("dialect.encoding") && !k.inProfile("dialect.quote")) {
      return "";
    }
    return "to change them for this mapping only, set them under dialect in " + k.mapping()
        + ", which overrides the profile";
  }

  /** Throws a {@link ConfigException} listing the first problems, if any. */
  public static void require(LandingInventory inventory, Map<String, SiteMapping> mappings, Configuration conf) {
    List<String> problems = problems(inventory, mappings, conf);
    if (!problems.isEmpty()) {
      int shown = Math.min(problems.size(), 10);
      String more = problems.size() > shown ? "\n  ... and " + (problems.size() - shown) + " more" : "";
      throw new ConfigException(null, null, "site mappings do not fit their files:\n  "
          + String.join("\n  ", problems.subList(0, shown)) + more);
    }
  }
}
