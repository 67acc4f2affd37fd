package org.rupture.pipeline.curated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Two actions side by side: both results, both ended before it returns or throws, failures as thrown. */
class SideBySideTest {
  @Test
  void runsBothAtOnceAndGivesBothResults() {
    CountDownLatch bothStarted = new CountDownLatch(2);
    SideBySide.Results<String, Integer> r = SideBySide.run("test", () -> {
      bothStarted.countDown();
      await(bothStarted); // returns only when the other action runs at the same time
      return "here";
    }, () -> {
      bothStarted.countDown();
      await(bothStarted);
      return 42;
    });
    assertEquals("here", r.here());
    assertEquals(42, r.background());
  }

  @Test
  void aFailureHereIsThrownOnlyOnceTheBackgroundActionHasEnded() {
    AtomicBoolean backgroundEnded = new AtomicBoolean();
    IllegalArgumentException failure = new IllegalArgumentException("here failed");
    IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> SideBySide.run("test",
        () -> {
          throw failure;
        }, () -> {
          sleep(200);
          backgroundEnded.set(true);
          return null;
        }));
    assertSame(failure, thrown);
    assertTrue(backgroundEnded.get());
  }

  @Test
  void aFailureInTheBackgroundIsThrownAsThrown() {
    IllegalStateException failure = new IllegalStateException("background failed");
    IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> SideBySide.run("test",
        () -> "here", () -> {
          throw failure;
        }));
    assertSame(failure, thrown);
  }

  @Test
  void whenBothFailTheOthersFailureIsSuppressedInThisOne() {
    IllegalStateException here = new IllegalStateException("here");
    IllegalStateException background = new IllegalStateException("background");
    IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> SideBySide.run("test",
        () -> {
          sleep(100);
          throw here;
        }, () -> {
          throw background;
        }));
    assertSame(here, thrown);
    assertEquals(1, thrown.getSuppressed().length);
    assertSame(background, thrown.getSuppressed()[0]);
  }

  @Test
  void aCheckedFailureIsThrownWrappedWithItsMessageAndAnErrorAsItIs() {
    java.io.IOException checked = new java.io.IOException("disk full");
    RuntimeException wrapped = SideBySide.asThrown(checked);
    assertEquals("disk full", wrapped.getMessage());
    assertSame(checked, wrapped.getCause());
    IllegalStateException unchecked = new IllegalStateException("as is");
    assertSame(unchecked, SideBySide.asThrown(unchecked));
    OutOfMemoryError error = new OutOfMemoryError("heap");
    assertSame(error, assertThrows(OutOfMemoryError.class, () -> SideBySide.asThrown(error)));
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(10, TimeUnit.SECONDS), "the other action did not run at the same time");
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
