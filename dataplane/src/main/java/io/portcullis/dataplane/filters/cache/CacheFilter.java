package io.portcullis.dataplane.filters.cache;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.ReadOnlyHttpHeaders;
import io.netty.util.AttributeKey;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filter.ResponseAction;
import io.portcullis.snapshot.filter.CachePolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The shared HTTP cache (RFC 9111) on one route: answers fresh hits locally, revalidates stale
 * responses with the origin, stores what the origin allows while relaying it, and invalidates
 * after unsafe methods. The storage and the in-flight misses live in the shared {@link
 * CacheEngine}; this object only carries the route's policy.
 */
public final class CacheFilter implements HttpFilter {
  private static final AttributeKey<Object> STATE = AttributeKey.valueOf("portcullis.cache");
  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
  private static final Set<Integer> ERRORS_FOR_STALE = Set.of(500, 502, 503, 504);
  /** How stale a response may be served when the origin cannot be reached. */
  static final long DISCONNECTED_STALE_SECONDS = 3600;
  private static final List<String> CONDITIONALS =
      List.of("if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range");

  private final CachePolicy policy;
  private final CacheEngine engine;

  CacheFilter(CachePolicy policy, CacheEngine engine) {
    this.policy = policy;
    this.engine = engine;
  }

  /** An unsafe request: its success invalidates what is stored for its URL (§4.4). */
  private record Invalidation(String key) {}

  /** A GET or HEAD on its way upstream. Touched on the exchange's event loop only. */
  private static final class Lookup {
    final String key;
    final long requestMillis;
    final CacheControl requestControl;
    /** Why it went upstream, for Cache-Status (uri-miss, vary-miss, stale, request, bypass). */
    String fwd = "uri-miss";
    /** A stored response this request may still use: to revalidate, or on an origin error. */
    StoredResponse candidate;
    /** The validators of {@link #candidate} went upstream: a 304 refreshes it. */
    boolean revalidating;
    /** Do not store the response (a Range request). */
    boolean noStore;
    /** Set when this request leads a coalesced miss. */
    Coalescer.Flight flight;
    /**
     * The request headers as the cache saw them, before later filters (the route's header
     * changes) and our own validators changed them: what Vary and Authorization are judged on.
     */
    HttpHeaders received;

    Lookup(String key, long requestMillis, CacheControl requestControl) {
      this.key = key;
      this.requestMillis = requestMillis;
      this.requestControl = requestControl;
    }
  }

  @Override
  public FilterAction onRequest(FilterContext ctx) {
    String method = ctx.head().method();
    if (!"GET".equals(method) && !"HEAD".equals(method)) {
      if (!SAFE.contains(method)) {
        ctx.attr(STATE).set(new Invalidation(CacheKeys.of(ctx.head())));
      }
      return FilterAction.proceed();
    }
    HttpHeaders request = ctx.request().headers();
    long now = engine.now();
    CacheControl rcc = CacheControl.parse(request.getAll("cache-control"));
    Lookup lookup = new Lookup(CacheKeys.of(ctx.head()), now, rcc);
    ctx.attr(STATE).set(lookup);
    if (request.contains("range")) {
      // Ranges go to the origin whole; the cache neither answers them nor stores a 206.
      lookup.fwd = "bypass";
      lookup.noStore = true;
      engine.metrics().lookup("bypass");
      return FilterAction.proceed();
    }
    boolean noCache = rcc.has("no-cache") || (rcc.isEmpty() && pragmaNoCache(request));
    StoredResponse stored = engine.store().select(lookup.key, request);
    if (stored != null) {
      FilterAction answer = fromStore(ctx, lookup, stored, noCache, now);
      if (answer != null) {
        return answer;
      }
    } else {
      if (rcc.has("only-if-cached")) {
        return FilterAction.respond(gatewayTimeout());
      }
      lookup.fwd = engine.store().contains(lookup.key) ? "vary-miss" : "uri-miss";
    }
    engine.metrics().lookup("miss");
    if (lookup.received == null) {
      lookup.received = request.copy();
    }
    if (stored == null && !noCache && "GET".equals(method)) {
      return coalesce(ctx, lookup, now);
    }
    return FilterAction.proceed();
  }

  /**
   * A stored response selected by the request: answered when fresh (or when stale is allowed),
   * else prepared for revalidation. Returns null to go upstream.
   */
  private FilterAction fromStore(
      FilterContext ctx, Lookup lookup, StoredResponse stored, boolean noCache, long now) {
    CacheControl rcc = lookup.requestControl;
    CacheControl cc = stored.control();
    long age = Freshness.currentAge(stored, now);
    long lifetime = Freshness.lifetime(stored);
    boolean fresh = age < lifetime;
    boolean mustValidate = noCache || cc.hasUnqualified("no-cache");
    long maxAge = rcc.seconds("max-age");
    boolean ageAccepted = maxAge == -1 || (maxAge > 0 && age <= maxAge);
    long minFresh = rcc.seconds("min-fresh");
    boolean freshEnough = minFresh < 0 || lifetime - age >= minFresh;
    if (!mustValidate && fresh && ageAccepted && freshEnough) {
      engine.metrics().lookup("hit");
      return FilterAction.respond(answer(ctx, stored, age, CacheStatus.hit(lifetime - age)));
    }
    long staleness = age - lifetime;
    boolean mayServeStale = !fresh && !mustValidate && ageAccepted
        && !(cc.has("must-revalidate") || cc.has("proxy-revalidate") || cc.has("s-maxage"));
    if (mayServeStale && rcc.has("max-stale")
        && (rcc.hasUnqualified("max-stale") || staleness <= rcc.seconds("max-stale"))) {
      engine.metrics().lookup("stale");
      return FilterAction.respond(
          answer(ctx, stored, age, CacheStatus.staleHit(lifetime - age, "max-stale")));
    }
    long swr = cc.seconds("stale-while-revalidate");
    if (mayServeStale && swr >= 0 && staleness <= swr) {
      engine.metrics().lookup("stale");
      engine.refresh().start(ctx, lookup.key, stored, ctx.request().headers(),
          policy.effectiveMaxObjectSize());
      return FilterAction.respond(answer(
          ctx, stored, age, CacheStatus.staleHit(lifetime - age, "stale-while-revalidate")));
    }
    if (rcc.has("only-if-cached")) {
      return FilterAction.respond(gatewayTimeout());
    }
    lookup.candidate = stored;
    lookup.fwd = noCache ? "request" : "stale";
    HttpHeaders request = ctx.request().headers();
    lookup.received = request.copy();
    boolean clientConditional = CONDITIONALS.stream().anyMatch(request::contains);
    if (!clientConditional && (stored.etag() != null || stored.lastModified() != null)) {
      if (stored.etag() != null) {
        request.set("if-none-match", stored.etag());
      }
      if (stored.lastModified() != null) {
        request.set("if-modified-since", stored.lastModified());
      }
      lookup.revalidating = true;
    }
    return null;
  }

  private FilterAction coalesce(FilterContext ctx, Lookup lookup, long now) {
    Coalescer.Flight mine = new Coalescer.Flight(lookup.key, now);
    Coalescer.Flight flight = engine.coalescer().join(mine);
    if (flight == mine) {
      lookup.flight = mine;
      return FilterAction.proceed();
    }
    engine.metrics().coalesced();
    CompletableFuture<FilterAction> next = new CompletableFuture<>();
    ScheduledFuture<?> timer = ctx.eventLoop().schedule(
        () -> next.complete(FilterAction.proceed()), Coalescer.MAX_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    flight.done.whenComplete((v, e) -> ctx.eventLoop().execute(() -> {
      if (next.isDone()) {
        return;
      }
      timer.cancel(false);
      next.complete(afterWait(ctx, lookup));
    }));
    return FilterAction.pause(next);
  }

  /** A follower's second look once the leader is done: a hit, or upstream on its own. */
  private FilterAction afterWait(FilterContext ctx, Lookup lookup) {
    StoredResponse stored = engine.store().select(lookup.key, ctx.request().headers());
    if (stored != null) {
      long now = engine.now();
      long age = Freshness.currentAge(stored, now);
      long lifetime = Freshness.lifetime(stored);
      if (age < lifetime && !stored.control().hasUnqualified("no-cache")) {
        return FilterAction.respond(
            answer(ctx, stored, age, CacheStatus.hitCoalesced(lifetime - age)));
      }
    }
    return FilterAction.proceed();
  }

  @Override
  public ResponseAction onResponse(FilterContext ctx, HttpResponse response) {
    Object state = ctx.attr(STATE).getAndSet(null);
    if (state instanceof Invalidation invalidation) {
      invalidate(ctx, invalidation, response);
      return ResponseAction.proceed();
    }
    if (!(state instanceof Lookup lookup)) {
      return ResponseAction.proceed();
    }
    try {
      return respond(ctx, lookup, response);
    } catch (RuntimeException e) {
      land(lookup);
      throw e;
    }
  }

  private ResponseAction respond(FilterContext ctx, Lookup lookup, HttpResponse response) {
    int status = response.status().code();
    long now = engine.now();
    HttpHeaders headers = response.headers();
    StoredResponse candidate = lookup.candidate;
    if (lookup.revalidating && status == 304) {
      StoredResponse updated = StoredResponse.of(candidate.status(),
          StoredHeaders.merged(candidate.headers(), headers), candidate.body(),
          lookup.requestMillis, now, candidate.selecting());
      engine.store().replace(lookup.key, candidate, updated);
      engine.metrics().lookup("revalidated");
      land(lookup);
      long age = Freshness.currentAge(updated, now);
      // The validators were ours (the client sent none): the client gets the whole response.
      return ResponseAction.replace(
          answer(ctx, updated, age, CacheStatus.forward("stale", 304, true), false));
    }
    if (candidate != null && ERRORS_FOR_STALE.contains(status) && staleIfError(lookup, candidate, status, now)) {
      land(lookup);
      engine.metrics().lookup("stale");
      long age = Freshness.currentAge(candidate, now);
      return ResponseAction.replace(answer(ctx, candidate, age,
          CacheStatus.staleIfError(status, Freshness.lifetime(candidate) - age),
          !lookup.revalidating));
    }
    CacheControl cc = TargetedControl.of(headers);
    HttpHeaders request = lookup.received != null ? lookup.received : ctx.request().headers();
    String refusal = lookup.noStore ? "range" : Storability.refusal(
        ctx.head().method(), request, lookup.requestControl, status, headers, cc);
    if (refusal != null) {
      headers.remove(TargetedControl.PORTCULLIS);
      headers.add(CacheStatus.HEADER, CacheStatus.forward(lookup.fwd, status, false));
      land(lookup);
      return ResponseAction.proceed();
    }
    ReadOnlyHttpHeaders storedHeaders = StoredHeaders.forStorage(headers, cc, now);
    List<String> selectingNames = new ArrayList<>(Vary.names(headers));
    selectingNames.addAll(policy.keyHeaders());
    Map<String, String> selecting = Vary.selecting(request, selectingNames);
    if (!headers.contains("date")) {
      headers.set("date", storedHeaders.get("date"));
    }
    headers.remove(TargetedControl.PORTCULLIS);
    headers.add(CacheStatus.HEADER, CacheStatus.forward(lookup.fwd, status, true));
    long length = HttpUtil.getContentLength(response, -1L);
    if (status == 204 || length == 0) {
      // No body to wait for (and the proxy runs no transform for a 204): stored at once.
      engine.store().put(lookup.key, StoredResponse.of(
          status, storedHeaders, new byte[0], lookup.requestMillis, now, selecting));
      land(lookup);
      return ResponseAction.proceed();
    }
    return ResponseAction.transform(new TeeTransform(policy.effectiveMaxObjectSize(), length,
        new TeeTransform.Sink() {
          @Override
          public void complete(byte[] body) {
            engine.store().put(lookup.key, StoredResponse.of(
                status, storedHeaders, body, lookup.requestMillis, now, selecting));
            land(lookup);
          }

          @Override
          public void abandon(String reason) {
            land(lookup);
          }
        }));
  }

  /**
   * Whether a stale stored response may stand in for an error: within the stale-if-error window
   * of the response or the request (RFC 5861 §4), or, when the origin could not be reached (the
   * gateway statuses the proxy answers with on connect failures, timeouts and no endpoints), for
   * up to {@link #DISCONNECTED_STALE_SECONDS} as RFC 9111 §4.2.4 allows a disconnected cache.
   * Never when the response forbids serving it stale.
   */
  private static boolean staleIfError(
      Lookup lookup, StoredResponse stored, int status, long now) {
    CacheControl cc = stored.control();
    if (cc.has("must-revalidate") || cc.has("proxy-revalidate") || cc.has("s-maxage")
        || cc.hasUnqualified("no-cache") || lookup.requestControl.has("no-cache")) {
      return false;
    }
    long window = Math.max(cc.seconds("stale-if-error"),
        lookup.requestControl.seconds("stale-if-error"));
    if (status != 500) {
      window = Math.max(window, DISCONNECTED_STALE_SECONDS);
    }
    long staleness = Freshness.currentAge(stored, now) - Freshness.lifetime(stored);
    return window >= 0 && staleness <= window;
  }

  /** §4.4: a non-error response to an unsafe method invalidates its URL and the URLs it names. */
  private void invalidate(FilterContext ctx, Invalidation invalidation, HttpResponse response) {
    int status = response.status().code();
    if (status < 200 || status >= 400) {
      return;
    }
    engine.store().invalidate(invalidation.key());
    for (String field : List.of("location", "content-location")) {
      String value = response.headers().get(field);
      if (value != null) {
        String key = CacheKeys.sameOrigin(ctx.head(), value);
        if (key != null) {
          engine.store().invalidate(key);
        }
      }
    }
  }

  private void land(Lookup lookup) {
    if (lookup.flight != null) {
      engine.coalescer().land(lookup.flight);
      lookup.flight = null;
    }
  }

  /**
   * The stored response as an answer: its headers with Age (§4.2.3) and Cache-Status, or a 304
   * when the client's own conditional matches it (RFC 9110 §13.2.2).
   */
  private LocalResponse answer(FilterContext ctx, StoredResponse stored, long age, String status) {
    return answer(ctx, stored, age, status, true);
  }

  private LocalResponse answer(FilterContext ctx, StoredResponse stored, long age, String status,
      boolean clientConditionals) {
    HttpHeaders headers = StoredHeaders.forSending(stored.headers());
    headers.set("age", Long.toString(age));
    headers.add(CacheStatus.HEADER, status);
    if (clientConditionals && stored.status() == 200 && Conditionals.notModified(ctx.request().headers(), stored)) {
      HttpHeaders notModified = new DefaultHttpHeaders();
      for (String name : List.of("cache-control", "content-location", "date", "etag", "expires",
          "vary", "last-modified", "age", CacheStatus.HEADER)) {
        List<String> values = headers.getAll(name);
        if (!values.isEmpty()) {
          notModified.set(name, values);
        }
      }
      return new LocalResponse(304, notModified, LocalResponse.Body.EMPTY);
    }
    engine.metrics().served(stored.body().length);
    return new LocalResponse(stored.status(), headers,
        new LocalResponse.Body.Bytes(Unpooled.wrappedBuffer(stored.body())));
  }

  private static LocalResponse gatewayTimeout() {
    LocalResponse r = LocalResponse.text(504, "not in cache (only-if-cached)\n");
    r.headers().add(CacheStatus.HEADER, "Portcullis; fwd=miss; detail=only-if-cached");
    return r;
  }

  private static boolean pragmaNoCache(HttpHeaders request) {
    for (String v : request.getAll("pragma")) {
      if (v.toLowerCase(java.util.Locale.ROOT).contains("no-cache")) {
        return true;
      }
    }
    return false;
  }
}
