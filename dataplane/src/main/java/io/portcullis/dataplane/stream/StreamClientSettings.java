package io.portcullis.dataplane.stream;

import io.netty.handler.ssl.SslContext;
import io.portcullis.snapshot.MessageFraming;
import java.time.Duration;
import java.util.Objects;

/**
 * Tunables of the stream client.
 *
 * @param initialBackoff ceiling of the first reconnect delay (default 100 ms)
 * @param maxBackoff the ceiling doubles up to this (default 10 s)
 * @param keepalive PING interval; an operator silent for three is considered gone (default 10 s)
 * @param connectTimeout TCP connect timeout (default 5 s)
 * @param maxMessageBytes largest snapshot accepted (default {@link MessageFraming#DEFAULT_MAX_FRAME_BYTES})
 * @param sslContext client TLS context for {@code https://} control planes; null for h2c (the TLS
 *     work plugs in here)
 */
public record StreamClientSettings(
    Duration initialBackoff,
    Duration maxBackoff,
    Duration keepalive,
    Duration connectTimeout,
    int maxMessageBytes,
    SslContext sslContext) {

  public StreamClientSettings {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(keepalive, "keepalive");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (maxMessageBytes <= 0) {
      throw new IllegalArgumentException("maxMessageBytes must be positive: " + maxMessageBytes);
    }
    new Backoff(initialBackoff, maxBackoff); // validates
  }

  public static StreamClientSettings defaults() {
    return new StreamClientSettings(
        Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(10),
        Duration.ofSeconds(5), MessageFraming.DEFAULT_MAX_FRAME_BYTES, null);
  }

  public StreamClientSettings withBackoff(Duration initial, Duration max) {
    return new StreamClientSettings(initial, max, keepalive, connectTimeout, maxMessageBytes, sslContext);
  }

  public StreamClientSettings withKeepalive(Duration interval) {
    return new StreamClientSettings(
        initialBackoff, maxBackoff, interval, connectTimeout, maxMessageBytes, sslContext);
  }

  public StreamClientSettings withSslContext(SslContext context) {
    return new StreamClientSettings(
        initialBackoff, maxBackoff, keepalive, connectTimeout, maxMessageBytes, context);
  }
}
