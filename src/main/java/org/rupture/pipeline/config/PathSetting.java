package org.rupture.pipeline.config;

/**
 * A setting of the pipeline config that names a place ({@code input}, {@code output}, {@code sites}; {@code run_id},
 * the run's folder under {@code runs/}) and where its value came
 * from: the config file's key, the command-line option that overrides it, or the built-in default (the config
 * file does not set the key). A mistake in the value is reported where it can be fixed, with the fix that fits:
 * "configuration error in conf/p.yaml at 'input': ...; set input to ... or pass --input DIR" for the config file's
 * value, "--input X: ...; pass --input DIR, ..." for the command line's.
 *
 * @param key the config key
 * @param value the value as given (a path or URI, not yet resolved; a run id), null for a default of none
 * @param origin where the value came from
 * @param configFile the config file, which sets the key or could
 * @param option the command-line option that overrides the key ({@code --input}), null if there is none
 */
public record PathSetting(String key, String value, Origin origin, String configFile, String option) {

  /** Where a setting's value came from. */
  public enum Origin { CONFIG_FILE, COMMAND_LINE, DEFAULT }

  /**
   * The setting {@code key} of {@code config}: {@code given} on the command line with {@code option} when not
   * null, else the config file's value, else {@code defaultValue}.
   */
  static PathSetting resolve(ConfigNode config, String key, String option, String given, String defaultValue) {
    if (given != null) {
      return new PathSetting(key, given, Origin.COMMAND_LINE, config.file(), option);
    }
    String value = config.string(key, null);
    return value != null ? new PathSetting(key, value, Origin.CONFIG_FILE, config.file(), option)
        : new PathSetting(key, defaultValue, Origin.DEFAULT, config.file(), option);
  }

  /**
   * The error for a value that cannot be used: {@code problem} (which names the value), then how to give
   * {@code wanted} instead ("an existing folder"; null: no fix, the problem says what to do).
   */
  public ConfigException error(String problem, String wanted) {
    if (origin == Origin.COMMAND_LINE) {
      return ConfigException.ofOption(option + " " + value, key,
          problem + (wanted == null ? "" : "; pass " + option + " DIR, " + wanted));
    }
    String unset = origin == Origin.DEFAULT ? "; the config does not set " + key + " (default '" + value + "')" : "";
    String fix = wanted == null ? "" : "; set " + key + " to " + wanted + (option == null ? "" : " or pass " + option
        + " DIR");
    return new ConfigException(configFile, key, problem + unset + fix);
  }
}
