package org.rupture.pipeline.generate;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.rupture.pipeline.cli.UsageException;
import org.rupture.pipeline.ingest.SecretResolver;

/**
 * {@code generate}: writes a synthetic multi-site cohort in the landing layout the ingest stage
 * reads, {@code <output>/landing/<site>/<delivery>/{sessions*,patients*}.csv}, together with the
 * site mappings for exactly those files, {@code <output>/conf/sites/*.yaml} and {@code
 * conf/sites/profiles/*.yaml}, and a configuration that runs the pipeline on them, {@code
 * <output>/conf/pipeline.yaml} (input {@code <output>/landing}, those mappings, output {@code
 * <output>/out}). The cohort is synthetic, so its landing folder carries the {@code DEMO_DATA}
 * marker and the configuration allows the built-in demo secret, as for the committed sample. The
 * command ends by printing how to check and run it.
 *
 * <p>Sites are named {@code site-001}, {@code site-002}, ...; with {@code --dialects all} they
 * cycle through the long CSV, wide and survey-tool dialects ({@link ExportDialect}). With
 * {@code --deliveries N} each site gets N delivery folders, each re-delivering the full history up
 * to its cutoff plus later sessions, earlier ones with a few values that later ones correct.
 *
 * <p><b>Planted effects</b> (full parameter list in {@link CohortModel}), each with site-to-site
 * heterogeneity through random site intercepts and slopes: therapists report more ruptures than
 * patients (log-odds +0.55); fewer ruptures in CBT than in BRT/STDP (log-odds -0.75); higher repair
 * capacity (seen as mean resolution) and lower intensity level go with more improvement on both
 * outcomes (IIP, lower is better; WHO-5, higher is better) and fewer dropouts; within a patient,
 * higher session intensity goes with lower alliance and session quality, higher resolution with
 * higher; patients treated after their therapist's alliance-focused training improve more (+0.45
 * latent SD directly, plus better repair).
 *
 * <p>Output is deterministic for a seed, byte for byte (but for the configuration's absolute
 * paths): each site has its own random streams seeded from (seed, site number), so sites are
 * generated in parallel and a site's data do not depend on how many sites are generated.
 */
public final class GenerateCommand {
  static final String SITE_PREFIX = "site-";
  /** The text of the landing folder's demo-data marker (the committed sample's, byte for byte). */
  static final String DEMO_MARKER_TEXT = "This folder is synthetic demo data: the pipeline may pseudonymise it"
      + " with its built-in demo secret.\n";

  private GenerateCommand() {}

  /** Totals of one generation. */
  record Summary(int sites, long patients, long sessionRatings, int deliveries) {}

  /**
   * Runs {@code generate} with its command-line options.
   *
   * @return 0 on success, 2 on bad usage (message on {@code err}), 1 when the files cannot be
   * written
   */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    GenerateOptions options;
    try {
      options = GenerateOptions.parse(args);
      if (options == null) {
        out.println(GenerateOptions.USAGE);
        return 0;
      }
      checkOutputFolder(options.output());
    } catch (UsageException e) {
      err.println("generate: " + e.getMessage());
      err.println(GenerateOptions.USAGE);
      return 2;
    }
    long start = System.nanoTime();
    Summary summary;
    try {
      summary = generate(options);
    } catch (IOException | UncheckedIOException e) {
      err.println("generate: could not write the cohort under " + options.output() + ": "
          + (e instanceof UncheckedIOException u ? u.getCause() : e));
      return 1;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    out.printf(Locale.ROOT, "generated %d sites (%s dialect%s), %d patients, %d session ratings"
            + " in %d deliver%s under %s in %.1f s (%.0f session ratings/s)%n",
        summary.sites(), options.allDialects() ? "all" : "long", options.allDialects() ? "s" : "",
        summary.patients(), summary.sessionRatings(), summary.deliveries(),
        summary.deliveries() == 1 ? "y" : "ies", options.output(), seconds,
        summary.sessionRatings() / Math.max(seconds, 1e-9));
    Path config = configFile(options.output());
    String configArg = shellWord(config.toString());
    out.printf("wrote %s: input %s, mappings %s, output %s%n", config, landing(options.output()),
        config.resolveSibling("sites"), runOutput(options.output()));
    out.println("check it: scripts/rupture validate-config --config " + configArg);
    out.println("run it:   scripts/rupture run --config " + configArg);
    return 0;
  }

  /** The configuration written beside the cohort's mappings, absolute. */
  static Path configFile(Path output) {
    return output.toAbsolutePath().normalize().resolve("conf").resolve("pipeline.yaml");
  }

  private static Path landing(Path output) {
    return output.toAbsolutePath().normalize().resolve("landing");
  }

  private static Path runOutput(Path output) {
    return output.toAbsolutePath().normalize().resolve("out");
  }

  /**
   * Writes {@code <output>/conf/pipeline.yaml}: the cohort's landing folder and run output as absolute paths
   * (a config's input and output resolve against the working directory), its mappings relative to the file
   * (as {@code sites:} resolves), the demo secret allowed; the rest are the built-in defaults.
   */
  static void writeConfig(Path output) throws IOException {
    String text = "# rupture-pipeline configuration for the synthetic cohort `rupture generate` wrote here\n"
        + "# (README.md \"Configuration\"). Check and run it from the repository root with\n"
        + "#   scripts/rupture validate-config --config <this file>\n"
        + "#   scripts/rupture run --config <this file>\n"
        + "input: " + yamlString(landing(output).toString()) + "\n"
        + "output: " + yamlString(runOutput(output).toString()) + "\n"
        + "sites: sites                 # the generated mappings beside this file\n"
        + "privacy:\n"
        + "  allow_demo_secret: true    # synthetic data (landing/" + SecretResolver.DEMO_MARKER
        + "): the built-in demo secret may key it\n";
    Files.writeString(configFile(output), text, StandardCharsets.UTF_8);
  }

  /** Marks the landing folder as synthetic demo data, as the committed sample is. */
  static void writeDemoMarker(Path landing) throws IOException {
    Files.createDirectories(landing);
    Files.writeString(landing.resolve(SecretResolver.DEMO_MARKER), DEMO_MARKER_TEXT, StandardCharsets.UTF_8);
  }

  private static String yamlString(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  /** A path as one shell word: as is when it needs no quoting, else single-quoted. */
  static String shellWord(String value) {
    return value.matches("[A-Za-z0-9_./:@%+=,-]+") ? value : "'" + value.replace("'", "'\\''") + "'";
  }

  /** Generates the cohort described by {@code options}, sites in parallel. */
  static Summary generate(GenerateOptions options) throws IOException {
    List<Delivery> deliveries = Delivery.schedule(options.deliveries(), options.sessions());
    Path landing = options.output().resolve("landing");
    int width = Math.max(3, Integer.toString(options.sites()).length());
    ExportDialect[] dialects = ExportDialect.values();
    Map<ExportDialect, List<String>> sitesByDialect = new EnumMap<>(ExportDialect.class);
    int threads = Math.min(options.sites(), Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "generate-site");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<long[]>> results = new ArrayList<>();
      for (int number = 1; number <= options.sites(); number++) {
        String site = SiteExport.padded(SITE_PREFIX, number, width);
        ExportDialect dialect = options.allDialects()
            ? dialects[(number - 1) % dialects.length] : ExportDialect.LONG_CSV;
        sitesByDialect.computeIfAbsent(dialect, d -> new ArrayList<>()).add(site);
        int siteNumber = number;
        results.add(pool.submit(() -> writeSite(options, dialect, landing.resolve(site),
            siteNumber, deliveries)));
      }
      long patients = 0;
      long ratings = 0;
      for (Future<long[]> result : results) {
        long[] counts = await(result);
        patients += counts[0];
        ratings += counts[1];
      }
      MappingFiles.write(options.output().resolve("conf").resolve("sites"), sitesByDialect,
          !options.allDialects());
      writeDemoMarker(landing);
      writeConfig(options.output());
      return new Summary(options.sites(), patients, ratings, deliveries.size());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Simulates and writes one site; returns {patients, session ratings} of its last delivery. */
  private static long[] writeSite(GenerateOptions options, ExportDialect dialect, Path siteDir,
      int siteNumber, List<Delivery> deliveries) throws IOException {
    SiteSimulation simulation = new SiteSimulation(options.seed(), siteNumber,
        options.patientsPerSite(), options.sessions(), dialect.alliancePoints());
    try (SiteExport export = dialect.open(siteDir, siteNumber, options.seed(), deliveries,
        options.sessions())) {
      for (SimulatedPatient p = simulation.next(); p != null; p = simulation.next()) {
        export.write(p);
      }
      return new long[] {export.finalPatients(), export.finalSessionRatings()};
    }
  }

  private static long[] await(Future<long[]> result) throws IOException {
    try {
      return result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while generating", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(cause);
    }
  }

  /** Refuses an output folder that already holds a cohort: stale sites would be left unmapped. */
  private static void checkOutputFolder(Path output) {
    if (Files.exists(output) && !Files.isDirectory(output)) {
      throw new UsageException("--output " + output + " is a file, not a folder");
    }
    for (Path sub : List.of(output.resolve("landing"), output.resolve("conf").resolve("sites"))) {
      if (Files.isDirectory(sub)) {
        try (Stream<Path> entries = Files.list(sub)) {
          if (entries.findAny().isPresent()) {
            throw new UsageException(sub + " already exists and is not empty; choose a new --output"
                + " folder or delete the old cohort first");
          }
        } catch (IOException e) {
          throw new UsageException("cannot read " + sub + ": " + e.getMessage());
        }
      }
    }
  }
}
