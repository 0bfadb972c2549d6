package io.portcullis.snapshot;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The bytes of static files, content-addressed: named by their SHA-256, so an unchanged file
 * keeps its blob from version to version and a delta carries only blobs that are new.
 *
 * @param digest lower-case hex SHA-256 of the decoded bytes
 * @param data the bytes, base64 (standard alphabet, padded)
 */
public record StaticBlob(String digest, String data) {
  public StaticBlob {
    if (digest == null || !StaticFile.DIGEST.matcher(digest).matches()) {
      throw new IllegalArgumentException("static blob digest must be a hex SHA-256: " + digest);
    }
    if (data == null) {
      throw new IllegalArgumentException("static blob " + digest + " has no data");
    }
  }

  /** The blob of {@code bytes}. */
  public static StaticBlob of(byte[] bytes) {
    return new StaticBlob(sha256(bytes), Base64.getEncoder().encodeToString(bytes));
  }

  /** The blob of a text file, UTF-8 encoded. */
  public static StaticBlob ofText(String text) {
    return of(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The decoded bytes (a fresh array each call). */
  @JsonIgnore
  public byte[] bytes() {
    return Base64.getDecoder().decode(data);
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }
}
