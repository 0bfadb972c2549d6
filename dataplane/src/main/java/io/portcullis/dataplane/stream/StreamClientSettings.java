package io.portcullis.dataplane.stream;

import io.netty.handler.ssl.SslContext;
import io.portcullis.snapshot.MessageFraming;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Tunables of the stream client.
 *
 * @param initialBackoff ceiling of the first reconnect delay (default 100 ms)
 * @param maxBackoff the ceiling doubles up to this (default 10 s)
 * @param keepalive PING interval; an operator silent for three is considered gone (default 10 s)
 * @param connectTimeout TCP connect timeout (default 5 s)
 * @param maxMessageBytes largest snapshot accepted (default {@link MessageFraming#DEFAULT_MAX_FRAME_BYTES})
 * @param tls hands out the client TLS context for {@code https://} control planes, asked again
 *     for every connection so a reloaded certificate is used on the next one (see
 *     {@link io.portcullis.transport.ControlPlaneTls}); null for h2c
 */
public record StreamClientSettings(
    Duration initialBackoff,
    Duration maxBackoff,
    Duration keepalive,
    Duration connectTimeout,
    int maxMessageBytes,
    Supplier<SslContext> tls) {

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
    return new StreamClientSettings(initial, max, keepalive, connectTimeout, maxMessageBytes, tls);
  }

  public StreamClientSettings withKeepalive(Duration interval) {
    return new StreamClientSettings(
        initialBackoff, maxBackoff, interval, connectTimeout, maxMessageBytes, tls);
  }

  /** A fixed client TLS context (tests); null for h2c. */
  public StreamClientSettings withSslContext(SslContext context) {
    return withTls(context == null ? null : () -> context);
  }

  /** A client TLS context that may change between connections; null for h2c. */
  public StreamClientSettings withTls(Supplier<SslContext> source) {
    return new StreamClientSettings(
        initialBackoff, maxBackoff, keepalive, connectTimeout, maxMessageBytes, source);
  }

  /** The client TLS context for the next connection, or null for h2c. */
  public SslContext sslContext() {
    return tls == null ? null : tls.get();
  }
}
