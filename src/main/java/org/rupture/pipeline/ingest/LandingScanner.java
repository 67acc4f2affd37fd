package org.rupture.pipeline.ingest;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.rupture.pipeline.config.ConfigException;
import org.rupture.pipeline.config.SiteMapping;

/**
 * Lists {@code <input>/<site>/<delivery>/<files>} through the Hadoop FileSystem API (so the input
 * may be a local path, {@code hdfs:} or {@code s3a:}) and assigns each file to its mapping. Only
 * metadata is read here; file contents are read by the executors.
 */
public final class LandingScanner {
  private LandingScanner() {}

  public static LandingInventory scan(Configuration hadoopConf, String input, List<SiteMapping> mappings) {
    try {
      Path root = new Path(input);
      FileSystem fs = root.getFileSystem(hadoopConf);
      FileStatus[] siteDirs;
      try {
        siteDirs = fs.listStatus(root);
      } catch (FileNotFoundException e) {
        throw new ConfigException(null, "input", "the landing folder '" + input + "' does not exist; pass --input DIR");
      }
      Arrays.sort(siteDirs, Comparator.comparing(s -> s.getPath().getName()));
      List<SourceFile> files = new ArrayList<>();
      List<String> unmapped = new ArrayList<>();
      List<String> unclaimed = new ArrayList<>();
      for (FileStatus siteDir : siteDirs) {
        String site = siteDir.getPath().getName();
        if (!siteDir.isDirectory() || site.startsWith(".") || site.startsWith("_")) {
          continue;
        }
        SiteMapping mapping = mappingFor(site, mappings);
        if (mapping == null) {
          unmapped.add(site);
          continue;
        }
        FileStatus[] deliveries = fs.listStatus(siteDir.getPath());
        Arrays.sort(deliveries, Comparator.comparing(s -> s.getPath().getName()));
        for (FileStatus delivery : deliveries) {
          if (!delivery.isDirectory()) {
            unclaimed.add(site + "/" + delivery.getPath().getName());
            continue;
          }
          FileStatus[] landed = fs.listStatus(delivery.getPath());
          Arrays.sort(landed, Comparator.comparing(s -> s.getPath().getName()));
          for (FileStatus f : landed) {
            String name = f.getPath().getName();
            String rel = site + "/" + delivery.getPath().getName() + "/" + name;
            if (!f.isFile() || name.startsWith(".") || name.startsWith("_")) {
              continue;
            }
            SourceFile.Kind kind = kindOf(mapping, name, rel);
            if (kind == null) {
              unclaimed.add(rel);
              continue;
            }
            files.add(new SourceFile(f.getPath().toString(), site, delivery.getPath().getName(), kind,
                mapping.id(), f.getLen(), f.getModificationTime()));
          }
        }
      }
      return new LandingInventory(List.copyOf(files), List.copyOf(unmapped), List.copyOf(unclaimed));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the landing folder " + input, e);
    }
  }

  /** The single mapping claiming a site folder; two claims are a configuration error. */
  static SiteMapping mappingFor(String site, List<SiteMapping> mappings) {
    SiteMapping found = null;
    for (SiteMapping m : mappings) {
      if (m.claims(site)) {
        if (found != null) {
          throw new ConfigException(m.file(), m.sitePattern() != null ? "site_pattern" : "sites",
              "site folder '" + site + "' is claimed by both " + found.file() + " and " + m.file()
                  + "; narrow one of them so each site has exactly one mapping");
        }
        found = m;
      }
    }
    return found;
  }

  private static SourceFile.Kind kindOf(SiteMapping m, String name, String rel) {
    boolean s = m.sessions() != null && matches(m.sessions().files(), name);
    boolean p = m.patients() != null && matches(m.patients().files(), name);
    if (s && p) {
      throw new ConfigException(m.file(), "sessions.files",
          "file " + rel + " matches both the sessions and the patients pattern; make the globs disjoint");
    }
    return s ? SourceFile.Kind.SESSIONS : p ? SourceFile.Kind.PATIENTS : null;
  }

  static boolean matches(String glob, String name) {
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
    return m.matches(java.nio.file.Path.of(name));
  }
}
