package org.rupture.pipeline.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The test's handle on {@code scripts/local-cluster}: a Spark standalone Master and two Workers on 127.0.0.1,
 * in their own state folder. {@link #stop()} ends every process the script started, executors included.
 */
final class LocalCluster {
  private final Path dir;

  LocalCluster(Path dir) {
    this.dir = dir;
  }

  /** Starts the master and every worker not running (a restart after a test killed one); returns the master URL. */
  String start() {
    script("start");
    return masterUrl();
  }

  void stop() {
    script("stop");
  }

  String masterUrl() {
    try {
      return Files.readString(dir.resolve("master-url")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ProcessHandle master() {
    return daemon("master");
  }

  ProcessHandle worker(int n) {
    return daemon("worker-" + n);
  }

  /** The executor processes a worker launched (its child JVMs). */
  static List<ProcessHandle> executors(ProcessHandle worker) {
    return worker.descendants().filter(p -> commandLine(p).contains("CoarseGrainedExecutorBackend")).toList();
  }

  /** Kills a worker and its executors at once (SIGKILL), as when a machine is lost. */
  static void killWithExecutors(ProcessHandle worker) {
    List<ProcessHandle> all = new ArrayList<>(worker.descendants().toList());
    all.add(worker);
    all.forEach(ProcessHandle::destroyForcibly);
    all.forEach(p -> p.onExit().join());
  }

  /**
   * The addresses a process listens on that are not loopback, as {@code /proc/net/tcp[6]} lists them (hex,
   * kernel byte order); empty when everything it listens on is 127.0.0.0/8 or ::1.
   */
  static List<String> nonLoopbackListeners(ProcessHandle p) {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/" + p.pid() + "/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException e) {
          // the descriptor closed while listing
        }
      }
    } catch (IOException e) {
      return List.of(); // the process ended
    }
    List<String> exposed = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        List<String> lines = Files.readAllLines(Path.of(table));
        for (String line : lines.subList(1, lines.size())) {
          String[] f = line.trim().split("\\s+");
          String address = f[1].substring(0, f[1].indexOf(':'));
          if (f[3].equals("0A") && inodes.contains(f[9]) && !isLoopback(address)) {
            exposed.add(f[1]);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return exposed;
  }

  private static boolean isLoopback(String hex) {
    // IPv4 is one little-endian word, so 127.x.y.z ends in 7F; IPv6 ::1, or ::ffff:127.x.y.z
    return hex.length() == 8 && hex.endsWith("7F")
        || hex.equals("00000000000000000000000001000000")
        || hex.startsWith("0000000000000000FFFF0000") && hex.endsWith("7F");
  }

  static String commandLine(ProcessHandle p) {
    try {
      return Files.readString(Path.of("/proc/" + p.pid() + "/cmdline")).replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  private ProcessHandle daemon(String name) {
    try {
      long pid = Long.parseLong(Files.readString(dir.resolve("pids/" + name + ".pid")).strip());
      return ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException(name + " is not running"));
    } catch (IOException e) {
      throw new UncheckedIOException("no pid file for " + name + " under " + dir, e);
    }
  }

  private void script(String command) {
    ProcessBuilder pb = new ProcessBuilder("scripts/local-cluster", command).redirectErrorStream(true);
    pb.environment().put("LOCAL_CLUSTER_DIR", dir.toAbsolutePath().toString());
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolveSibling(dir.getFileName() + ".log").toFile()));
    try {
      Process p = pb.start();
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("scripts/local-cluster " + command + " did not finish in 180 s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("scripts/local-cluster " + command + " failed (exit " + p.exitValue()
            + "); see " + dir.resolveSibling(dir.getFileName() + ".log") + " and " + dir.resolve("logs"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
