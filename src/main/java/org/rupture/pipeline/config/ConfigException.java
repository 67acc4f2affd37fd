package org.rupture.pipeline.config;

/**
 * A configuration mistake: names the file, the key and what to do about it. The CLI prints
 * {@link #getMessage()} (never a stack trace) and exits with code 2.
 */
public class ConfigException extends RuntimeException {
  private final String file;
  private final String key;

  public ConfigException(String file, String key, String problem) {
    super(format(file, key, problem));
    this.file = file;
    this.key = key;
  }

  public String file() {
    return file;
  }

  public String key() {
    return key;
  }

  private static String format(String file, String key, String problem) {
    StringBuilder sb = new StringBuilder("configuration error");
    if (file != null) {
      sb.append(" in ").append(file);
    }
    if (key != null && !key.isEmpty()) {
      sb.append(" at '").append(key).append('\'');
    }
    return sb.append(": ").append(problem).toString();
  }
}
