package org.rupture.pipeline.generate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes the site mappings (schema: {@code docs/site-mapping.md}) for a generated cohort: one
 * shared profile per dialect under {@code conf/sites/profiles/} and one mapping per dialect that
 * claims its sites and extends the profile, so any number of sites needs at most three mapping
 * files.
 */
final class MappingFiles {
  static final String PROFILE_RESOURCE_DIR = "profiles/";

  private MappingFiles() {}

  /**
   * @param sitesByDialect the site folder names of each dialect, in site order
   * @param allSitesOneDialect true when every site folder {@code site-*} has the same dialect,
   * which     is then claimed by pattern rather than by list
   */
  static void write(Path confSites, Map<ExportDialect, List<String>> sitesByDialect,
      boolean allSitesOneDialect) throws IOException {
    Files.createDirectories(confSites.resolve("profiles"));
    for (Map.Entry<ExportDialect, List<String>> e : sitesByDialect.entrySet()) {
      ExportDialect dialect = e.getKey();
      String profileFile = dialect.profile() + ".yaml";
      Files.write(confSites.resolve("profiles").resolve(profileFile), profileText(dialect));
      StringBuilder yaml = new StringBuilder()
          .append("# Sites whose exports use the ").append(dialect.profile())
          .append(" dialect (written by `rupture generate`).\n");
      if (allSitesOneDialect) {
        yaml.append("site_pattern: \"").append(GenerateCommand.SITE_PREFIX).append("*\"\n");
      } else {
        yaml.append("sites:\n");
        for (String site : e.getValue()) {
          yaml.append("  - ").append(site).append('\n');
        }
      }
      yaml.append("extends: profiles/").append(profileFile).append('\n');
      Files.writeString(confSites.resolve(dialect.profile() + "-sites.yaml"), yaml,
          StandardCharsets.UTF_8);
    }
  }

  /** The dialect's shared profile, as shipped beside this class. */
  static byte[] profileText(ExportDialect dialect) {
    String resource = PROFILE_RESOURCE_DIR + dialect.profile() + ".yaml";
    try (InputStream in = MappingFiles.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("profile resource missing from the jar: " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
