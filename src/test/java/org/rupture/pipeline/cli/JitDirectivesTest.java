package org.rupture.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * scripts/rupture starts the JVM with scripts/lib/jit-directives.json. HotSpot skips a file it cannot
 * parse and says so only on its own output, which the launcher silences; so its parse is checked here,
 * with this JVM and the launcher's flags minus the silencing one.
 */
class JitDirectivesTest {
  private static final Path DIRECTIVES = Path.of("scripts/lib/jit-directives.json");

  @Test
  void hotSpotTakesTheLaunchersCompilerDirectives() throws IOException, InterruptedException {
    assertTrue(Files.isRegularFile(DIRECTIVES), "missing " + DIRECTIVES.toAbsolutePath());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(List.of(java, "-XX:+UnlockDiagnosticVMOptions",
        "-XX:CompilerDirectivesFile=" + DIRECTIVES, "-version")).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.contains("1 compiler directives added"), "HotSpot did not take " + DIRECTIVES + ":\n" + out);
  }

  @Test
  void theLauncherPassesTheDirectivesAndSilencesHotSpotsNotice() throws IOException {
    String env = Files.readString(Path.of("scripts/lib/java-env.sh"));
    assertTrue(env.contains("-XX:CompilerDirectivesFile=\"$RUPTURE_HOME/" + DIRECTIVES + "\""), env);
    assertTrue(env.contains("-XX:-DisplayVMOutput"), "the notice would land on stdout, mixed into `meta` output");
  }
}
