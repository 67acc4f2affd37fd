package org.rupture.pipeline.ingest;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Pseudonymises identifiers as HMAC-SHA256(secret, site + ":" + raw id), hex (SPEC section 4).
 * Raw ids are hashed in the executor that parses the file, so they never become a column.
 */
public final class KeyHasher implements Serializable {
  private final byte[] secret;
  private transient Mac mac;

  public KeyHasher(byte[] secret) {
    if (secret == null || secret.length < 16) {
      throw new IllegalArgumentException("the HMAC secret must be at least 16 bytes");
    }
    this.secret = secret.clone();
  }

  /** The key for a raw id at a site, or null when the id is missing. */
  public String key(String site, String rawId) {
    if (rawId == null) {
      return null;
    }
    // ids repeat on every session row of a patient: FileParser keeps each file's keys by raw id
    String input = site + ":" + rawId;
    try {
      if (mac == null) {
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      }
      return HexFormat.of().formatHex(mac.doFinal(input.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "KeyHasher[secret hidden]";
  }
}
