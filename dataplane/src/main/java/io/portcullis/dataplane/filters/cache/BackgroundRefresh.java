package io.portcullis.dataplane.filters.cache;

import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.SubrequestClient.SubResponse;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Revalidates a stale response in the background while it is served within its {@code
 * stale-while-revalidate} window (RFC 5861 §3), so a popular URL stays fresh without any client
 * waiting for the origin. One refresh per stored response at a time, whichever event loop asks.
 *
 * <p>The refresh is a conditional GET of the cache's own through the route's cluster ({@link
 * FilterContext#fetchFromUpstream}): the request headers the cache stage saw, the client's
 * conditionals replaced by the stored validators (an unconditional GET when there are none). A 304
 * refreshes the stored response as a revalidation in the exchange does (§4.3.4). A 5xx or an
 * unreachable origin leaves it as it is (still servable within its windows). Any other answer
 * means the resource changed: the variant is dropped and the next request fetches it through the
 * whole route (so the response filters after the cache, such as compression and the route's
 * header changes, shape what is stored, exactly as on a miss).
 */
final class BackgroundRefresh {
  private static final List<String> CLIENT_CONDITIONALS =
      List.of("if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range",
          "range");

  private final CacheEngine engine;
  /** The stored responses being refreshed now (by identity: each is its own immutable object). */
  private final Set<StoredResponse> inFlight =
      Collections.newSetFromMap(Collections.synchronizedMap(new IdentityHashMap<>()));

  BackgroundRefresh(CacheEngine engine) {
    this.engine = engine;
  }

  /** Starts refreshing {@code stored} (under {@code key}) unless a refresh of it is under way. */
  void start(FilterContext ctx, String key, StoredResponse stored, HttpHeaders received,
      long maxObjectSize) {
    if (!inFlight.add(stored)) {
      return;
    }
    HttpHeaders headers = received.copy();
    CLIENT_CONDITIONALS.forEach(headers::remove);
    if (stored.etag() != null) {
      headers.set("if-none-match", stored.etag());
    }
    if (stored.lastModified() != null) {
      headers.set("if-modified-since", stored.lastModified());
    }
    long sentMillis = engine.now();
    ctx.fetchFromUpstream(headers, (int) Math.min(Integer.MAX_VALUE, maxObjectSize)).whenComplete((answer, error) -> {
      try {
        if (error == null) {
          apply(key, stored, answer, sentMillis);
        } else {
          engine.metrics().refreshed("failed");
        }
      } finally {
        inFlight.remove(stored);
      }
    });
  }

  private void apply(String key, StoredResponse stored, SubResponse answer, long sentMillis) {
    int status = answer.status();
    if (status == 304) {
      StoredResponse updated = StoredResponse.of(stored.status(),
          StoredHeaders.merged(stored.headers(), answer.headers()), stored.body(),
          sentMillis, engine.now(), stored.selecting());
      engine.store().replace(key, stored, updated);
      engine.metrics().refreshed("not_modified");
    } else if (status >= 500) {
      engine.metrics().refreshed("failed");
    } else {
      engine.store().remove(key, stored);
      engine.metrics().refreshed("changed");
    }
  }
}
