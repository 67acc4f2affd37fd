package org.rupture.pipeline.cli;

import java.io.PrintStream;
import java.util.List;

/** Placeholder until the meta-analysis command lands. */
public final class MetaCommand {
  private MetaCommand() {}

  public static int run(List<String> args, PrintStream out, PrintStream err) {
    err.println("meta: not available yet");
    return 1;
  }
}
