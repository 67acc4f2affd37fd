package org.rupture.pipeline.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rupture.pipeline.ingest.SecretResolver;

/**
 * The committed sample ({@code sample/landing}, {@code conf/sites}) is the generator's output for
 * {@link #GENERATOR_OPTIONS} plus exactly the hand-made defects documented in
 * {@code sample/README.md} (made by {@code sample/make-sample.py}) and the demo-data marker, it
 * parses with its mappings, one site folder is left unclaimed, and it stays small. The planted directions of the same cohort
 * are checked in {@link PlantedEffectsTest}.
 */
class SampleDataTest {
  static final long SEED = 2024;
  static final int SITES = 8;
  static final int PATIENTS_PER_SITE = 50;
  static final int SESSIONS = 12;
  static final List<String> GENERATOR_OPTIONS = List.of("--sites", "" + SITES,
      "--patients-per-site", "" + PATIENTS_PER_SITE, "--sessions", "" + SESSIONS, "--seed",
      "" + SEED, "--dialects", "all", "--deliveries", "2");

  private static final Path LANDING = Path.of("sample", "landing");
  private static final Path CONF_SITES = Path.of("conf", "sites");
  private static final String UNMAPPED = "unmapped-site";
  /** Lines added or changed by hand, per landing file (sample/README.md lists each one). */
  private static final Map<String, Integer> DEFECT_LINES = Map.of(
      "site-001/2025-03-04/sessions.csv", 4,
      "site-004/2025-03-04/sessions.csv", 2,
      "site-002/2025-03-04/patients.csv", 1,
      "site-002/2025-03-04/sessions_wide.csv", 1,
      "site-003/2025-03-04/sessions_psq_export.csv", 1);

  @TempDir
  static Path generated;

  private static Path generate() {
    Path output = generated.resolve("cohort");
    if (!Files.exists(output)) {
      List<String> args = new java.util.ArrayList<>(List.of("--output", output.toString()));
      args.addAll(GENERATOR_OPTIONS);
      PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
      assertEquals(0, GenerateCommand.run(args, quiet, quiet));
    }
    return output;
  }

  @Test
  void sampleIsTheGeneratorOutputPlusTheDocumentedDefects() throws IOException {
    Path fresh = generate().resolve("landing");
    Set<String> expected = files(fresh);
    Set<String> committed = files(LANDING);
    assertTrue(committed.contains(SecretResolver.DEMO_MARKER) && expected.contains(SecretResolver.DEMO_MARKER),
        "the sample, like every generated cohort, carries the demo-data marker");
    Set<String> unmapped = committed.stream().filter(f -> f.startsWith(UNMAPPED + "/"))
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(1, unmapped.size(), "one file in the unmapped site folder: " + unmapped);
    committed.removeAll(unmapped);
    assertEquals(expected, committed);
    for (String file : expected) {
      Map<String, Integer> generatedLines = lines(fresh.resolve(file));
      Map<String, Integer> committedLines = lines(LANDING.resolve(file));
      int handMade = 0;
      for (Map.Entry<String, Integer> e : committedLines.entrySet()) {
        handMade += Math.max(0, e.getValue() - generatedLines.getOrDefault(e.getKey(), 0));
      }
      assertEquals(DEFECT_LINES.getOrDefault(file, 0), handMade, file + ": hand-made lines");
    }
  }

  @Test
  void mappingsAreTheGeneratorsMappings() throws IOException {
    Path fresh = generate().resolve("conf").resolve("sites");
    assertEquals(files(fresh), files(CONF_SITES));
    for (String file : files(fresh)) {
      assertArrayEquals(Files.readAllBytes(fresh.resolve(file)),
          Files.readAllBytes(CONF_SITES.resolve(file)), file);
    }
  }

  @Test
  void sampleParsesWithItsMappingsAndLeavesOneSiteUnclaimed() throws IOException {
    DialectChecker checker = new DialectChecker(CONF_SITES, LANDING);
    checker.checkAll(false);
    Set<String> folders;
    try (Stream<Path> list = Files.list(LANDING)) {
      folders = list.filter(Files::isDirectory).map(p -> p.getFileName().toString())
          .collect(Collectors.toSet());
    }
    assertEquals(SITES, checker.claimedSites.size());
    folders.removeAll(checker.claimedSites);
    assertEquals(Set.of(UNMAPPED), folders);
  }

  @Test
  void readmeDocumentsEveryDefectFile() throws IOException {
    String readme = Files.readString(Path.of("sample", "README.md"));
    for (String file : DEFECT_LINES.keySet()) {
      assertTrue(readme.contains("sample/landing/" + file), "README lists " + file);
    }
  }

  @Test
  void sampleStaysUnderFiveMegabytes() throws IOException {
    long bytes = 0;
    for (String file : files(LANDING)) {
      bytes += Files.size(LANDING.resolve(file));
    }
    assertTrue(bytes < 5_000_000, bytes + " bytes");
  }

  private static Set<String> files(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** Lines (with their line ends) and how often each occurs. */
  private static Map<String, Integer> lines(Path file) throws IOException {
    String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    Map<String, Integer> counts = new HashMap<>();
    for (String line : text.split("(?<=\n)")) {
      counts.merge(line, 1, Integer::sum);
    }
    return counts;
  }
}
