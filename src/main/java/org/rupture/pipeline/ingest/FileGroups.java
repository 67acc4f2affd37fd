package org.rupture.pipeline.ingest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.function.Function;

/**
 * Landed files packed into Spark tasks of similar size. One task per file costs a task's overhead (and
 * a staged Parquet file) per file, which at thousands of small site files outweighs the parsing
 * itself; a few large groups leave cores idle. So: at least {@code minGroups} groups (when there are
 * that many files), otherwise groups of about {@code targetBytes}, filled largest file first onto the
 * lightest group.
 */
final class FileGroups {
  /** Bytes a parse task should read when the input is large. */
  static final long TARGET_BYTES = 32L << 20;

  private FileGroups() {}

  static List<List<SourceFile>> pack(List<SourceFile> files, int minGroups, long targetBytes) {
    if (files.isEmpty()) {
      return List.of();
    }
    long total = files.stream().mapToLong(f -> Math.max(1, f.bytes())).sum();
    int n = (int) Math.min(files.size(), Math.max(minGroups, (total + targetBytes - 1) / targetBytes));
    List<SourceFile> bySize = new ArrayList<>(files);
    bySize.sort(Comparator.comparingLong(SourceFile::bytes).reversed().thenComparing(SourceFile::relativePath));
    PriorityQueue<Group> lightest = new PriorityQueue<>(
        Comparator.comparingLong((Group g) -> g.bytes).thenComparingInt(g -> g.index));
    List<Group> groups = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Group g = new Group(i);
      groups.add(g);
      lightest.add(g);
    }
    for (SourceFile f : bySize) {
      Group g = lightest.poll();
      g.files.add(f);
      g.bytes += Math.max(1, f.bytes());
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
