package org.rupture.pipeline.ingest;

import java.io.IOException;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.rupture.pipeline.config.ConfigException;
import org.rupture.pipeline.config.SiteMapping;

/**
 * Checks every claimed file's header against its mapping before any Spark job runs (and for
 * {@code validate-config}): a mapped column missing from a header is a configuration mistake, not
 * bad data, so it fails fast naming the mapping file, the key, the data file and the nearest column.
 * Reads one line per file; empty files pass (they simply hold no rows).
 */
public final class HeaderCheck {
  private HeaderCheck() {}

  /** Problems as "mapping file: key: message (in data file)". */
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
          out.add(m.file() + ": dialect: the header of " + f.relativePath() + " cannot be read ("
              + header.error() + "); check dialect.encoding and dialect.quote");
          continue;
        }
        List<String> names = header.fields().stream().map(String::trim).toList();
        for (String problem : FileLayout.of(names, m, f.kind()).problems()) {
          out.add(m.file() + ": " + problem + " (in " + f.relativePath() + ")");
        }
      } catch (IOException e) {
        out.add(f.relativePath() + ": cannot be read: " + e.getMessage());
      }
    }
    return out;
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
