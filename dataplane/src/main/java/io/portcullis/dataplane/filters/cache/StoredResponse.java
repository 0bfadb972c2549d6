package io.portcullis.dataplane.filters.cache;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.ReadOnlyHttpHeaders;
import java.util.Map;

/**
 * One stored response (RFC 9111 §3): its status, header section and body, when it was asked for
 * and received (for the age calculation of §4.2.3), and the request header values its {@code
 * Vary} (and the route's extra key headers) selected it by. Immutable; shared by every event
 * loop.
 *
 * @param status the final status code
 * @param headers the stored header section, without hop-by-hop and framing fields
 * @param body the body bytes (never written to)
 * @param requestMillis when the request that produced it was sent on
 * @param responseMillis when the response head arrived
 * @param selecting lower-case header name to the normalised value the request carried (null
 *     when absent), for every name that selects this variant
 * @param control the directives that govern this response here (see {@link TargetedControl}),
 *     parsed once so that a hit parses no header
 * @param lifetime its freshness lifetime in seconds (§4.2.1), computed once
 * @param initialAgeMillis its corrected initial age (§4.2.3), computed once
 */
record StoredResponse(
    int status,
    HttpHeaders headers,
    byte[] body,
    long requestMillis,
    long responseMillis,
    Map<String, String> selecting,
    CacheControl control,
    long lifetime,
    long initialAgeMillis) {

  StoredResponse {
    if (!(headers instanceof ReadOnlyHttpHeaders)) {
      throw new IllegalArgumentException("stored headers must be read-only");
    }
  }

  /** A stored response, its directives parsed and its lifetime computed once. */
  static StoredResponse of(int status, HttpHeaders headers, byte[] body, long requestMillis,
      long responseMillis, Map<String, String> selecting) {
    CacheControl control = TargetedControl.of(headers);
    return new StoredResponse(status, headers, body, requestMillis, responseMillis, selecting,
        control, Freshness.lifetime(status, headers, control, responseMillis),
        Freshness.initialAgeMillis(headers, requestMillis, responseMillis));
  }

  /** Approximate bytes held: the body, the header text, and a fixed overhead. */
  long weight() {
    long w = body.length + 128;
    for (Map.Entry<String, String> h : headers) {
      w += h.getKey().length() + h.getValue().length() + 32;
    }
    return w;
  }

  String etag() {
    return headers.get("etag");
  }

  String lastModified() {
    return headers.get("last-modified");
  }
}
