package org.rupture.pipeline.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.rupture.pipeline.config.ConfigException;
import org.rupture.pipeline.config.PipelineConfig;

/**
 * Finds the HMAC secret: the environment variable named by {@code privacy.secret_env} (default
 * {@code RUPTURE_HMAC_SECRET}), else the file named by {@code privacy.key_file}, else, only when the
 * config allows it and the input folder carries a {@code DEMO_DATA} marker (the committed sample, a generated
 * cohort), a built-in demo secret. A variable that is set but empty, or an empty key file, is an error, not a
 * reason to look further. The secret never comes from the repository and is never logged.
 */
public final class SecretResolver {
  /** Marker file name that makes a landing folder eligible for the demo secret. */
  public static final String DEMO_MARKER = "DEMO_DATA";
  static final String DEMO_SECRET = "rupture-pipeline-demo-secret-not-private";

  /** The secret and whether it is the demo one (the caller prints a warning). */
  public record Secret(byte[] bytes, boolean demo) {}

  private SecretResolver() {}

  public static Secret resolve(PipelineConfig config, Configuration hadoopConf, Function<String, String> env) {
    PipelineConfig.Privacy p = config.privacy();
    String fromEnv = env.apply(p.secretEnv());
    if (fromEnv != null) {
      if (fromEnv.isBlank()) { // set but empty: a mistake, never a reason to fall back to the key file or demo secret
        throw new ConfigException(config.configFile(), "privacy", p.secretEnv() + " is set but empty; set it to the "
            + "secret (e.g. export " + p.secretEnv() + "=$(openssl rand -hex 32)) or unset it"
            + (p.keyFile() != null ? " to use privacy.key_file " + p.keyFile() : ""));
      }
      return checked(fromEnv.getBytes(StandardCharsets.UTF_8), "environment variable " + p.secretEnv(), config);
    }
    if (p.keyFile() != null) {
      Path f = Path.of(p.keyFile());
      try {
        String key = Files.readString(f, StandardCharsets.UTF_8).strip();
        if (key.isEmpty()) {
          throw new ConfigException(config.configFile(), "privacy.key_file", "the key file " + f + " is empty; write "
              + "the secret into it, e.g. `openssl rand -hex 32 > " + f + "`");
        }
        return checked(key.getBytes(StandardCharsets.UTF_8), "key file " + f, config);
      } catch (IOException e) {
        throw new ConfigException(config.configFile(), "privacy.key_file", "cannot read the key file " + f
            + " (" + e.getClass().getSimpleName() + "); create it with e.g. `openssl rand -hex 32 > " + f + "`");
      }
    }
    if (p.allowDemoSecret() && hasDemoMarker(config.input(), hadoopConf)) {
      return new Secret(DEMO_SECRET.getBytes(StandardCharsets.UTF_8), true);
    }
    throw new ConfigException(config.configFile(), "privacy",
        "no HMAC secret for pseudonymising ids: set the environment variable " + p.secretEnv()
            + " (e.g. export " + p.secretEnv() + "=$(openssl rand -hex 32)) or privacy.key_file"
            + (p.allowDemoSecret() ? "; the demo secret is only allowed for input folders holding a " + DEMO_MARKER + " marker" : ""));
  }

  private static Secret checked(byte[] bytes, String source, PipelineConfig config) {
    if (bytes.length < 16) {
      throw new ConfigException(config.configFile(), "privacy", "the secret from " + source
          + " is shorter than 16 bytes; use e.g. `openssl rand -hex 32`");
    }
    return new Secret(bytes, false);
  }

  private static boolean hasDemoMarker(String input, Configuration hadoopConf) {
    try {
      org.apache.hadoop.fs.Path marker = new org.apache.hadoop.fs.Path(input, DEMO_MARKER);
      FileSystem fs = marker.getFileSystem(hadoopConf);
      return fs.exists(marker);
    } catch (IOException e) {
      return false;
    }
  }
}
