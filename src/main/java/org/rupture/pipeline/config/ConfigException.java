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

  private ConfigException(String message, String key) {
    super(message);
    this.file = null;
    this.key = key;
  }

  /**
   * A mistake in the value of a command-line option that sets config key {@code key}: "{@code given}: problem",
   * {@code given} being the option as written ("--input landing"), in the style of the other option errors.
   */
  public static ConfigException ofOption(String given, String key, String problem) {
    return new ConfigException(given + ": " + problem, key);
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
