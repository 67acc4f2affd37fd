package org.rupture.pipeline.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A YAML node that knows its file and key path, so every accessor can fail with a
 * {@link ConfigException} naming the file, the key and the fix. Unknown keys are rejected with the
 * closest known key as a suggestion, because a misspelt optional key otherwise silently does nothing.
 */
public final class ConfigNode {
  /**
   * Makes the error for a key path. A site mapping's keys may come from the profiles it extends, which
   * are merged into one tree: the loader gives one that names the file holding the key.
   */
  @FunctionalInterface
  public interface Errors {
    ConfigException error(String keyPath, String problem);
  }

  private final JsonNode node;
  private final String file;
  private final String path;
  private final Errors errors;

  public ConfigNode(JsonNode node, String file, String path) {
    this(node, file, path, (keyPath, problem) -> new ConfigException(file, keyPath, problem));
  }

  /** A node whose errors {@code errors} makes (every key of the tree is reported through it). */
  public ConfigNode(JsonNode node, String file, String path, Errors errors) {
    this.node = node == null ? JsonNodeFactory.instance.objectNode() : node;
    this.file = file;
    this.path = path;
    this.errors = errors;
  }

  public String file() {
    return file;
  }

  public String path() {
    return path;
  }

  public JsonNode raw() {
    return node;
  }

  public String keyPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public ConfigException error(String key, String problem) {
    return errors.error(keyPath(key), problem);
  }

  public boolean has(String key) {
    return node.hasNonNull(key);
  }

  /** Rejects keys this section does not know, suggesting the nearest known one. */
  public ConfigNode allowOnly(Set<String> known) {
    if (!node.isObject()) {
      throw errors.error(path, "expected a map of keys, found " + kind(node));
    }
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        String hint = nearest(name, known);
        throw error(name, "unknown key" + (hint == null ? "" : "; did you mean '" + hint + "'?")
            + " (allowed: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
      }
    }
    return this;
  }

  public ConfigNode child(String key) {
    JsonNode c = node.get(key);
    if (c != null && !c.isNull() && !c.isObject()) {
      throw error(key, "expected a map of keys, found " + kind(c));
    }
    return new ConfigNode(c, file, keyPath(key), errors);
  }

  public String string(String key, String defaultValue) {
    JsonNode c = node.get(key);
    if (c == null || c.isNull()) {
      return defaultValue;
    }
    if (!c.isValueNode()) {
      throw error(key, "expected a single value, found " + kind(c));
    }
    return c.asText();
  }

  public String requiredString(String key, String what) {
    String v = string(key, null);
    if (v == null || v.isEmpty()) {
      throw error(key, "missing; " + what);
    }
    return v;
  }

  /** A single non-blank value, trimmed; {@code defaultValue} when absent. */
  public String text(String key, String defaultValue) {
    String v = string(key, null);
    if (v == null) {
      return defaultValue;
    }
    if (v.isBlank()) {
      throw error(key, "expected a non-empty text value");
    }
    return v.trim();
  }

  /** Like {@link #text} but required; {@code what} tells the user what to give. */
  public String requiredText(String key, String what) {
    String v = text(key, null);
    if (v == null) {
      throw error(key, "missing; " + what);
    }
    return v;
  }

  /** A whole number of at least {@code min}, with no upper limit. */
  public int integer(String key, int defaultValue, int min) {
    return integer(key, defaultValue, min, Integer.MAX_VALUE);
  }

  public int integer(String key, int defaultValue, int min, int max) {
    JsonNode c = node.get(key);
    if (c == null || c.isNull()) {
      return defaultValue;
    }
    if (!c.canConvertToInt() || !c.isIntegralNumber()) {
      throw error(key, "expected a whole number " + wholeRange(min, max) + ", found '" + c.asText() + "'");
    }
    int v = c.asInt();
    if (v < min || v > max) {
      throw error(key, "expected a whole number " + wholeRange(min, max) + ", found " + v);
    }
    return v;
  }

  /** Any number. */
  public double number(String key, double defaultValue) {
    return number(key, defaultValue, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
  }

  public double number(String key, double defaultValue, double min, double max) {
    JsonNode c = node.get(key);
    if (c == null || c.isNull()) {
      return defaultValue;
    }
    if (!c.isNumber()) {
      throw error(key, "expected a number" + numberRange(min, max) + ", found '" + c.asText() + "'");
    }
    double v = c.asDouble();
    if (v < min || v > max) {
      throw error(key, "expected a number" + numberRange(min, max) + ", found " + v);
    }
    return v;
  }

  public boolean bool(String key, boolean defaultValue) {
    JsonNode c = node.get(key);
    if (c == null || c.isNull()) {
      return defaultValue;
    }
    if (!c.isBoolean()) {
      throw error(key, "expected true or false, found '" + c.asText() + "'");
    }
    return c.asBoolean();
  }

  /**
   * A list of strings. A single value is rejected, not taken for a one-element list: the configuration
   * is strict, and the error says how to write the list ({@code measures: IIP} -> {@code [IIP]}).
   */
  public List<String> stringList(String key) {
    JsonNode c = node.get(key);
    List<String> out = new ArrayList<>();
    if (c == null || c.isNull()) {
      return out;
    }
    if (c.isValueNode()) {
      throw error(key, "expected a list, found " + kind(c) + "; write [" + c.asText() + "]");
    }
    if (!c.isArray()) {
      throw error(key, "expected a list of values, found " + kind(c));
    }
    for (JsonNode e : c) {
      if (!e.isValueNode()) {
        throw error(key, "expected a list of plain values, found a nested " + kind(e));
      }
      out.add(e.isNull() ? "" : e.asText());
    }
    return out;
  }

  /** Like {@link #stringList} but every value must be non-blank; values are trimmed. */
  public List<String> textList(String key) {
    List<String> values = stringList(key);
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i).isBlank()) {
        throw error(key + "[" + i + "]", "expected a non-empty text value");
      }
      values.set(i, values.get(i).trim());
    }
    return List.copyOf(values);
  }

  /** A map of string to string (e.g. code maps); keys keep their order. */
  public Map<String, String> stringMap(String key) {
    JsonNode c = node.get(key);
    Map<String, String> out = new LinkedHashMap<>();
    if (c == null || c.isNull()) {
      return out;
    }
    if (!c.isObject()) {
      throw error(key, "expected a map of code: value, found " + kind(c));
    }
    c.fields().forEachRemaining(e -> {
      if (!e.getValue().isValueNode()) {
        throw error(key + "." + e.getKey(), "expected a single value, found " + kind(e.getValue()));
      }
      out.put(e.getKey(), e.getValue().asText());
    });
    return out;
  }

  /** A map of name to list of strings, e.g. {@code yes: [1, y]}. */
  public Map<String, List<String>> stringListMap(String key) {
    ConfigNode c = child(key);
    Map<String, List<String>> out = new LinkedHashMap<>();
    c.node.fieldNames().forEachRemaining(name -> out.put(name, c.stringList(name)));
    return out;
  }

  /** A two-number range {@code [min, max]} with min < max. */
  public double[] range(String key, double[] defaultValue) {
    JsonNode c = node.get(key);
    if (c == null || c.isNull()) {
      return defaultValue;
    }
    if (!c.isArray() || c.size() != 2 || !c.get(0).isNumber() || !c.get(1).isNumber()) {
      throw error(key, "expected a range [min, max] of two numbers, found " + c);
    }
    double lo = c.get(0).asDouble();
    double hi = c.get(1).asDouble();
    if (!(lo < hi)) {
      throw error(key, "range [" + lo + ", " + hi + "] must have min < max");
    }
    return new double[] {lo, hi};
  }

  public List<ConfigNode> list(String key) {
    JsonNode c = node.get(key);
    List<ConfigNode> out = new ArrayList<>();
    if (c == null || c.isNull()) {
      return out;
    }
    if (!c.isArray()) {
      throw error(key, "expected a list, found " + kind(c));
    }
    for (int i = 0; i < c.size(); i++) {
      if (!c.get(i).isObject()) {
        throw error(key + "[" + i + "]", "expected a map of keys, found " + kind(c.get(i)));
      }
      out.add(new ConfigNode(c.get(i), file, keyPath(key) + "[" + i + "]", errors));
    }
    return out;
  }

  public Iterable<String> keys() {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  private static String wholeRange(int min, int max) {
    return max == Integer.MAX_VALUE ? "of at least " + min : "from " + min + " to " + max;
  }

  private static String numberRange(double min, double max) {
    return min == Double.NEGATIVE_INFINITY && max == Double.POSITIVE_INFINITY ? "" : " from " + min + " to " + max;
  }

  static String kind(JsonNode n) {
    if (n.isObject()) {
      return "a map";
    }
    if (n.isArray()) {
      return "a list";
    }
    return "'" + n.asText() + "'";
  }

  /** The known key within edit distance 3 of the given one, or null. */
  public static String nearest(String name, Iterable<String> known) {
    String best = null;
    int bestDistance = 4;
    for (String k : known) {
      int d = editDistance(name.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return best;
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
