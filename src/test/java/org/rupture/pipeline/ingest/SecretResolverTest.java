package org.rupture.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rupture.pipeline.config.ConfigException;
import org.rupture.pipeline.config.PipelineConfig;
import org.rupture.pipeline.config.PipelineConfigLoader;

/** Where the HMAC secret comes from, and the mistakes that are reported instead of falling back. */
class SecretResolverTest {
  @TempDir Path dir;

  /** A config over the committed sample (it holds the DEMO_DATA marker) with the demo secret allowed. */
  private PipelineConfig sample(String privacyExtra) throws IOException {
    Path conf = dir.resolve("pipeline.yaml");
    Files.writeString(conf, "input: sample/landing\nsites: " + Path.of("conf/sites").toAbsolutePath()
        + "\nprivacy: {secret_env: SECRET, allow_demo_secret: true" + privacyExtra + "}\n");
    return PipelineConfigLoader.load(conf.toString(), PipelineConfigLoader.Overrides.none());
  }

  private static SecretResolver.Secret resolve(PipelineConfig config, Map<String, String> env) {
    return SecretResolver.resolve(config, new Configuration(), env::get);
  }

  @Test
  void aVariableSetButEmptyIsAnErrorAlsoWhereTheDemoSecretWouldBeAllowed() throws IOException {
    PipelineConfig config = sample("");
    assertTrue(resolve(config, Map.of()).demo(), "unset: the sample may use the demo secret");
    for (String empty : new String[] {"", "  "}) {
      ConfigException e = assertThrows(ConfigException.class, () -> resolve(config, Map.of("SECRET", empty)));
      assertTrue(e.getMessage().contains("at 'privacy': SECRET is set but empty; set it to the secret"), e.getMessage());
      assertFalse(e.getMessage().contains("DEMO_DATA"), e.getMessage());
    }
    assertFalse(resolve(config, Map.of("SECRET", "0123456789abcdef0123")).demo());
  }

  @Test
  void aVariableSetButEmptyDoesNotFallBackToTheKeyFile() throws IOException {
    Path key = Files.writeString(dir.resolve("hmac.key"), "0123456789abcdef0123\n");
    PipelineConfig config = sample(", key_file: " + key);
    ConfigException e = assertThrows(ConfigException.class, () -> resolve(config, Map.of("SECRET", "")));
    assertTrue(e.getMessage().contains("SECRET is set but empty"), e.getMessage());
    assertTrue(e.getMessage().contains("privacy.key_file " + key), e.getMessage());
    assertEquals("0123456789abcdef0123", new String(resolve(config, Map.of()).bytes()));
  }

  @Test
  void anEmptyKeyFileSaysItIsEmpty() throws IOException {
    Path key = Files.writeString(dir.resolve("hmac.key"), "\n");
    PipelineConfig config = sample(", key_file: " + key);
    ConfigException e = assertThrows(ConfigException.class, () -> resolve(config, Map.of()));
    assertTrue(e.getMessage().contains("at 'privacy.key_file': the key file " + key + " is empty"), e.getMessage());
  }
}
