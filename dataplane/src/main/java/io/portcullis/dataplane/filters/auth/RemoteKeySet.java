package io.portcullis.dataplane.filters.auth;

import com.nimbusds.jose.jwk.JWKSet;
import io.portcullis.dataplane.filter.SubrequestClient;
import io.portcullis.dataplane.filter.SubrequestClient.Subrequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JWKS fetched from a URL through a {@link SubrequestClient}, so never on an event loop, and
 * kept: refreshed in the background once older than {@code maxAge}, and on demand when a token
 * names an unknown key, at most once per {@code minInterval} (a flood of tokens with made-up key
 * ids must not become a flood of fetches). One fetch at a time; a failed fetch keeps the old keys.
 * Shared by every route that names the same URL, across snapshots.
 */
final class RemoteKeySet implements KeySet {
  private static final Logger log = LoggerFactory.getLogger(RemoteKeySet.class);
  static final int MAX_BYTES = 512 * 1024;

  private final URI uri;
  private final SubrequestClient client;
  private final Duration minInterval;
  private final Duration maxAge;
  private final LongSupplier nanoClock;

  private volatile JWKSet keys;
  private volatile long loadedAt;
  private long lastAttempt;
  private boolean attempted;
  private CompletableFuture<JWKSet> inFlight;

  RemoteKeySet(URI uri, SubrequestClient client, Duration minInterval, Duration maxAge,
      LongSupplier nanoClock) {
    this.uri = uri;
    this.client = client;
    this.minInterval = minInterval;
    this.maxAge = maxAge;
    this.nanoClock = nanoClock;
  }

  @Override
  public JWKSet current() {
    JWKSet k = keys;
    if (k == null || nanoClock.getAsLong() - loadedAt > maxAge.toNanos()) {
      refresh(); // in the background; the old keys serve meanwhile
    }
    return k;
  }

  @Override
  public synchronized CompletionStage<JWKSet> refresh() {
    if (inFlight != null) {
      return inFlight;
    }
    long now = nanoClock.getAsLong();
    if (attempted && now - lastAttempt < minInterval.toNanos()) {
      return CompletableFuture.completedFuture(keys);
    }
    attempted = true;
    lastAttempt = now;
    CompletableFuture<JWKSet> fetch = new CompletableFuture<>();
    inFlight = fetch;
    client.send(Subrequest.get(uri, Duration.ofSeconds(10), MAX_BYTES))
        .whenComplete((response, error) -> {
          JWKSet loaded = null;
          if (error != null) {
            log.warn("fetching JWKS {} failed: {}", uri, error.toString());
          } else if (response.status() != 200) {
            log.warn("fetching JWKS {} answered {}", uri, response.status());
          } else {
            try {
              loaded = JWKSet.parse(new String(response.body(), StandardCharsets.UTF_8));
            } catch (ParseException e) {
              log.warn("JWKS {} is not a valid key set: {}", uri, e.getMessage());
            }
          }
          synchronized (this) {
            if (loaded != null) {
              keys = loaded;
              loadedAt = nanoClock.getAsLong();
            }
            inFlight = null;
          }
          fetch.complete(keys);
        });
    return fetch;
  }
}
