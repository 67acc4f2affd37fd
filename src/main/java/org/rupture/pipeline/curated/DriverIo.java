package org.rupture.pipeline.curated;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the driver's file-system calls per site folder or per file (listing a site's deliveries, reading a file's
 * header, moving a written file into place) on a few threads. On a local disk such a call costs about a millisecond; on HDFS or an object store it
 * is a round trip of 10-50 ms, and with thousands of sites the calls one after the other would keep a cluster
 * idle for minutes before the first task (2,000 sites: 4,000 listings and 4,000 header reads). The results keep
 * the order of the inputs, and a failure is that of the first input that failed, as one after the other.
 */
public final class DriverIo {
  /** Threads per call: enough to overlap the round trips of a remote file system, few enough to be harmless. */
  public static final int THREADS = 8;

  private static final AtomicInteger POOLS = new AtomicInteger();

  /** A file-system call on one input. */
  @FunctionalInterface
  public interface IoFunction<T, R> {
    R apply(T input) throws IOException;
  }

  private DriverIo() {}

  /**
   * {@code call} applied to every input, the results in the inputs' order.
   *
   * @throws IOException or the unchecked exception {@code call} threw on the first input (in order) it failed on
   */
  public static <T, R> List<R> map(List<T> inputs, IoFunction<T, R> call) throws IOException {
    List<R> results = new ArrayList<>(inputs.size());
    if (inputs.size() <= 1) {
      for (T input : inputs) {
        results.add(call.apply(input));
      }
      return results;
    }
    String name = "rupture-driver-io-" + POOLS.incrementAndGet() + "-";
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(THREADS, inputs.size()), r -> {
      Thread t = new Thread(r, name + threads.incrementAndGet());
      t.setDaemon(true);   // never the reason a failed driver does not exit
      return t;
    });
    try {
      List<Future<R>> pending = new ArrayList<>(inputs.size());
      for (T input : inputs) {
        pending.add(pool.submit(() -> call.apply(input)));
      }
      for (Future<R> result : pending) {
        results.add(result.get());
      }
      return results;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IOException(cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading the landing folder");
    } finally {
      pool.shutdownNow();
    }
  }
}
