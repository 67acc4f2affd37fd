package org.rupture.pipeline.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rupture.pipeline.cli.Main;
import org.rupture.pipeline.config.PipelineConfigLoader;

/** The {@code generate} command: usage errors, layout, determinism and the declared dialects. */
class GenerateCommandTest {
  @TempDir
  Path tmp;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return GenerateCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--sites 3 | --output DIR is required",
      "--output OUT --sites | option --sites needs a value",
      "--output OUT --sites 0 | --sites must be between 1 and 100000, got 0",
      "--output OUT --sessions twelve | --sessions must be a whole number, got 'twelve'",
      "--output OUT --dialects wide | --dialects must be 'long' or 'all', got 'wide'",
      "--output OUT --seed 1.5 | --seed must be an integer, got '1.5'",
      "--output OUT --deliveries 51 | --deliveries must be between 1 and 50, got 51",
      "--output OUT --colour red | unknown option --colour",
      "--output OUT --bogus | unknown option --bogus",
      "--output OUT --site 3 | unknown option --site; did you mean --sites?",
      "--output OUT --sead=3 | unknown option --sead; did you mean --seed?",
      "--output OUT --sites 2 --sites 3 | option --sites is given twice",
      "--output OUT extra | unexpected argument 'extra' (options start with --)"})
  void badOptionsExitTwoWithAMessage(String args, String message) {
    String[] argv = args.replace("OUT", tmp.resolve("out").toString()).split(" ");
    assertEquals(2, run(argv));
    assertTrue(stderr().contains("generate: " + message), stderr());
    assertTrue(stderr().contains("usage: generate --output DIR"), stderr());
    assertFalse(Files.exists(tmp.resolve("out")), "nothing written on a usage error");
  }

  @Test
  void refusesAnOutputFolderThatAlreadyHoldsACohort() {
    String output = tmp.resolve("out").toString();
    assertEquals(0, run("--output", output, "--sites", "1", "--patients-per-site", "2"));
    assertEquals(2, run("--output", output, "--sites", "1"));
    assertTrue(stderr().contains("landing already exists and is not empty"), stderr());
  }

  @Test
  void anOutputThatIsAFileIsAUsageErrorAndAnUnwritableOneFailsWithExitOne() throws IOException {
    Path file = Files.writeString(tmp.resolve("blocker"), "not a folder");
    assertEquals(2, run("--output", file.toString()));
    assertTrue(stderr().contains("is a file, not a folder"), stderr());
    err.reset();
    assertEquals(1, run("--output", file.resolve("out").toString(), "--sites", "1"));
    assertTrue(stderr().contains("generate: could not write the cohort under"), stderr());
  }

  /**
   * The cohort comes with a configuration that runs the pipeline on it with its own mappings (not the
   * repository's conf/sites, which map site-002 as a wide export), and the command says how to use it.
   */
  @Test
  void writesAConfigurationForItsOwnMappingsAndPrintsTheCommandsThatUseIt() throws IOException {
    Path output = tmp.resolve("g");
    assertEquals(0, run("--output", output.toString(), "--sites", "2", "--patients-per-site", "5",
        "--sessions", "3"), stderr());
    Path config = output.toAbsolutePath().resolve("conf/pipeline.yaml");
    List<String> printed = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(List.of(
        "wrote " + config + ": input " + output.toAbsolutePath().resolve("landing") + ", mappings "
            + output.toAbsolutePath().resolve("conf/sites") + ", output " + output.toAbsolutePath().resolve("out"),
        "check it: scripts/rupture validate-config --config " + config,
        "run it:   scripts/rupture run --config " + config), printed.subList(1, printed.size()));

    var loaded = PipelineConfigLoader.load(config.toString(), PipelineConfigLoader.Overrides.none());
    assertEquals(output.toAbsolutePath().resolve("landing").toString(), loaded.input());
    assertEquals(output.toAbsolutePath().resolve("out").toString(), loaded.output());
    assertEquals(output.toAbsolutePath().resolve("conf/sites").toString(), loaded.sitesDir());
    assertTrue(loaded.privacy().allowDemoSecret());
    // synthetic, like the sample: the same marker, byte for byte
    assertArrayEquals(Files.readAllBytes(Path.of("sample/landing/DEMO_DATA")),
        Files.readAllBytes(output.resolve("landing/DEMO_DATA")));

    // the printed check passes from the repository root, where conf/sites would not fit site-002
    ByteArrayOutputStream checkOut = new ByteArrayOutputStream();
    ByteArrayOutputStream checkErr = new ByteArrayOutputStream();
    int exit = Main.run(List.of("validate-config", "--config", config.toString()),
        new PrintStream(checkOut, true, StandardCharsets.UTF_8),
        new PrintStream(checkErr, true, StandardCharsets.UTF_8));
    assertEquals(0, exit, checkErr.toString(StandardCharsets.UTF_8));
    assertTrue(checkOut.toString(StandardCharsets.UTF_8).contains("ok: 1 mapping(s), 4 file(s) fit their mappings"),
        checkOut.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aFolderNameThatNeedsQuotingIsPrintedQuoted() {
    assertEquals("/tmp/g", GenerateCommand.shellWord("/tmp/g"));
    assertEquals("'/tmp/my cohort'", GenerateCommand.shellWord("/tmp/my cohort"));
    assertEquals("'/tmp/it'\\''s'", GenerateCommand.shellWord("/tmp/it's"));
  }

  @Test
  void helpPrintsUsageAndSucceeds() {
    assertEquals(0, run("--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: generate"));
  }

  @Test
  void sameSeedGivesIdenticalBytesAndAnotherSeedDiffers() throws IOException {
    String[] options = {"--sites", "4", "--patients-per-site", "12", "--sessions", "8",
        "--dialects", "all", "--deliveries", "2", "--seed", "42"};
    Map<Path, byte[]> first = generateInto("a", options);
    Map<Path, byte[]> second = generateInto("b", options);
    assertEquals(first.keySet(), second.keySet());
    Path config = Path.of("conf", "pipeline.yaml");
    for (Path file : first.keySet()) {
      if (file.equals(config)) {
        // the configuration names its own folder: the same but for that
        assertEquals(new String(first.get(file), StandardCharsets.UTF_8).replace(tmp.resolve("a").toString(), "DIR"),
            new String(second.get(file), StandardCharsets.UTF_8).replace(tmp.resolve("b").toString(), "DIR"));
        continue;
      }
      assertArrayEquals(first.get(file), second.get(file), file.toString());
    }
    options[options.length - 1] = "43";
    Map<Path, byte[]> other = generateInto("c", options);
    Path sessions = Path.of("landing", "site-001");
    byte[] a = first.entrySet().stream().filter(e -> e.getKey().startsWith(sessions)
        && e.getKey().toString().contains("sessions")).findFirst().orElseThrow().getValue();
    byte[] c = other.entrySet().stream().filter(e -> e.getKey().startsWith(sessions)
        && e.getKey().toString().contains("sessions")).findFirst().orElseThrow().getValue();
    assertNotEquals(new String(a, StandardCharsets.UTF_8), new String(c, StandardCharsets.UTF_8));
  }

  @Test
  void aSiteDoesNotDependOnHowManySitesAreGenerated() throws IOException {
    Map<Path, byte[]> two = generateInto("two", "--sites", "2", "--patients-per-site", "5");
    Map<Path, byte[]> five = generateInto("five", "--sites", "5", "--patients-per-site", "5");
    for (Map.Entry<Path, byte[]> e : two.entrySet()) {
      if (e.getKey().startsWith("landing")) {
        assertArrayEquals(e.getValue(), five.get(e.getKey()), e.getKey().toString());
      }
    }
  }

  @Test
  void allDialectsParseAsTheirMappingsDeclare() throws IOException {
    Path output = tmp.resolve("all");
    assertEquals(0, run("--output", output.toString(), "--sites", "6", "--patients-per-site",
        "15", "--sessions", "10", "--dialects", "all", "--deliveries", "2"), stderr());
    DialectChecker checker = new DialectChecker(output.resolve("conf/sites"),
        output.resolve("landing"));
    checker.checkAll(true);
    assertEquals(List.of("site-001", "site-002", "site-003", "site-004", "site-005", "site-006"),
        new ArrayList<>(checker.claimedSites));
    assertEquals(6, checker.rowsChecked.size(), checker.rowsChecked.toString());
    checker.rowsChecked.forEach((file, rows) -> assertTrue(rows > 0, file));
    try (Stream<Path> mappings = Files.list(output.resolve("conf/sites"))) {
      assertEquals(3, mappings.filter(p -> p.toString().endsWith(".yaml")).count());
    }
  }

  @Test
  void longDialectClaimsEverySiteByPattern() throws IOException {
    Path output = tmp.resolve("long");
    assertEquals(0, run("--output", output.toString(), "--sites", "3", "--patients-per-site",
        "6"));
    String mapping = Files.readString(output.resolve("conf/sites/long-csv-sites.yaml"));
    assertTrue(mapping.contains("site_pattern: \"site-*\""), mapping);
    DialectChecker checker = new DialectChecker(output.resolve("conf/sites"),
        output.resolve("landing"));
    checker.checkAll(true);
    assertEquals(3, checker.claimedSites.size());
    byte[] bytes = Files.readAllBytes(
        deliveries(output.resolve("landing/site-001")).get(0).resolve("sessions.csv"));
    assertArrayEquals(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
        new byte[] {bytes[0], bytes[1], bytes[2]}, "UTF-8 byte order mark");
  }

  @Test
  void wideExportIsWindows1252WithNonAsciiText() throws IOException {
    Path output = tmp.resolve("wide");
    assertEquals(0, run("--output", output.toString(), "--sites", "2", "--patients-per-site",
        "30", "--dialects", "all"));
    Path dir = deliveries(output.resolve("landing/site-002")).get(0);
    String sessions = Files.readString(dir.resolve("sessions_wide.csv"), WideExport.WINDOWS_1252);
    String patients = Files.readString(dir.resolve("patients.csv"), WideExport.WINDOWS_1252);
    assertTrue(sessions.matches("(?s).*[äöüßÄÖÜéè€].*"),
        "non-ASCII in therapist names/comments");
    assertTrue(patients.matches("(?s).*\\d,\\d\\d;.*"), "decimal comma in outcome scores");
    assertTrue(sessions.contains("\r\n"), "Windows line ends");
    assertTrue(sessions.startsWith("pid;therapeut;beurteiler;bemerkung;datum_s1;psq_rupt_s1;"
        + "psq_int_s1;psq_res_s1;seq_s1;wai01_s1;"), sessions.substring(0, 120));
  }

  @Test
  void secondDeliveryRedeliversHistoryAddsSessionsAndCorrectsAFewValues() throws IOException {
    Path output = tmp.resolve("two");
    assertEquals(0, run("--output", output.toString(), "--sites", "1", "--patients-per-site",
        "200", "--deliveries", "2"));
    List<Path> deliveries = deliveries(output.resolve("landing/site-001"));
    assertEquals(2, deliveries.size());
    List<String> first = Files.readAllLines(deliveries.get(0).resolve("sessions.csv"));
    List<String> second = Files.readAllLines(deliveries.get(1).resolve("sessions.csv"));
    assertTrue(second.size() > first.size() * 1.05, first.size() + " -> " + second.size());
    Map<String, String> later = new java.util.HashMap<>();
    for (String line : second.subList(1, second.size())) {
      later.put(key(line), line);
    }
    int changed = 0;
    for (String line : first.subList(1, first.size())) {
      String again = later.get(key(line));
      assertTrue(again != null, "re-delivered: " + line);
      changed += again.equals(line) ? 0 : 1;
    }
    assertTrue(changed > 0 && changed < first.size() / 50, changed + " rows changed");
  }

  /** A site's delivery folders in delivery order. */
  private static List<Path> deliveries(Path site) throws IOException {
    try (Stream<Path> list = Files.list(site)) {
      return list.sorted().toList();
    }
  }

  /** patient, session, rater of a long-layout row. */
  private static String key(String line) {
    String[] f = line.split(",", -1);
    return f[0] + "/" + f[2] + "/" + f[4];
  }

  private Map<Path, byte[]> generateInto(String name, String... options) throws IOException {
    Path output = tmp.resolve(name);
    List<String> args = new ArrayList<>(List.of("--output", output.toString()));
    args.addAll(List.of(options));
    assertEquals(0, run(args.toArray(String[]::new)), stderr());
    Map<Path, byte[]> files = new java.util.TreeMap<>();
    try (Stream<Path> walk = Files.walk(output)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        files.put(output.relativize(file), Files.readAllBytes(file));
      }
    }
    return files;
  }
}
