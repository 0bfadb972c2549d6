package io.portcullis.dataplane.filters.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.dataplane.filter.SubrequestClient;
import io.portcullis.dataplane.filter.SubrequestClient.Subrequest;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * An OpenID provider as its discovery document describes it, read once (through the subrequest
 * client, never on an event loop) and kept; a failed read is retried on demand, at most once per
 * {@code retryInterval}. Shared by every route naming the same issuer.
 */
final class OidcProvider {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_BYTES = 256 * 1024;

  /** What the relying party needs of the discovery document. */
  record Metadata(String issuer, URI authorizationEndpoint, URI tokenEndpoint,
      URI endSessionEndpoint, KeySet keys) {}

  private final String issuer;
  private final SubrequestClient client;
  private final Function<URI, KeySet> keySets;
  private final Duration retryInterval;
  private final LongSupplier nanoClock;
  private CompletableFuture<Metadata> metadata;
  private long failedAt;

  OidcProvider(String issuer, SubrequestClient client, Function<URI, KeySet> keySets,
      Duration retryInterval, LongSupplier nanoClock) {
    this.issuer = issuer;
    this.client = client;
    this.keySets = keySets;
    this.retryInterval = retryInterval;
    this.nanoClock = nanoClock;
  }

  /** The metadata; completes exceptionally when discovery failed (and may not retry yet). */
  synchronized CompletionStage<Metadata> metadata() {
    if (metadata != null && (!metadata.isCompletedExceptionally()
        || nanoClock.getAsLong() - failedAt < retryInterval.toNanos())) {
      return metadata;
    }
    CompletableFuture<Metadata> fetch = new CompletableFuture<>();
    metadata = fetch;
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    client.send(Subrequest.get(URI.create(base + "/.well-known/openid-configuration"),
            Duration.ofSeconds(10), MAX_BYTES))
        .whenComplete((response, error) -> {
          try {
            if (error != null) {
              throw new IllegalStateException("discovery of " + issuer + " failed: " + error);
            }
            if (response.status() != 200) {
              throw new IllegalStateException(
                  "discovery of " + issuer + " answered " + response.status());
            }
            fetch.complete(parse(JSON.readTree(response.body())));
          } catch (Exception e) {
            synchronized (this) {
              failedAt = nanoClock.getAsLong();
            }
            fetch.completeExceptionally(e);
          }
        });
    return fetch;
  }

  private Metadata parse(JsonNode doc) {
    String declared = text(doc, "issuer");
    if (!issuer.equals(declared)) {
      throw new IllegalStateException(
          "discovery document names issuer " + declared + ", not " + issuer);
    }
    String endSession = doc.path("end_session_endpoint").asText(null);
    return new Metadata(declared, URI.create(text(doc, "authorization_endpoint")),
        URI.create(text(doc, "token_endpoint")),
        endSession == null ? null : URI.create(endSession),
        keySets.apply(URI.create(text(doc, "jwks_uri"))));
  }

  private static String text(JsonNode doc, String field) {
    String value = doc.path(field).asText(null);
    if (value == null || value.isEmpty()) {
      throw new IllegalStateException("discovery document lacks " + field);
    }
    return value;
  }
}
