package org.rupture.pipeline.job;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/** Times the stages of a run and prints one line per stage (name, rows, seconds) as each ends. */
public final class StageTimings {
  /** One finished stage. */
  public record Stage(String name, long rows, double seconds, String detail) {}

  private final PrintStream out;
  private final List<Stage> stages = new ArrayList<>();

  public StageTimings(PrintStream out) {
    this.out = out;
  }

  /** Runs a stage; {@code rows} extracts the row count to print from its result. */
  public <T> T time(String name, Supplier<T> stage, java.util.function.ToLongFunction<T> rows,
      java.util.function.Function<T, String> detail) {
    long start = System.nanoTime();
    T result = stage.get();
    double seconds = (System.nanoTime() - start) / 1e9;
    Stage s = new Stage(name, rows.applyAsLong(result), seconds, detail.apply(result));
    stages.add(s);
    out.println(String.format(Locale.ROOT, "%-10s %,12d rows %8.1f s  %s", name, s.rows(), seconds, s.detail()));
    return result;
  }

  public List<Stage> stages() {
    return List.copyOf(stages);
  }
}
