package org.rupture.pipeline.curated;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Two independent Spark actions run side by side: one on the calling thread, the other on a thread of its
 * own, both submitting jobs to the same executors. Spark schedules their tasks first come, first served,
 * so the second action's tasks take the cores the first one leaves idle: while the last tasks of a stage
 * run on fewer cores than there are, while the driver plans a query or fits models between jobs, and
 * during jobs of fewer tasks than cores. (Measured in docs/performance.md.)
 *
 * <p>Both actions have finished when {@link #run} returns or throws: a failure of either is thrown only
 * after the other has ended too (with the other's failure, if any, suppressed in it), so that no action
 * still submits work while the caller cleans up. (A failed Spark job's killed tasks end some time after
 * the failure is thrown; a failed run waits for them with {@link RunningTasks} before it removes its
 * folder.) Neither action may change the session's settings ({@link CuratedTables#withSetting}): those
 * are shared by both threads.
 */
public final class SideBySide {
  private SideBySide() {}

  /** What the two actions returned. */
  public record Results<A, B>(A here, B background) {}

  /**
   * Runs {@code background} on a new thread named {@code name} and {@code here} on this one, and waits for
   * both.
   */
  public static <A, B> Results<A, B> run(String name, Supplier<A> here, Supplier<B> background) {
    CompletableFuture<B> other = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        other.complete(background.get());
      } catch (Throwable e) {
        other.completeExceptionally(e);
      }
    }, "rupture-" + name);
    thread.setDaemon(true);
    thread.start();
    A mine;
    try {
      mine = here.get();
    } catch (RuntimeException | Error e) {
      try {
        other.join();
      } catch (CompletionException otherFailure) {
        e.addSuppressed(otherFailure.getCause());
      }
      throw e;
    }
    try {
      return new Results<>(mine, other.join());
    } catch (CompletionException e) {
      throw asThrown(e.getCause());
    }
  }

  /**
   * The failure of an action that ran on another thread, to throw on this one as the action threw it:
   * an unchecked exception as it is, an error thrown here, a checked exception wrapped with its message.
   */
  public static RuntimeException asThrown(Throwable failure) {
    if (failure instanceof RuntimeException r) {
      return r;
    }
    if (failure instanceof Error err) {
      throw err;
    }
    return new IllegalStateException(failure.getMessage(), failure);
  }
}
