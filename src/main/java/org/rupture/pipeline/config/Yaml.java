package org.rupture.pipeline.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads YAML files into Jackson trees (Spark ships jackson-dataformat-yaml) and merges profiles. */
public final class Yaml {
  private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());

  private Yaml() {}

  public static JsonNode read(Path file) {
    try {
      JsonNode n = MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
      return n == null || n.isMissingNode() ? MAPPER.createObjectNode() : n;
    } catch (NoSuchFileException e) {
      throw new ConfigException(file.toString(), null, "file not found");
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr() + ")";
      throw new ConfigException(file.toString(), null, "not valid YAML" + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException(file.toString(), null, "cannot be read: " + e.getMessage());
    }
  }

  /**
   * Overlays {@code override} on {@code base}: maps merge key by key (recursively), lists and
   * scalars replace. Neither argument is modified.
   */
  public static JsonNode merge(JsonNode base, JsonNode override) {
    if (base == null || !base.isObject() || override == null || !override.isObject()) {
      return override == null ? base : override.deepCopy();
    }
    ObjectNode out = ((ObjectNode) base).deepCopy();
    override.fields().forEachRemaining(e -> {
      JsonNode existing = out.get(e.getKey());
      out.set(e.getKey(), merge(existing, e.getValue()));
    });
    return out;
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }
}
