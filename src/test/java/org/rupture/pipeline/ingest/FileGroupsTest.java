package org.rupture.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FileGroupsTest {
  private static SourceFile file(int i, long bytes) {
    return new SourceFile("/l/s" + i + "/d/sessions.csv", "s" + i, "d", SourceFile.Kind.SESSIONS, "m", bytes, 0);
  }

  private static long bytes(List<SourceFile> g) {
    return g.stream().mapToLong(SourceFile::bytes).sum();
  }

  @Test
  void thousandsOfSmallFilesBecomeAFewTasksOfAboutTheTargetSize() {
    List<SourceFile> files = IntStream.range(0, 2000).mapToObj(i -> file(i, 250_000)).toList();
    List<List<SourceFile>> groups = FileGroups.pack(files, 8, 32L << 20);
    assertEquals(16, groups.size());   // 500 MB / 32 MiB = 15 groups, rounded up to whole rounds of 8
    assertEquals(2000, groups.stream().mapToInt(List::size).sum());
    long min = groups.stream().mapToLong(FileGroupsTest::bytes).min().orElseThrow();
    long max = groups.stream().mapToLong(FileGroupsTest::bytes).max().orElseThrow();
    assertTrue(max - min <= 250_000, "balanced to within one file: " + min + ".." + max);
  }

  /** Two deliveries a site: each site's files land in one group, together, and the groups stay balanced. */
  @Test
  void packingBySiteKeepsEverySitesFilesTogether() {
    List<SourceFile> files = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      files.add(new SourceFile("/l/s" + i + "/d1/sessions.csv", "s" + i, "d1", SourceFile.Kind.SESSIONS, "m", 100_000, 0));
      files.add(new SourceFile("/l/s" + i + "/d2/sessions.csv", "s" + i, "d2", SourceFile.Kind.SESSIONS, "m", 50_000, 0));
    }
    List<List<SourceFile>> groups = FileGroups.packBySite(files, 8, 32L << 20, 0);
    assertEquals(8, groups.size());
    assertEquals(80, groups.stream().mapToInt(List::size).sum());
    for (List<SourceFile> g : groups) {
      assertEquals(750_000, bytes(g), "5 sites of 150 kB each");
      for (int i = 0; i < g.size(); i += 2) {
        // a site's two deliveries next to each other, in the order they were given
        assertEquals(g.get(i).site(), g.get(i + 1).site());
        assertEquals("d1", g.get(i).delivery());
        assertEquals("d2", g.get(i + 1).delivery());
      }
      assertEquals(5, g.stream().map(SourceFile::site).distinct().count());
    }
  }

  /**
   * The first task on each core holds the smallest site alone, so that it ends soon (the JIT then sees a
   * partition end before it compiles the rules' code); the other sites are packed as before. Fewer than four
   * sites per core: no such groups.
   */
  @Test
  void theSmallestSitesComeFirstOneAGroupAndTheOthersArePackedAsBefore() {
    List<SourceFile> files = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      files.add(file(i, i == 7 ? 9_000 : i == 23 ? 8_000 : i == 31 ? 9_000 : 100_000 + i));
    }
    List<List<SourceFile>> groups = FileGroups.packBySite(files, 8, 32L << 20, 2);
    assertEquals(List.of(file(23, 8_000)), groups.get(0));
    assertEquals(List.of(file(31, 9_000)), groups.get(1));   // of two alike, the first site by name: s31, not s7
    List<SourceFile> rest = new ArrayList<>(files);
    rest.removeAll(List.of(file(23, 8_000), file(31, 9_000)));
    assertEquals(FileGroups.packBySite(rest, 8, 32L << 20, 0), groups.subList(2, groups.size()));
    assertEquals(40, groups.stream().mapToInt(List::size).sum());
    assertEquals(FileGroups.packBySite(files.subList(0, 7), 8, 32L << 20, 0),
        FileGroups.packBySite(files.subList(0, 7), 8, 32L << 20, 2));
  }

  @Test
  void smallInputsStillGetOneGroupPerCoreAndFewFilesOneGroupEach() {
    List<SourceFile> files = IntStream.range(0, 32).mapToObj(i -> file(i, 1000 + i)).toList();
    assertEquals(8, FileGroups.pack(files, 8, 32L << 20).size());
    assertEquals(3, FileGroups.pack(files.subList(0, 3), 8, 32L << 20).size());
    assertEquals(List.of(), FileGroups.pack(List.of(), 8, 32L << 20));
  }

  @Test
  void largestFilesArePlacedFirstSoOneBigFileDoesNotShareItsTask() {
    List<SourceFile> files = new ArrayList<>(List.of(file(0, 100), file(1, 100), file(2, 1000), file(3, 100)));
    List<List<SourceFile>> groups = FileGroups.pack(files, 2, 1L << 30);
    assertEquals(List.of(file(2, 1000)), groups.get(0));
    assertEquals(3, groups.get(1).size());
  }

  @Test
  void concatOpensEachFileOnlyWhenTheOneBeforeIsExhausted() {
    List<SourceFile> files = List.of(file(0, 1), file(1, 1), file(2, 1));
    List<String> opened = new ArrayList<>();
    Iterator<String> it = FileGroups.concat(files, f -> {
      opened.add(f.site());
      return f.site().equals("s1") ? List.<String>of().iterator() : List.of(f.site() + "a", f.site() + "b").iterator();
    });
    assertEquals("s0a", it.next());
    assertEquals(List.of("s0"), opened);
    assertEquals("s0b", it.next());
    assertEquals("s2a", it.next());   // s1 holds nothing
    assertEquals("s2b", it.next());
    assertFalse(it.hasNext());
    assertEquals(List.of("s0", "s1", "s2"), opened);
  }
}
