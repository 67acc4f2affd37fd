package org.rupture.pipeline.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The lock that keeps two runs from writing one output folder at once: a small JSON file naming the holder
 * (run id, host, pid) and a heartbeat that a background thread refreshes every quarter of the stale time.
 *
 * <p>The file is created with create-if-absent, which is atomic on HDFS and (nearly: check, then create) on
 * local and object-store file systems. A lock is stale, and is taken over, when its holder ran on this host
 * and is no longer alive (a killed driver), or when its heartbeat is older than {@code lock.stale_after_seconds}
 * (a holder on another host that died). Because taking over is check-then-act, the holder re-reads the file
 * before it publishes ({@link #verify()}): of two runs that both took over, only the one still named in the
 * file publishes.
 */
public final class RunLock implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(RunLock.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Who holds a lock; {@code heartbeat} is epoch milliseconds. An unreadable file has no run id. */
  record Holder(String runId, String host, long pid, long heartbeat) {
    static Holder of(String runId) {
      return new Holder(runId, localHost(), ProcessHandle.current().pid(), System.currentTimeMillis());
    }

    boolean isStale(Duration staleAfter, long now) {
      boolean deadHere = runId != null && host.equals(localHost())
          && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
      return deadHere || now - heartbeat > staleAfter.toMillis();
    }

    boolean sameHolder(Holder other) {
      return other != null && runId != null && runId.equals(other.runId) && host.equals(other.host) && pid == other.pid;
    }

    String describe() {
      return runId == null ? "an unreadable lock file"
          : "run " + runId + " (host " + host + ", pid " + pid + ", last heartbeat " + Instant.ofEpochMilli(heartbeat) + ")";
    }

    byte[] toJson() {
      ObjectNode n = JSON.createObjectNode();
      n.put("run_id", runId);
      n.put("host", host);
      n.put("pid", pid);
      n.put("heartbeat", Instant.ofEpochMilli(heartbeat).toString());
      return (n.toString() + "\n").getBytes(StandardCharsets.UTF_8);
    }
  }

  private final FileSystem fs;
  private final Path file;
  private final Holder holder;
  private final String takenOver;
  private final ScheduledExecutorService heartbeat;
  private volatile String lost;

  private RunLock(FileSystem fs, Path file, Holder holder, String takenOver, Duration staleAfter) {
    this.fs = fs;
    this.file = file;
    this.holder = holder;
    this.takenOver = takenOver;
    this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "rupture-lock-heartbeat");
      t.setDaemon(true);
      return t;
    });
    long period = Math.max(1, staleAfter.toMillis() / 4);
    heartbeat.scheduleAtFixedRate(this::beat, period, period, TimeUnit.MILLISECONDS);
  }

  /**
   * Takes the lock for a run, taking over a stale one.
   *
   * @throws RunLockedException when a live run holds it
   */
  static RunLock acquire(FileSystem fs, Path file, String runId, Duration staleAfter) {
    Holder me = Holder.of(runId);
    if (tryCreate(fs, file, me)) {
      return new RunLock(fs, file, me, null, staleAfter);
    }
    Holder other = read(fs, file);
    if (other != null && !other.isStale(staleAfter, System.currentTimeMillis())) {
      throw new RunLockedException("another run holds the lock " + file + ": " + other.describe()
          + ". Retry when it has finished; if that run is dead, delete the lock file (it is taken over "
          + "automatically after lock.stale_after_seconds = " + staleAfter.toSeconds() + " without a heartbeat)");
    }
    String takenOver = other == null ? null : other.describe();
    try {
      fs.delete(file, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the stale lock " + file, e);
    }
    if (!tryCreate(fs, file, me)) {
      Holder winner = read(fs, file);
      throw new RunLockedException("another run took the stale lock " + file + " first: "
          + (winner == null ? "unknown holder" : winner.describe()) + ". Retry when it has finished");
    }
    return new RunLock(fs, file, me, takenOver, staleAfter);
  }

  /** The holder whose stale lock this run took over, or null. */
  public String takenOver() {
    return takenOver;
  }

  /** Fails when the lock no longer names this run (another run took it over); called before publishing. */
  public void verify() {
    Holder current = readSettled(fs, file);
    if (lost != null || !holder.sameHolder(current)) {
      throw new IllegalStateException("this run lost the lock " + file + " to "
          + (current == null ? "nobody (the file is gone)" : current.describe())
          + "; nothing was published. Check that runs of this output are not started twice");
    }
  }

  /** Stops the heartbeat and removes the lock file if it still names this run. */
  @Override
  public void close() {
    heartbeat.shutdownNow();
    try {
      if (holder.sameHolder(readSettled(fs, file))) {
        fs.delete(file, false);
      }
    } catch (IOException e) {
      LOG.warn("could not remove the lock {}: {}", file, e.getMessage());
    }
  }

  private void beat() {
    try {
      Holder current = readSettled(fs, file);
      if (!holder.sameHolder(current)) {
        lost = current == null ? "nobody" : current.describe();
        heartbeat.shutdown();
        return;
      }
      write(fs, file, Holder.of(holder.runId()), true);
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("could not refresh the lock {}: {}", file, e.getMessage());
    }
  }

  private static boolean tryCreate(FileSystem fs, Path file, Holder holder) {
    try {
      write(fs, file, holder, false);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      if (existsQuietly(fs, file)) {
        return false;
      }
      throw new UncheckedIOException("cannot create the lock " + file, e);
    }
  }

  private static void write(FileSystem fs, Path file, Holder holder, boolean overwrite) throws IOException {
    try (OutputStream out = fs.create(file, overwrite)) {
      out.write(holder.toJson());
    }
  }

  /**
   * Like {@link #read}, but re-reads an unreadable file a few times: the heartbeat rewrites the file
   * in place, so a read can land between truncation and write and see an empty file.
   */
  static Holder readSettled(FileSystem fs, Path file) {
    Holder h = read(fs, file);
    for (int i = 0; i < 20 && h != null && h.runId() == null; i++) {
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      h = read(fs, file);
    }
    return h;
  }

  /** The holder, or null when the file is gone; an unreadable file counts as held since its last change. */
  static Holder read(FileSystem fs, Path file) {
    try {
      FileStatus status = fs.getFileStatus(file);
      try (InputStream in = fs.open(file)) {
        JsonNode n = JSON.readTree(in.readAllBytes());
        return new Holder(n.get("run_id").asText(), n.get("host").asText(), n.get("pid").asLong(),
            Instant.parse(n.get("heartbeat").asText()).toEpochMilli());
      } catch (IOException | RuntimeException e) {
        return new Holder(null, "", -1, status.getModificationTime());
      }
    } catch (FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the lock " + file, e);
    }
  }

  private static boolean existsQuietly(FileSystem fs, Path file) {
    try {
      return fs.exists(file);
    } catch (IOException e) {
      return false;
    }
  }

  private static String localHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }
}
