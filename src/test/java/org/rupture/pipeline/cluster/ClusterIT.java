package org.rupture.pipeline.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rupture.pipeline.testing.PublishedRuns.assertSameData;
import static org.rupture.pipeline.testing.PublishedRuns.current;
import static org.rupture.pipeline.testing.PublishedRuns.currentId;
import static org.rupture.pipeline.testing.PublishedRuns.runIds;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rupture.pipeline.cli.Main;
import org.rupture.pipeline.job.RunStore;
import org.rupture.pipeline.testing.SparkTestBase;

/**
 * The shaded jar on a real Spark standalone cluster: a Master and two Workers started by
 * {@code scripts/local-cluster} on 127.0.0.1, the job submitted with the command docs/operations.md shows,
 * on the committed sample with conf/pipeline.yaml. Checks that its published data equal those of the
 * embedded local run, and that it survives a worker killed mid-job and a driver killed mid-run.
 *
 * <p>Every process started here (master, workers, their executors, drivers) is stopped in {@link #stopAll()}
 * and, should the JVM be ended early, by a shutdown hook.
 */
class ClusterIT extends SparkTestBase {
  static final Path WORK = Path.of("target/it-cluster-work");
  static final long RUN_SECONDS = 600;
  static final LocalCluster CLUSTER = new LocalCluster(Path.of("target/it-cluster"));
  static final List<Submission> SUBMISSIONS = new ArrayList<>();
  static final Thread SHUTDOWN = new Thread(ClusterIT::stopAll, "stop-local-cluster");
  static String masterUrl;
  static Path localRun;
  static Path clusterOutput;

  @BeforeAll
  static void startClusterAndPublishLocallyAndOnTheCluster() throws Exception {
    Runtime.getRuntime().addShutdownHook(SHUTDOWN);
    FileUtils.deleteDirectory(WORK.toFile());
    masterUrl = CLUSTER.start();
    assertEquals(List.of(), LocalCluster.nonLoopbackListeners(CLUSTER.master()), "master listens on loopback only");
    assertEquals(List.of(), LocalCluster.nonLoopbackListeners(CLUSTER.worker(1)), "worker listens on loopback only");

    Path localOutput = WORK.resolve("local");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    spark(); // the embedded local run uses the shared local session
    int exit = Main.run(List.of("run", "--output", localOutput.toString(), "--run-date", "2026-03-01"),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
    localRun = current(localOutput);

    clusterOutput = WORK.resolve("cluster");
    Submission s = submit(clusterOutput, "2026-03-01");
    assertEquals(0, s.waitFor(RUN_SECONDS), s.toString());
  }

  @AfterAll
  static void stopAll() {
    SUBMISSIONS.forEach(s -> s.driver().descendants().forEach(ProcessHandle::destroyForcibly));
    SUBMISSIONS.forEach(s -> s.driver().destroyForcibly());
    CLUSTER.stop();
    if (Thread.currentThread() != SHUTDOWN) {
      Runtime.getRuntime().removeShutdownHook(SHUTDOWN);
    }
  }

  @Test
  void clusterRunPublishesTheSameDataAsTheEmbeddedLocalRun() {
    assertSameData(spark(), localRun, current(clusterOutput));
  }

  @Test
  void aWorkerKilledMidJobLeavesTheJobToTheOtherWithTheSameResults() throws Exception {
    CLUSTER.start(); // both workers, should another test have ended one
    Submission s = submit(WORK.resolve("worker-killed"), "2026-03-01");
    assertTrue(s.awaitIngested(RUN_SECONDS), "the ingest stage did not end\n" + s);
    ProcessHandle worker = CLUSTER.worker(1);
    assertFalse(LocalCluster.executors(worker).isEmpty(), "worker 1 runs an executor of the job");
    for (ProcessHandle p : List.of(s.driver(), worker, LocalCluster.executors(worker).get(0))) {
      assertEquals(List.of(), LocalCluster.nonLoopbackListeners(p), LocalCluster.commandLine(p));
    }
    LocalCluster.killWithExecutors(worker);
    assertEquals(0, s.waitFor(RUN_SECONDS), s.toString());
    assertSameData(spark(), localRun, current(WORK.resolve("worker-killed")));
    CLUSTER.start();
  }

  @Test
  void aDriverKilledMidRunLeavesThePublishedRunWholeAndTheRestartedRunPublishes() throws Exception {
    CLUSTER.start();
    String before = currentId(clusterOutput);
    Map<String, String> publishedFiles = checksums(current(clusterOutput));

    Submission killed = submit(clusterOutput, "2026-03-02");
    Path partial = awaitFirstTableOfANewRun(clusterOutput, before, killed);
    killed.kill();
    assertTrue(Files.isDirectory(partial), "the killed run wrote part of its folder: " + partial);
    assertEquals(before, currentId(clusterOutput), "CURRENT still names the previous complete run");
    assertEquals(publishedFiles, checksums(current(clusterOutput)), "the published run is untouched");
    assertEquals(2, runIds(clusterOutput).size(), "the killed run's partial folder, unpublished");
    assertTrue(Files.exists(clusterOutput.resolve(RunStore.LOCK)), "the killed driver's lock remains");

    Submission restarted = submit(clusterOutput, "2026-03-02");
    assertEquals(0, restarted.waitFor(RUN_SECONDS), restarted.toString());
    assertTrue(restarted.err().contains("took over the stale lock of run"), restarted.err());
    assertNotEquals(before, currentId(clusterOutput));
    assertEquals(List.of(before, currentId(clusterOutput)), runIds(clusterOutput), "the partial folder is gone");
    assertSameData(spark(), localRun, current(clusterOutput));
    assertFalse(Files.exists(clusterOutput.resolve(RunStore.LOCK)));
  }

  /**
   * Waits until a run other than {@code published} has written its curated session ratings (the first
   * table a run writes), and returns that run's folder.
   */
  private static Path awaitFirstTableOfANewRun(Path output, String published, Submission s) throws Exception {
    long deadline = System.nanoTime() + RUN_SECONDS * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      for (String id : runIds(output)) {
        Path table = output.resolve("runs").resolve(id).resolve("curated/session_ratings");
        if (!id.equals(published) && Files.isDirectory(table) && !Files.exists(table.resolve("_temporary"))) {
          return output.resolve("runs").resolve(id);
        }
      }
      assertTrue(s.driver().isAlive(), "the run ended before it wrote anything\n" + s);
      Thread.sleep(100);
    }
    throw new AssertionError("no run wrote its session ratings within " + RUN_SECONDS + " s\n" + s);
  }

  private static Submission submit(Path output, String night) {
    Submission s = Submission.start(masterUrl, output, night);
    SUBMISSIONS.add(s);
    return s;
  }

  /** Every file of a folder (relative path) and its SHA-256. */
  private static Map<String, String> checksums(Path dir) throws IOException {
    Map<String, String> sums = new TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        try {
          sums.put(dir.relativize(f).toString(),
              HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
        } catch (java.security.NoSuchAlgorithmException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return sums;
  }
}
