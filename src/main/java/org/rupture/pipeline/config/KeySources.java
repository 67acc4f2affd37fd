package org.rupture.pipeline.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which file each key of a site mapping comes from: the mapping itself or a profile it extends. The
 * merged tree is validated and used as one, but a mistake must be reported in the file that holds the
 * key: a key a mapping inherits from a shared profile is not in the mapping's file, so naming that file
 * leaves the user searching for a key that is not there. This holds for the loader's own checks and for
 * the later ones against the landed files (file patterns, header columns).
 *
 * <p>Keys are recorded by key path as {@link ConfigNode} names them ({@code sessions.columns.patient}), in
 * merge order, so that a later file's key replaces an earlier one's as {@link Yaml#merge} does. List
 * elements are not recorded: a list replaces an earlier file's list whole, so its elements
 * ({@code patients.outcomes[0].baseline}) come from the file of the list.
 */
public final class KeySources implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String mapping;
  private final Map<String, String> fileOfPath = new HashMap<>();
  /** Per profile: the files that extend it, from the mapping down to the one naming it. */
  private final Map<String, List<String>> extendedBy = new HashMap<>();

  KeySources(String mapping) {
    this.mapping = mapping;
  }

  /** Sources of a mapping that extends no profile: every key is the mapping's. */
  public static KeySources of(String mapping) {
    return new KeySources(mapping);
  }

  /** Records every key of {@code node} (the content of {@code file}, extended by {@code chain}). */
  void record(String file, List<String> chain, JsonNode node) {
    if (!chain.isEmpty()) {
      extendedBy.put(file, List.copyOf(chain));
    }
    record(file, "", node);
  }

  private void record(String file, String path, JsonNode node) {
    if (!node.isObject()) {
      // a list, value or null replaces the whole section of an earlier file: its keys are gone
      fileOfPath.keySet().removeIf(k -> k.startsWith(path + ".") || k.startsWith(path + "["));
    }
    fileOfPath.put(path, file);
    node.fields().forEachRemaining(e -> record(file, path.isEmpty() ? e.getKey() : path + "." + e.getKey(),
        e.getValue()));
  }

  /** The mapping file these keys belong to. */
  public String mapping() {
    return mapping;
  }

  /**
   * The file holding {@code keyPath}; for a key that is not there (a missing one, or a default), the file
   * of the nearest section that is: a section both files set is the mapping's (merged: its keys win).
   */
  public String fileOf(String keyPath) {
    String p = keyPath == null ? "" : keyPath;
    while (!p.isEmpty() && !fileOfPath.containsKey(p)) {
      int cut = p.endsWith("]") ? p.lastIndexOf('[') : p.lastIndexOf('.');
      p = cut < 0 ? "" : p.substring(0, cut);
    }
    return fileOfPath.getOrDefault(p, mapping);
  }

  /** Whether the mapping or one of its profiles sets {@code keyPath} itself (not a default). */
  public boolean sets(String keyPath) {
    return fileOfPath.containsKey(keyPath);
  }

  /** Whether {@code keyPath} comes from a profile rather than the mapping itself. */
  public boolean inProfile(String keyPath) {
    return !fileOf(keyPath).equals(mapping);
  }

  /**
   * The file holding {@code keyPath} for a message that starts with it: the mapping's file, or
   * "profiles/p.yaml (profile of sites/alpha.yaml)", with the profiles in between when a profile
   * extends another ("... (profile of sites/alpha.yaml through profiles/mid.yaml)").
   */
  public String where(String keyPath) {
    String file = fileOf(keyPath);
    List<String> chain = extendedBy.get(file);
    return chain == null ? file : file + " (profile of " + chain.get(0) + through(chain) + ")";
  }

  /**
   * Where {@code keyPath} is set, for a message about a key of another file: "" when it is in
   * {@code otherFile}, else " (set in profiles/p.yaml, a profile that sites/alpha.yaml extends)".
   */
  public String setIn(String keyPath, String otherFile) {
    String file = fileOf(keyPath);
    if (file.equals(otherFile)) {
      return "";
    }
    return " (set in " + file + profileNote(file, ", ") + ")";
  }

  /**
   * The fix for a key a profile sets, besides fixing the profile: a profile is shared, so changing it
   * changes every mapping that extends it. "" for the mapping's own keys; join with {@link #withHint}. A mapping overrides a map key by key, but a list whole,
   * so for a key inside a list ({@code patients.outcomes[0].baseline}) the key to set is the list.
   */
  public String overrideHint(String keyPath) {
    if (!inProfile(keyPath)) {
      return "";
    }
    int list = keyPath.indexOf('[');
    String key = list < 0 ? keyPath : keyPath.substring(0, list);
    return "to change it for this mapping only, set " + key + (list < 0 ? "" : " (the whole list)") + " in "
        + mapping + ", which overrides the profile";
  }

  /** {@code message} followed by the sentence or clause {@code hint} ("" for none). */
  public static String withHint(String message, String hint) {
    if (hint.isEmpty()) {
      return message;
    }
    return message.endsWith("?") || message.endsWith(".")
        ? message + " " + Character.toUpperCase(hint.charAt(0)) + hint.substring(1)
        : message + "; " + hint;
  }

  /** A configuration error at {@code keyPath}, in the file that holds it. */
  public ConfigException error(String keyPath, String problem) {
    String file = fileOf(keyPath);
    String note = profileNote(file, " (in ");
    return new ConfigException(file, keyPath, problem + (note.isEmpty() ? "" : note + ")"));
  }

  /** "{lead}a profile that M extends[ through P]" for a profile, "" for the mapping. */
  private String profileNote(String file, String lead) {
    List<String> chain = extendedBy.get(file);
    return chain == null ? "" : lead + "a profile that " + chain.get(0) + " extends" + through(chain);
  }

  private static String through(List<String> chain) {
    return chain.size() == 1 ? "" : " through " + String.join(" and ", chain.subList(1, chain.size()));
  }
}
