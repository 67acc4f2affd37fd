package org.rupture.pipeline.generate;

import java.io.PrintStream;
import java.util.List;

/** Placeholder until the generator lands. */
public final class GenerateCommand {
  private GenerateCommand() {}

  public static int run(List<String> args, PrintStream out, PrintStream err) {
    err.println("generate: not available yet");
    return 1;
  }
}
