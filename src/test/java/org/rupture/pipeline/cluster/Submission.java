package org.rupture.pipeline.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One spark-submit of the shaded jar, built from the example in docs/operations.md so that the documented
 * command is the tested one. {@code spark-submit} becomes what the script of a Spark distribution runs
 * ({@code java -cp <Spark jars> org.apache.spark.deploy.SparkSubmit}); the test adds only what binds the
 * driver to loopback, and sets the master URL, output folder and night.
 */
final class Submission {
  static final Path DOC = Path.of("docs/operations.md");
  static final String MARKER = "<!-- cluster-submit-example";

  private final Process process;
  private final StringBuffer out = new StringBuffer();
  private final StringBuffer err = new StringBuffer();
  private final CountDownLatch ingested = new CountDownLatch(1);

  private Submission(Process process) {
    this.process = process;
    pump(process.getInputStream(), out, true);
    pump(process.getErrorStream(), err, false);
  }

  /** Starts the documented submit command against {@code masterUrl}, writing to {@code output} for {@code night}. */
  static Submission start(String masterUrl, Path output, String night) {
    List<String> command = new ArrayList<>();
    for (String token : documentedCommand()) {
      if (token.equals("spark-submit")) {
        command.addAll(List.of("java", "-Xmx1g"));
        command.addAll(Arrays.asList(System.getProperty("spark.jvm.opens").trim().split("\\s+")));
        command.addAll(List.of("-Dlog4j.configurationFile=conf/log4j2.properties", "-cp", sparkClasspath(),
            "org.apache.spark.deploy.SparkSubmit",
            "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
            "--conf", "spark.ui.enabled=false"));
      } else if (token.startsWith("spark://")) {
        command.add(masterUrl);
      } else {
        command.add(token);
      }
    }
    replaceValue(command, "--output", output.toString());
    replaceValue(command, "--run-date", night);
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    try {
      return new Submission(pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start spark-submit", e);
    }
  }

  /** The tokens of the fenced block after the marker in docs/operations.md, continuation lines joined. */
  static List<String> documentedCommand() {
    try {
      List<String> lines = Files.readAllLines(DOC);
      int i = 0;
      while (!lines.get(i).startsWith(MARKER)) {
        i++;
      }
      while (!lines.get(i).startsWith("```")) {
        i++;
      }
      StringBuilder sb = new StringBuilder();
      for (i++; !lines.get(i).startsWith("```"); i++) {
        sb.append(lines.get(i).replaceAll("\\\\\\s*$", " "));
      }
      return Arrays.asList(sb.toString().trim().split("\\s+"));
    } catch (IOException | IndexOutOfBoundsException e) {
      throw new IllegalStateException("no submit example after '" + MARKER + "' in " + DOC, e);
    }
  }

  private static void replaceValue(List<String> command, String option, String value) {
    int i = command.indexOf(option);
    if (i < 0) {
      throw new IllegalStateException("the documented command has no " + option);
    }
    command.set(i + 1, value);
  }

  private static String sparkClasspath() {
    try {
      return Files.readString(Path.of("target/classpath.txt")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("target/classpath.txt is written by `mvn package`", e);
    }
  }

  /** The driver process (client deploy mode: the driver runs inside spark-submit's JVM). */
  ProcessHandle driver() {
    return process.toHandle();
  }

  /** Waits until the driver printed the ingest stage's line (ingest done, analysis under way). */
  boolean awaitIngested(long seconds) throws InterruptedException {
    return ingested.await(seconds, TimeUnit.SECONDS);
  }

  /** Waits for the exit code, killing the driver when it takes longer than {@code seconds}. */
  int waitFor(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      kill();
      throw new IllegalStateException("spark-submit did not finish within " + seconds + " s\n" + this);
    }
    process.waitFor();
    return process.exitValue();
  }

  /** kill -9 of the driver. */
  void kill() {
    process.destroyForcibly();
    process.onExit().join();
  }

  String out() {
    return out.toString();
  }

  String err() {
    return err.toString();
  }

  @Override
  public String toString() {
    return "stdout:\n" + out + "\nstderr:\n" + err;
  }

  private void pump(InputStream in, StringBuffer sink, boolean watch) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          sink.append(line).append('\n');
          if (watch && line.startsWith("ingest ")) {
            ingested.countDown();
          }
        }
      } catch (IOException e) {
        sink.append("(stream closed: ").append(e.getMessage()).append(")\n");
      }
    }, "submission-output");
    t.setDaemon(true);
    t.start();
  }
}
