package org.rupture.pipeline.ingest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Column name to position for one file's header; names match exactly, else ignoring case and spaces. */
public final class HeaderIndex {
  private final List<String> names;
  private final Map<String, Integer> exact = new HashMap<>();
  private final Map<String, Integer> loose = new HashMap<>();
  private final Map<String, List<Integer>> all = new HashMap<>();

  public HeaderIndex(List<String> names) {
    this.names = names;
    for (int i = 0; i < names.size(); i++) {
      exact.putIfAbsent(names.get(i), i);
      loose.putIfAbsent(normalise(names.get(i)), i);
      all.computeIfAbsent(normalise(names.get(i)), n -> new ArrayList<>()).add(i);
    }
  }

  /** Position of a column, or -1. */
  public int indexOf(String column) {
    if (column == null) {
      return -1;
    }
    Integer i = exact.get(column);
    if (i == null) {
      i = loose.get(normalise(column));
    }
    return i == null ? -1 : i;
  }

  /**
   * Every position {@link #indexOf} could have meant, in header order: more than one means the header
   * repeats the column (also when the copies differ only in case), and {@code indexOf} chose the first.
   */
  public List<Integer> positionsOf(String column) {
    return column == null ? List.of() : all.getOrDefault(normalise(column), List.of());
  }

  public int size() {
    return names.size();
  }

  public List<String> names() {
    return names;
  }

  private static String normalise(String s) {
    return s.trim().toLowerCase(Locale.ROOT);
  }
}
