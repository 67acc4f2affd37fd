package org.rupture.pipeline.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.rupture.pipeline.config.ConfigException;

/**
 * One mapping of the configuration with its file and key path, read with typed accessors that turn every
 * mistake into a {@link ConfigException} naming the file, the full key and what is expected.
 */
public final class ConfigSection {
  private final JsonNode node;
  private final String file;
  private final String path;

  ConfigSection(JsonNode node, String file, String path) {
    this.node = node;
    this.file = file;
    this.path = path;
  }

  /** The configuration file this section was read from (for messages). */
  public String file() {
    return file;
  }

  /** The full dotted key of {@code key} inside this section. */
  public String keyPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** A configuration error at {@code key} of this section. */
  public ConfigException error(String key, String problem) {
    return new ConfigException(file, keyPath(key), problem);
  }

  boolean has(String key) {
    return node.hasNonNull(key);
  }

  boolean isText(String key) {
    return has(key) && node.get(key).isTextual();
  }

  /** Rejects keys outside {@code allowed}, listing the allowed ones (typos must not be ignored). */
  void allowOnly(Set<String> allowed) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw error(name, "unknown key; allowed keys here: " + String.join(", ", new TreeSet<>(allowed)));
      }
    }
  }

  int integer(String key, int defaultValue, int minimum) {
    if (!has(key)) {
      return defaultValue;
    }
    JsonNode value = node.get(key);
    if (!value.canConvertToInt() || !value.isIntegralNumber()) {
      throw error(key, "expected a whole number, found '" + value.asText() + "'");
    }
    if (value.intValue() < minimum) {
      throw error(key, "must be at least " + minimum + ", found " + value.intValue());
    }
    return value.intValue();
  }

  double number(String key, double defaultValue) {
    return has(key) ? number(node.get(key), key) : defaultValue;
  }

  private double number(JsonNode value, String key) {
    if (!value.isNumber()) {
      throw error(key, "expected a number, found '" + value.asText() + "'");
    }
    return value.doubleValue();
  }

  boolean bool(String key, boolean defaultValue) {
    if (!has(key)) {
      return defaultValue;
    }
    JsonNode value = node.get(key);
    if (!value.isBoolean()) {
      throw error(key, "expected true or false, found '" + value.asText() + "'");
    }
    return value.booleanValue();
  }

  String string(String key, String defaultValue) {
    if (!has(key)) {
      return defaultValue;
    }
    JsonNode value = node.get(key);
    if (!value.isValueNode() || value.asText().isBlank()) {
      throw error(key, "expected a non-empty text value");
    }
    return value.asText().trim();
  }

  String requiredString(String key) {
    String value = string(key, null);
    if (value == null) {
      throw error(key, "is required");
    }
    return value;
  }

  List<String> strings(String key, List<String> defaultValue) {
    if (!has(key)) {
      return defaultValue;
    }
    JsonNode value = node.get(key);
    if (!value.isArray()) {
      throw error(key, "expected a list such as [a, b]");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < value.size(); i++) {
      JsonNode item = value.get(i);
      if (!item.isValueNode() || item.asText().isBlank()) {
        throw error(key + "[" + i + "]", "expected a non-empty text value");
      }
      out.add(item.asText().trim());
    }
    return List.copyOf(out);
  }

  /** A pair of numbers [lower, upper] with lower <= upper. */
  double[] interval(String key) {
    JsonNode value = node.get(key);
    if (value == null || !value.isArray() || value.size() != 2) {
      throw error(key, "expected a confidence interval [lower, upper]");
    }
    double lower = number(value.get(0), key + "[0]");
    double upper = number(value.get(1), key + "[1]");
    if (lower > upper) {
      throw error(key, "lower bound " + lower + " is above upper bound " + upper);
    }
    return new double[] {lower, upper};
  }

  /** The nested mapping at {@code key}, or an empty one when absent. */
  ConfigSection section(String key) {
    if (!has(key)) {
      return new ConfigSection(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(),
          file, keyPath(key));
    }
    JsonNode value = node.get(key);
    if (!value.isObject()) {
      throw error(key, "expected a mapping of keys to values");
    }
    return new ConfigSection(value, file, keyPath(key));
  }

  /** The list of mappings at {@code key} ({@code null} when absent). */
  List<ConfigSection> sections(String key) {
    if (!has(key)) {
      return null;
    }
    JsonNode value = node.get(key);
    if (!value.isArray()) {
      throw error(key, "expected a list of mappings");
    }
    List<ConfigSection> out = new ArrayList<>();
    for (int i = 0; i < value.size(); i++) {
      String itemPath = keyPath(key) + "[" + i + "]";
      if (!value.get(i).isObject()) {
        throw new ConfigException(file, itemPath, "expected a mapping of keys to values");
      }
      out.add(new ConfigSection(value.get(i), file, itemPath));
    }
    return out;
  }
}
