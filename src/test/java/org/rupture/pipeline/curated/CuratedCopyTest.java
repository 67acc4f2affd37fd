package org.rupture.pipeline.curated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rupture.pipeline.testing.SparkTestBase;

/** A run's folders copied into another: every folder (also an empty one) and every file, byte for byte. */
class CuratedCopyTest extends SparkTestBase {
  @TempDir
  Path dir;

  @Test
  void copiesEveryFolderAndFileAsTheyAre() throws IOException {
    Path from = dir.resolve("published");
    // site folders as Spark names them (escaped characters), a table with one file, an empty folder, nesting
    write(from.resolve("curated/session_ratings/site=007/part-00000.parquet"), "seven");
    write(from.resolve("curated/session_ratings/site=a b/part-00001.parquet"), "a b");
    write(from.resolve("curated/session_ratings/site=50%2Fx%3Ay/part-00002.parquet"), "escaped");
    write(from.resolve("curated/session_ratings/_SUCCESS"), "");
    write(from.resolve("curated/patients/site=007/part-00000.parquet"), "patients");
    Files.createDirectories(from.resolve("restricted/quarantine"));
    for (int i = 0; i < 30; i++) {
      write(from.resolve("restricted/ingest_state/session_records/site=s" + i + "/part-0.parquet"), "state " + i);
    }
    Path to = dir.resolve("new-run");

    CuratedCopy.copy(spark(), List.of(from.resolve("curated/session_ratings").toString(),
        from.resolve("curated/patients").toString(), from.resolve("restricted").toString()),
        List.of(to.resolve("curated/session_ratings").toString(), to.resolve("curated/patients").toString(),
            to.resolve("restricted").toString()));

    TreeMap<String, byte[]> copied = tree(to);
    TreeMap<String, byte[]> published = tree(from);
    assertEquals(published.keySet(), copied.keySet());
    published.forEach((path, bytes) -> assertArrayEquals(bytes, copied.get(path), path));
    assertTrue(copied.containsKey("restricted/quarantine/"), "the empty folder is made too");
    assertEquals(35, copied.keySet().stream().filter(p -> !p.endsWith("/")).count(), "files copied");
  }

  @Test
  void aMissingSourceFolderIsAnErrorNamingIt() {
    String missing = dir.resolve("published/curated/outcomes").toString();
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> CuratedCopy.copy(spark(),
        List.of(missing), List.of(dir.resolve("new-run/curated/outcomes").toString())));
    assertTrue(e.getMessage().contains(missing), e.getMessage());
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /** Relative path (folders with a trailing /) -> bytes (none for folders). */
  private static TreeMap<String, byte[]> tree(Path root) throws IOException {
    TreeMap<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.filter(p -> !p.equals(root)).toList()) {
        String rel = root.relativize(p).toString();
        if (Files.isDirectory(p)) {
          out.put(rel + "/", new byte[0]);
        } else if (!p.getFileName().toString().endsWith(".crc")) {
          out.put(rel, Files.readAllBytes(p));
        }
      }
    }
    return out;
  }
}
