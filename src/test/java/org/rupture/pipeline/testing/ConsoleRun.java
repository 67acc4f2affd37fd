package org.rupture.pipeline.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One command run on in-memory streams, as a user would see it: its exit code, standard output and error. */
public record ConsoleRun(int code, String out, String err) {

  /** A command's entry point taking its arguments and the two streams, such as {@code Main::run}. */
  @FunctionalInterface
  public interface Command {
    int run(List<String> args, PrintStream out, PrintStream err);
  }

  /** Runs {@code command} with {@code args} and captures what it printed. */
  public static ConsoleRun of(Command command, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = command.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new ConsoleRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
