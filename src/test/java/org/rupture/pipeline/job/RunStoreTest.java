package org.rupture.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output folder's publish pointer, lock and retention, on the local file system through the Hadoop API. */
class RunStoreTest {
  static final Duration STALE = Duration.ofHours(1);

  @TempDir Path dir;

  RunStore store() {
    return new RunStore(dir.toString(), new Configuration());
  }

  @Test
  void publishReplacesCurrentAndLeavesNoTemporaryFile() throws IOException {
    RunStore store = store();
    assertEquals(Optional.empty(), store.current());
    store.publish("night-1");
    assertEquals(Optional.of("night-1"), store.current());
    store.publish("night-2");
    assertEquals(Optional.of("night-2"), store.current());
    assertEquals("night-2\n", Files.readString(dir.resolve(RunStore.CURRENT)));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of("CURRENT"), files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).toList());
    }
  }

  @Test
  void runFoldersAreSpeltLikeTheOutputAndRetentionDeletesAllButTheKeptOnes() throws IOException {
    RunStore store = store();
    assertEquals(dir + "/runs/a", store.runDir("a"));
    for (String id : List.of("a", "b", "c")) {
      Files.createDirectories(dir.resolve("runs").resolve(id).resolve("results"));
    }
    assertTrue(store.exists("b"));
    assertEquals(List.of("a", "c"), store.deleteAllBut(Set.of("b")));
    assertEquals(List.of("b"), store.runIds());
  }

  @Test
  void anOutputFolderTheFileSystemRefusesIsReportedAsSuchNotAsAnIoFailure() throws IOException {
    Path file = Files.writeString(dir.resolve("afile"), "not a folder");
    RunStore.OutputFolderException e = assertThrows(RunStore.OutputFolderException.class,
        () -> new RunStore(file.resolve("out").toString(), new Configuration()).lock("r", STALE));
    assertTrue(e.getMessage().startsWith("output folder " + file.resolve("out") + " cannot be created ("),
        e.getMessage());
    if (Files.isDirectory(Path.of("/proc"))) { // mkdirs only answers false there
      e = assertThrows(RunStore.OutputFolderException.class,
          () -> new RunStore("/proc/rupture-out", new Configuration()).lock("r", STALE));
      assertEquals("output folder /proc/rupture-out cannot be created (the file system refused)", e.getMessage());
    }
  }

  @Test
  void theLockIsExclusiveWhileItsHolderLivesAndReleasedOnClose() {
    RunStore store = store();
    RunLock first = store.lock("run-a", STALE);
    assertNull(first.takenOver());
    RunLockedException e = assertThrows(RunLockedException.class, () -> store.lock("run-b", STALE));
    assertTrue(e.getMessage().contains("run run-a (host "), e.getMessage());
    first.close();
    assertFalse(Files.exists(dir.resolve(RunStore.LOCK)));
    store.lock("run-b", STALE).close();
  }

  @Test
  void aLockWhoseHolderDiedOnThisHostIsTakenOverAtOnce() throws Exception {
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor();
    writeLock("killed-driver", InetAddress.getLocalHost().getHostName(), finished.pid(), Instant.now());
    try (RunLock lock = store().lock("restarted", STALE)) {
      assertTrue(lock.takenOver().startsWith("run killed-driver"), lock.takenOver());
      lock.verify();
    }
  }

  @Test
  void aLockOfAnotherHostIsRespectedUntilItsHeartbeatIsOlderThanTheStaleTime() throws IOException {
    writeLock("elsewhere", "another-host", 1, Instant.now().minus(Duration.ofMinutes(59)));
    assertThrows(RunLockedException.class, () -> store().lock("mine", STALE));
    writeLock("elsewhere", "another-host", 1, Instant.now().minus(Duration.ofMinutes(61)));
    try (RunLock lock = store().lock("mine", STALE)) {
      assertTrue(lock.takenOver().startsWith("run elsewhere (host another-host"), lock.takenOver());
    }
  }

  @Test
  void aRunThatLostItsLockCannotPublishAndLeavesTheNewHoldersLock() throws IOException {
    RunLock lock = store().lock("slow", STALE);
    writeLock("other", "another-host", 7, Instant.now());
    IllegalStateException e = assertThrows(IllegalStateException.class, lock::verify);
    assertTrue(e.getMessage().contains("lost the lock") && e.getMessage().contains("run other"), e.getMessage());
    lock.close();
    assertTrue(Files.readString(dir.resolve(RunStore.LOCK)).contains("\"other\""));
  }

  @Test
  void theHeartbeatRefreshesTheLock() throws Exception {
    try (RunLock lock = store().lock("beating", Duration.ofMillis(400))) {
      Instant first = heartbeat();
      // a beat every 100 ms; waited for up to 5 s, as a loaded machine may run the heartbeat thread late
      Instant later = first;
      for (int i = 0; i < 100 && !later.isAfter(first); i++) {
        Thread.sleep(50);
        later = heartbeat();
      }
      assertTrue(later.isAfter(first), "the heartbeat refreshed the lock");
      lock.verify();
    }
  }

  private Instant heartbeat() throws IOException, InterruptedException {
    // the heartbeat thread rewrites the file in place: a read may land between truncate and write
    String json = Files.readString(dir.resolve(RunStore.LOCK));
    for (int i = 0; i < 50 && !json.contains("\"heartbeat\""); i++) {
      Thread.sleep(10);
      json = Files.readString(dir.resolve(RunStore.LOCK));
    }
    return Instant.parse(json.replaceAll(".*\"heartbeat\":\"([^\"]+)\".*\\s*", "$1"));
  }

  /** Writes a lock as another run would; drops the local checksum file Hadoop keeps for the previous content. */
  private void writeLock(String runId, String host, long pid, Instant heartbeat) throws IOException {
    Files.deleteIfExists(dir.resolve("." + RunStore.LOCK + ".crc"));
    Files.writeString(dir.resolve(RunStore.LOCK), "{\"run_id\":\"" + runId + "\",\"host\":\"" + host
        + "\",\"pid\":" + pid + ",\"heartbeat\":\"" + heartbeat + "\"}");
  }
}
