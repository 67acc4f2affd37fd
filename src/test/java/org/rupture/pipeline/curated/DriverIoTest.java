package org.rupture.pipeline.curated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DriverIoTest {
  @Test
  void resultsKeepTheInputsOrderWhateverOrderTheCallsEndIn() throws IOException {
    List<Integer> inputs = IntStream.range(0, 40).boxed().toList();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    List<String> results = DriverIo.map(inputs, i -> {
      threads.add(Thread.currentThread().getName());
      sleep((40 - i) % 7);   // later inputs often end first
      return "file-" + i;
    });
    assertEquals(inputs.stream().map(i -> "file-" + i).toList(), results);
    assertTrue(threads.size() > 1 && threads.size() <= DriverIo.THREADS, "threads used: " + threads);
    assertTrue(threads.stream().allMatch(t -> t.startsWith("rupture-driver-io-")), "threads used: " + threads);
  }

  @Test
  void theFailureOfTheFirstFailingInputIsThrownAsItWasThrown() {
    // input 3 fails after input 30 has failed: one after the other, input 3's failure would have been thrown
    IOException thrown = assertThrows(FileNotFoundException.class, () -> DriverIo.map(
        IntStream.range(0, 40).boxed().toList(), i -> {
          if (i == 3) {
            sleep(50);
            throw new FileNotFoundException("site-003 is gone");
          }
          if (i == 30) {
            throw new IOException("site-030 timed out");
          }
          return i;
        }));
    assertEquals("site-003 is gone", thrown.getMessage());

    IllegalStateException unchecked = assertThrows(IllegalStateException.class, () -> DriverIo.map(List.of(1, 2),
        i -> {
          throw new IllegalStateException("mapping claims " + i + " twice");
        }));
    assertEquals("mapping claims 1 twice", unchecked.getMessage());
  }

  @Test
  void noInputsOrOneAreCalledOnTheCallersThread() throws IOException {
    assertEquals(List.of(), DriverIo.map(List.<Integer>of(), i -> i));
    assertEquals(List.of(Thread.currentThread().getName()),
        DriverIo.map(List.of(1), i -> Thread.currentThread().getName()));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
