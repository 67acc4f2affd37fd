package org.rupture.pipeline.ingest;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.rupture.pipeline.curated.DriverIo;
import org.rupture.pipeline.config.ConfigNode;
import org.rupture.pipeline.config.KeySources;
import org.rupture.pipeline.config.PathSetting;
import org.rupture.pipeline.config.SiteMapping;

/**
 * Lists {@code <input>/<site>/<delivery>/<files>} through the Hadoop FileSystem API (so the input
 * may be a local path, {@code hdfs:} or {@code s3a:}) and assigns each file to its mapping. Only
 * metadata is read here; file contents are read by the executors.
 */
public final class LandingScanner {
  private LandingScanner() {}

  /**
   * Fails when the input folder does not exist or is a file, naming where it was set (the config file's key or
   * --input); checked before anything else that reads it (the HMAC secret's DEMO_DATA marker), so that a mistyped
   * input is reported as such. An input the file system cannot be asked about now (an I/O failure) passes here and
   * fails where it is read.
   */
  public static void requireInputFolder(Configuration hadoopConf, PathSetting input) {
    try {
      Path root = new Path(input.value());
      FileStatus status = root.getFileSystem(hadoopConf).getFileStatus(root);
      if (!status.isDirectory()) {
        throw input.error("input folder '" + input.value() + "' is a file",
            "the landing folder holding <site>/<delivery>/<files>");
      }
    } catch (FileNotFoundException e) {
      String relative = new Path(input.value()).isAbsolute() ? ""
          : " (relative paths are resolved against the working directory, " + System.getProperty("user.dir") + ")";
      throw input.error("input folder '" + input.value() + "' does not exist" + relative, "an existing folder");
    } catch (IOException e) {
      // not decided here
    }
  }

  public static LandingInventory scan(Configuration hadoopConf, String input, List<SiteMapping> mappings) {
    try {
      Path root = new Path(input);
      FileSystem fs = root.getFileSystem(hadoopConf);
      // a missing folder was reported by requireInputFolder; one removed since fails as a listing
      FileStatus[] siteDirs = fs.listStatus(root);
      Arrays.sort(siteDirs, Comparator.comparing(s -> s.getPath().getName()));
      List<String> unmapped = new ArrayList<>();
      List<String> claimed = new ArrayList<>();
      List<ClaimedSite> claimedSites = new ArrayList<>();
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
        claimed.add(site);
        claimedSites.add(new ClaimedSite(siteDir, mapping));
      }
      // a listing per site and delivery, each a round trip on a remote file system: on a few threads (DriverIo)
      List<SiteListing> listings = DriverIo.map(claimedSites, c -> list(fs, c.dir(), c.mapping()));
      List<SourceFile> files = new ArrayList<>();
      List<String> unclaimed = new ArrayList<>();
      for (SiteListing listing : listings) {
        files.addAll(listing.files());
        unclaimed.addAll(listing.unclaimed());
      }
      return new LandingInventory(List.copyOf(files), List.copyOf(unmapped), List.copyOf(unclaimed),
          List.copyOf(claimed));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the landing folder " + input, e);
    }
  }

  /** A site folder and the mapping that claims it. */
  private record ClaimedSite(FileStatus dir, SiteMapping mapping) {}

  /** One claimed site's files, and its entries that are no delivery folder or match no file pattern, in name order. */
  private record SiteListing(List<SourceFile> files, List<String> unclaimed) {}

  private static SiteListing list(FileSystem fs, FileStatus siteDir, SiteMapping mapping) throws IOException {
    String site = siteDir.getPath().getName();
    List<SourceFile> files = new ArrayList<>();
    List<String> unclaimed = new ArrayList<>();
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
        if (name.startsWith(".") || name.startsWith("_")) {
          continue;
        }
        if (f.isDirectory()) {
          // a folder inside a delivery (an unpacked archive's own folder): its files are not read, and were
          // not reported either, so a delivery's sessions could be missing without a word
          unclaimed.add(rel + "/");
          continue;
        }
        if (!f.isFile()) {
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
    return new SiteListing(files, unclaimed);
  }

  /** The single mapping claiming a site folder; two claims are a configuration error. */
  static SiteMapping mappingFor(String site, List<SiteMapping> mappings) {
    SiteMapping found = null;
    for (SiteMapping m : mappings) {
      if (m.claims(site)) {
        if (found != null) {
          throw m.sources().error(m.sitePattern() != null ? "site_pattern" : "sites",
              "site folder '" + site + "' is claimed by both " + found.file() + " and " + m.file()
                  + "; narrow one of them so each site has exactly one mapping");
        }
        found = m;
      }
    }
    return found;
  }

  /**
   * Sessions or patients file, by the mapping's file patterns; null for neither. A file both match is a
   * configuration error in the file that sets sessions.files (a profile, when the mapping inherits it).
   */
  private static SourceFile.Kind kindOf(SiteMapping m, String name, String rel) {
    boolean s = m.sessions() != null && matches(m.sessions().files(), name);
    boolean p = m.patients() != null && matches(m.patients().files(), name);
    if (s && p) {
      KeySources k = m.sources();
      String hint = k.inProfile("sessions.files") || k.inProfile("patients.files")
          ? "; to change a pattern for this mapping only, set it in " + m.file() + ", which overrides the profile"
          : "";
      throw k.error("sessions.files", "file " + rel + " matches both the sessions pattern '" + m.sessions().files()
          + "' and the patients pattern '" + m.patients().files() + "'"
          + k.setIn("patients.files", k.fileOf("sessions.files")) + "; make the globs disjoint" + hint);
    }
    return s ? SourceFile.Kind.SESSIONS : p ? SourceFile.Kind.PATIENTS : null;
  }

  /**
   * Why a landed file of {@link LandingInventory#unclaimedFiles()} is not ingested, after its path: "matches
   * no file pattern of sites/alpha.yaml: sessions.files 'psq_*.csv' (set in profiles/p.yaml, a profile that
   * sites/alpha.yaml extends), patients.files 'pat_*.csv'". The patterns and the file setting each are what
   * to check: a mapping that inherits them has no such key in its own file.
   */
  public static String unclaimedReason(String relativePath, List<SiteMapping> mappings) {
    if (relativePath.endsWith("/")) {
      String delivery = relativePath.substring(0, relativePath.lastIndexOf('/', relativePath.length() - 2) + 1);
      return "is a folder inside a delivery: the files in it are not read (the layout is <site>/<delivery>/<file>); "
          + "move them up into " + delivery;
    }
    String[] parts = relativePath.split("/");
    if (parts.length == 2) {
      // the scan lists <site>/<delivery>/<file> only: a file beside the delivery folders belongs to none
      return "is not in a delivery folder (the layout is <site>/<delivery>/<file>); move it into one, e.g. "
          + parts[0] + "/<date>/" + parts[1];
    }
    SiteMapping m = parts.length < 3 ? null : mappingFor(parts[0], mappings);
    if (m == null) {
      return "matches no file pattern";
    }
    KeySources k = m.sources();
    List<String> patterns = new ArrayList<>();
    if (m.sessions() != null) {
      patterns.add("sessions.files '" + m.sessions().files() + "'" + k.setIn("sessions.files", m.file()));
    }
    if (m.patients() != null) {
      patterns.add("patients.files '" + m.patients().files() + "'" + k.setIn("patients.files", m.file()));
    }
    return "matches no file pattern of " + m.file() + ": " + String.join(", ", patterns);
  }

  /** How many file names {@link #unmatchedPatterns} lists at most. */
  static final int FILES_LISTED = 8;

  /**
   * One warning per file pattern of a mapping that matches no file in any delivery of a site it claims:
   * "mapping: sessions.files 'session_*.csv' matches no file in any delivery of site 'alpha'; files there:
   * patients.csv, sessions.csv", the file being the one that sets the key (a profile names its mapping). A
   * warning, not an error: a site may not have delivered that kind of file yet. Several sites of one mapping
   * share one warning.
   */
  public static List<String> unmatchedPatterns(LandingInventory inventory, List<SiteMapping> mappings) {
    Map<String, Set<String>> inDeliveries = new HashMap<>();   // site -> names of its delivered files
    Map<String, Set<SourceFile.Kind>> kinds = new HashMap<>();
    for (SourceFile f : inventory.files()) {
      inDeliveries.computeIfAbsent(f.site(), s -> new TreeSet<>()).add(name(f.relativePath()));
      kinds.computeIfAbsent(f.site(), s -> EnumSet.noneOf(SourceFile.Kind.class)).add(f.kind());
    }
    for (String rel : inventory.unclaimedFiles()) {
      String[] parts = rel.split("/");
      if (parts.length == 3) {
        inDeliveries.computeIfAbsent(parts[0], s -> new TreeSet<>()).add(parts[2] + (rel.endsWith("/") ? "/" : ""));
      }
    }
    // per mapping and pattern key, the claimed sites where it matches nothing
    Map<SiteMapping, Map<String, List<String>>> unmatched = new LinkedHashMap<>();
    for (String site : inventory.claimedSites()) {
      SiteMapping m = mappingFor(site, mappings);
      if (m == null) {
        continue;
      }
      Set<SourceFile.Kind> found = kinds.getOrDefault(site, Set.of());
      if (m.sessions() != null && !found.contains(SourceFile.Kind.SESSIONS)) {
        unmatched.computeIfAbsent(m, x -> new LinkedHashMap<>()).computeIfAbsent("sessions.files",
            x -> new ArrayList<>()).add(site);
      }
      if (m.patients() != null && !found.contains(SourceFile.Kind.PATIENTS)) {
        unmatched.computeIfAbsent(m, x -> new LinkedHashMap<>()).computeIfAbsent("patients.files",
            x -> new ArrayList<>()).add(site);
      }
    }
    List<String> out = new ArrayList<>();
    unmatched.forEach((m, byKey) -> byKey.forEach((key, sites) -> {
      KeySources k = m.sources();
      String glob = key.equals("sessions.files") ? m.sessions().files() : m.patients().files();
      Set<String> names = new TreeSet<>();
      sites.forEach(s -> names.addAll(inDeliveries.getOrDefault(s, Set.of())));
      List<String> listed = names.stream().limit(FILES_LISTED).toList();
      String there = names.isEmpty() ? "no file has been delivered there yet"
          : "files there: " + String.join(", ", listed)
              + (names.size() > listed.size() ? " and " + (names.size() - listed.size()) + " more" : "");
      String message = key + " '" + glob + "' matches no file in any delivery of "
          + (sites.size() == 1 ? "site '" + sites.get(0) + "'" : "sites " + quoted(sites)) + "; " + there;
      out.add(k.where(key) + ": " + KeySources.withHint(message, names.isEmpty() ? "" : k.overrideHint(key)));
    }));
    return out;
  }

  /**
   * For a site folder no mapping claims, a literal site name of a mapping that is near it and has no folder
   * in the landing (a typo: clinic-alfa for clinic-alpha), as "did you mean ...?" naming the mapping and
   * the key to fix; "" when there is none.
   */
  public static String unmappedHint(String site, LandingInventory inventory, List<SiteMapping> mappings) {
    Map<String, SiteMapping> folderless = new LinkedHashMap<>();
    for (SiteMapping m : mappings) {
      for (String s : m.sites()) {
        if (!inventory.claimedSites().contains(s) && !inventory.unmappedSites().contains(s)) {
          folderless.putIfAbsent(s, m);
        }
      }
    }
    String near = ConfigNode.nearest(site, folderless.keySet());
    if (near == null) {
      return "";
    }
    KeySources k = folderless.get(near).sources();
    String key = k.sets("site") && !k.sets("sites") ? "site" : "sites";
    return k.where(key) + " names site '" + near + "' at '" + key + "', which has no folder in the landing: did you "
        + "mean '" + site + "'?";
  }

  private static String name(String relativePath) {
    return relativePath.substring(relativePath.lastIndexOf('/') + 1);
  }

  private static String quoted(List<String> sites) {
    return String.join(", ", sites.stream().map(s -> "'" + s + "'").toList());
  }

  static boolean matches(String glob, String name) {
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
    return m.matches(java.nio.file.Path.of(name));
  }
}
