package org.rupture.pipeline.ingest;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Column name to position for one file's header; names match exactly, else ignoring case and spaces. */
public final class HeaderIndex {
  private final List<String> names;
  private final Map<String, Integer> exact = new HashMap<>();
  private final Map<String, Integer> loose = new HashMap<>();

  public HeaderIndex(List<String> names) {
    this.names = names;
    for (int i = 0; i < names.size(); i++) {
      exact.putIfAbsent(names.get(i), i);
      loose.putIfAbsent(normalise(names.get(i)), i);
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

  public int size() {
    return names.size();
  }

  public List<String> names() {
    return names;
  }

  private static String normalise(String s) {
    return s.trim().toLowerCase();
  }
}
