package org.rupture.pipeline.ingest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Landed files packed into Spark tasks of similar size. One task per file costs a task's overhead (and
 * a staged Parquet file) per file, which at thousands of small site files outweighs the parsing
 * itself; a few large groups leave cores idle. So: groups of about {@code targetBytes}, their number
 * a multiple of {@code minGroups} (at least that many when there are that many files), filled largest
 * first onto the lightest group.
 */
final class FileGroups {
  /** Bytes a parse task should read when the input is large. */
  static final long TARGET_BYTES = 32L << 20;

  private FileGroups() {}

  static List<List<SourceFile>> pack(List<SourceFile> files, int minGroups, long targetBytes) {
    return packUnits(files.stream().map(List::of).toList(), minGroups, targetBytes);
  }

  /**
   * The same with every site's files kept together in one group, one site after the other (the
   * landing scan's groups: each task then holds whole sites and reads them site by site, which is what
   * classifying records by key within a task, and writing one file per site and table, need).
   *
   * <p>The first {@code leadingSites} groups are the smallest sites, one each, when there are at least four
   * times as many sites; the others are packed as {@link #pack} does. Spark runs the groups in order, so the
   * first task on each core ends soon. Why: whole-stage generated code (the field rules) returns after every
   * row and leaves its loop only where a partition's rows end. HotSpot's optimising compiler compiles it some
   * 20,000 rows into the first task, leaves out the loop's exit, never taken so far, and when the first
   * partition ends the code goes back to the interpreter and is compiled a second time, slowing the next
   * tasks (docs/performance.md). A short first partition lets the exit be seen before that compile, when its
   * site is small enough (a site of a few thousand rows is; one of 40,000 session rows, read while the code is
   * still slow, ended just after it); the next tasks begin sooner either way.
   */
  static List<List<SourceFile>> packBySite(List<SourceFile> files, int minGroups, long targetBytes,
      int leadingSites) {
    Map<String, List<SourceFile>> bySite = new TreeMap<>();
    files.forEach(f -> bySite.computeIfAbsent(f.site(), k -> new ArrayList<>()).add(f));
    List<List<SourceFile>> sites = new ArrayList<>(bySite.values());
    List<List<SourceFile>> groups = new ArrayList<>();
    if (leadingSites > 0 && sites.size() >= 4 * leadingSites) {
      List<List<SourceFile>> smallest = sites.stream().sorted(Comparator.comparingLong(FileGroups::bytes)
          .thenComparing(u -> u.get(0).site())).limit(leadingSites).toList();
      groups.addAll(smallest);
      sites.removeAll(smallest);
    }
    groups.addAll(packUnits(sites, minGroups, targetBytes));
    return groups;
  }

  private static long bytes(List<SourceFile> unit) {
    return unit.stream().mapToLong(f -> Math.max(1, f.bytes())).sum();
  }

  private static List<List<SourceFile>> packUnits(List<List<SourceFile>> units, int minGroups, long targetBytes) {
    if (units.isEmpty()) {
      return List.of();
    }
    ToLongFunction<List<SourceFile>> size = FileGroups::bytes;
    long total = units.stream().mapToLong(size).sum();
    // a whole number of rounds of minGroups tasks (a multiple of the cores), so the last round is full
    int round = Math.max(1, minGroups);
    long wanted = (total + targetBytes - 1) / targetBytes;
    int n = (int) Math.min(units.size(), Math.max(1, (wanted + round - 1) / round) * round);
    List<List<SourceFile>> bySize = new ArrayList<>(units);
    bySize.sort(Comparator.comparingLong(size).reversed()
        .thenComparing(u -> u.get(0).relativePath()));
    PriorityQueue<Group> lightest = new PriorityQueue<>(
        Comparator.comparingLong((Group g) -> g.bytes).thenComparingInt(g -> g.index));
    List<Group> groups = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Group g = new Group(i);
      groups.add(g);
      lightest.add(g);
    }
    for (List<SourceFile> u : bySize) {
      Group g = lightest.poll();
      g.files.addAll(u);
      g.bytes += size.applyAsLong(u);
      lightest.add(g);
    }
    return groups.stream().map(g -> (List<SourceFile>) g.files).toList();
  }

  /** The records of several files, one after the other; each file is opened when the one before ends. */
  static <T> Iterator<T> concat(List<SourceFile> files, Function<SourceFile, Iterator<T>> open) {
    return new Iterator<>() {
      private int next;
      private Iterator<T> current = java.util.Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && next < files.size()) {
          current = open.apply(files.get(next++));
        }
        return current.hasNext();
      }

      @Override
      public T next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return current.next();
      }
    };
  }

  private static final class Group {
    final int index;
    final List<SourceFile> files = new ArrayList<>();
    long bytes;

    Group(int index) {
      this.index = index;
    }
  }
}
