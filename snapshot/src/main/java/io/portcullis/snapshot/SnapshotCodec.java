package io.portcullis.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON form of snapshots and stream messages, shared by both planes. The mapper stays inside:
 * its settings (sorted properties and map keys, nulls left out) define the canonical JSON that a
 * snapshot's version hashes, so nobody outside may hold it, let alone reconfigure it.
 */
public final class SnapshotCodec {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          // A newer operator may add fields; an older dataplane ignores what it does not know.
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();

  private SnapshotCodec() {}

  public static byte[] toJson(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  /** The length of {@link #toJson}'s bytes, counted as Jackson writes them (no array is made). */
  public static long jsonLength(Object value) {
    ByteCounter counter = new ByteCounter();
    encodeInto(counter, value);
    return counter.count;
  }

  /**
   * The SHA-256 of {@link #toJson}'s bytes, fed to the digest as Jackson writes them instead of
   * collected into an array first: a version digests every new part of a snapshot.
   */
  static byte[] sha256OfJson(Object value) {
    MessageDigest sha = DIGESTS.get();
    sha.reset();
    encodeInto(new DigestSink(sha), value);
    return sha.digest();
  }

  /** {@link #toJson}'s bytes, written into {@code out} as Jackson produces them. */
  private static void encodeInto(OutputStream out, Object value) {
    try {
      MAPPER.writeValue(out, value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  });

  /** An output stream into a digest (Jackson closes it when done: nothing to close). */
  private static final class DigestSink extends OutputStream {
    private final MessageDigest sha;

    DigestSink(MessageDigest sha) {
      this.sha = sha;
    }

    @Override
    public void write(int b) {
      sha.update((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      sha.update(b, off, len);
    }
  }

  /** An output stream that only counts what is written into it. */
  private static final class ByteCounter extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }

  public static String toJsonString(Object value) {
    return new String(toJson(value), StandardCharsets.UTF_8);
  }

  public static String toPrettyJson(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  /**
   * Decodes JSON into {@code type}.
   *
   * @throws IllegalArgumentException with the reason when the JSON is malformed or violates the
   *     contract (records validate themselves while they are built)
   */
  public static <T> T fromJson(byte[] json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw new IllegalArgumentException(rootMessage(e), e);
    }
  }

  public static <T> T fromJson(String json, Class<T> type) {
    return fromJson(json.getBytes(StandardCharsets.UTF_8), type);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t instanceof com.fasterxml.jackson.core.JsonProcessingException j
        ? j.getOriginalMessage()
        : t.getMessage();
    return message == null ? t.getClass().getSimpleName() : message;
  }
}
