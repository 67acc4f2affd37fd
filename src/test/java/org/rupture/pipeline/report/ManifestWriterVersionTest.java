package org.rupture.pipeline.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ManifestWriterVersionTest {

  /**
   * The manifest's software version (and the ingest state's compatibility, which includes it) is the
   * build's own: it was "dev" in every build, so a manifest could not say which release made its results.
   */
  @Test
  void theVersionIsThePomsProjectVersion() throws IOException {
    String pom = Files.readString(Path.of("pom.xml"));
    Matcher m = Pattern.compile("<artifactId>rupture-pipeline</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
    assertTrue(m.find(), "the project's version in pom.xml");
    assertEquals(m.group(1), ManifestWriter.version());
  }
}
