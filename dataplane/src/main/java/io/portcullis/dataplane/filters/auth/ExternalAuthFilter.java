package io.portcullis.dataplane.filters.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AttributeKey;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filter.ResponseAction;
import io.portcullis.dataplane.filter.SubrequestClient;
import io.portcullis.dataplane.filter.SubrequestClient.SubResponse;
import io.portcullis.dataplane.filter.SubrequestClient.Subrequest;
import io.portcullis.dataplane.filters.auth.AuthMetrics.Result;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.snapshot.filter.ExternalAuth;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Asks an authorization service about each request (nginx {@code auth_request}, Envoy HTTP {@code
 * ext_authz}). The question: the request's method (or the configured one), the configured
 * headers, and {@code X-Original-URI}, {@code X-Original-URL}, {@code X-Original-Method}, {@code
 * X-Auth-Request-Redirect}, {@code X-Real-IP}, {@code X-Forwarded-Host}, {@code -Proto} and {@code
 * -For}; optionally the start of the body. A 2xx lets the request through with the
 * configured answer headers copied onto it; a 401 becomes a 302 to the sign-in URL when one is
 * configured (ingress-nginx's auth-signin); any other answer goes to the client as it is. A
 * service that is down or too slow means 503, or the request goes through when the route says so.
 * Answers may be reused per key for a time per status (ingress-nginx's auth-cache-key and
 * auth-cache-duration), in a cache bounded by weight.
 */
final class ExternalAuthFilter implements HttpFilter {
  private static final String MECHANISM = "external";
  /** An answer to the client is short (a login redirect, an error page); more is refused. */
  static final int MAX_ANSWER_BYTES = 64 * 1024;
  private static final Set<String> NOT_RELAYED = Set.of("content-length", "transfer-encoding",
      "connection", "keep-alive", "proxy-connection", "upgrade", "te", "trailer");

  /** All answers kept by one route weigh at most this (bytes, roughly). */
  static final long MAX_CACHE_WEIGHT = 16L * 1024 * 1024;
  private static final Pattern NOT_STORED =
      Pattern.compile("(?i)(^|[,\\s])(no-store|no-cache|private|max-age=0+)\\b");

  /** A deciding answer, as reused: the status and what it does. */
  private sealed interface Verdict {
    int status();

    /** About the bytes it holds, for the cache's bound. */
    int weight();
  }

  /**
   * An allowing answer: the headers it puts on the upstream request, and the cookies it sets on
   * the client (never kept: an answer setting cookies is not reused).
   */
  private record Allowed(int status, List<Map.Entry<String, String>> headers, List<String> cookies)
      implements Verdict {
    @Override
    public int weight() {
      return 64 + headers.stream().mapToInt(h -> h.getKey().length() + h.getValue().length()).sum();
    }
  }

  /** A denying answer: what the client gets (unless a 401 sends it to sign in). */
  private record Denied(int status, HttpHeaders headers, byte[] body) implements Verdict {
    @Override
    public int weight() {
      int size = 64 + body.length;
      for (Map.Entry<String, String> h : headers) {
        size += h.getKey().length() + h.getValue().length();
      }
      return size;
    }
  }

  /** The Set-Cookie values of an allowing answer, for the client's response. */
  private static final AttributeKey<List<String>> SET_COOKIES =
      AttributeKey.valueOf("portcullis.externalAuth.setCookies");
  /** The statuses nginx's add_header (without "always") adds its header to. */
  private static final Set<Integer> ADD_HEADER_STATUSES =
      Set.of(200, 201, 204, 206, 301, 302, 303, 304, 307, 308);

  private final ExternalAuth config;
  private final URI uri;
  private final SubrequestClient client;
  private final AuthMetrics metrics;
  private final Cache<String, Verdict> cache;

  ExternalAuthFilter(ExternalAuth config, SubrequestClient client, AuthMetrics metrics) {
    this.config = config;
    this.uri = URI.create(config.url());
    this.client = client;
    this.metrics = metrics;
    this.cache = !config.caches() ? null : Caffeine.newBuilder()
        .maximumWeight(MAX_CACHE_WEIGHT)
        .weigher((String key, Verdict v) -> key.length() + v.weight())
        .expireAfter(Expiry.creating((String key, Verdict v) ->
            Duration.ofMillis(config.cacheMillisFor(v.status()))))
        .build();
  }

  @Override
  public FilterAction onRequest(FilterContext ctx) {
    HttpHeaders question = question(ctx);
    HttpHeaders request = ctx.request().headers();
    config.responseHeaders().forEach(request::remove);
    String key = cache == null ? null : cacheKey(ctx, question);
    if (key != null) {
      Verdict known = cache.getIfPresent(key);
      if (known != null) {
        return act(ctx, known);
      }
    }
    if (config.maxRequestBodyBytes() == 0) {
      return FilterAction.pause(ask(ctx, question, null, key));
    }
    return FilterAction.pause(ctx.bufferRequestBody(config.maxRequestBodyBytes())
        // The buffered body is ours only until this stage completes: copy it now.
        .thenCompose(body -> ask(ctx, question, ByteBufUtil.getBytes(body.content()), key)));
  }

  @Override
  public ResponseAction onResponse(FilterContext ctx, HttpResponse response) {
    List<String> cookies = ctx.attr(SET_COOKIES).getAndSet(null);
    if (cookies != null && (config.answerCookies() == ExternalAuth.AnswerCookies.ALWAYS
        || ADD_HEADER_STATUSES.contains(response.status().code()))) {
      response.headers().add(HttpHeaderNames.SET_COOKIE, cookies);
    }
    return ResponseAction.proceed();
  }

  private CompletionStage<FilterAction> ask(
      FilterContext ctx, HttpHeaders question, byte[] body, String key) {
    String method = config.method() == null ? ctx.head().method() : config.method();
    Subrequest subrequest = new Subrequest(method, uri, question, body,
        Duration.ofMillis(config.timeoutMillis()), MAX_ANSWER_BYTES);
    CompletionStage<SubResponse> answer;
    try {
      answer = client.send(subrequest);
    } catch (RuntimeException e) {
      answer = java.util.concurrent.CompletableFuture.failedFuture(e);
    }
    return answer.handle((response, error) -> response)
        .thenApplyAsync(response -> decide(ctx, response, key), ctx.eventLoop());
  }

  private FilterAction decide(FilterContext ctx, SubResponse response, String key) {
    if (response == null) {
      if (config.onError() == ExternalAuth.OnError.ALLOW) {
        metrics.record(MECHANISM, Result.FAILED_OPEN);
        return FilterAction.proceed();
      }
      metrics.record(MECHANISM, Result.UNAVAILABLE);
      return FilterAction.respond(AuthAnswers.unavailable("the authorization service did not answer"));
    }
    int status = response.status();
    if (status < 200 || status > 599) {
      metrics.record(MECHANISM, Result.UNAVAILABLE);
      return FilterAction.respond(AuthAnswers.unavailable("the authorization service answered " + status));
    }
    Verdict verdict;
    if (status < 300) {
      List<Map.Entry<String, String>> copied = new ArrayList<>();
      for (String name : config.responseHeaders()) {
        for (String value : response.headers().getAll(name)) {
          copied.add(Map.entry(name, AuthAnswers.headerValue(value)));
        }
      }
      List<String> cookies = config.answerCookies() == ExternalAuth.AnswerCookies.DROP ? List.of()
          : response.headers().getAll(HttpHeaderNames.SET_COOKIE).stream()
              .map(AuthAnswers::headerValue).toList();
      verdict = new Allowed(status, List.copyOf(copied), cookies);
    } else {
      HttpHeaders headers = new DefaultHttpHeaders();
      for (Map.Entry<String, String> h : response.headers()) {
        if (!NOT_RELAYED.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
          headers.add(h.getKey(), AuthAnswers.headerValue(h.getValue()));
        }
      }
      verdict = new Denied(status, headers, response.body());
    }
    if (key != null && config.cacheMillisFor(status) > 0 && storable(response.headers())) {
      cache.put(key, verdict);
    }
    return act(ctx, verdict);
  }

  /**
   * As nginx's proxy_cache: an answer that sets a cookie or says it must not be stored is not
   * kept (its max-age does not lengthen the configured time, though).
   */
  private static boolean storable(HttpHeaders headers) {
    if (headers.contains(HttpHeaderNames.SET_COOKIE)) {
      return false;
    }
    for (String value : headers.getAll(HttpHeaderNames.CACHE_CONTROL)) {
      if (NOT_STORED.matcher(value).find()) {
        return false;
      }
    }
    return true;
  }

  private FilterAction act(FilterContext ctx, Verdict verdict) {
    if (verdict instanceof Allowed allowed) {
      return allow(ctx, allowed);
    }
    Denied denied = (Denied) verdict;
    metrics.record(MECHANISM, denied.status() == 403 ? Result.FORBIDDEN : Result.DENIED);
    if (denied.status() == 401 && config.signIn() != null) {
      LocalResponse redirect = AuthAnswers.redirect(
          NginxVariables.expand(config.signIn(), ctx, AuthAnswers::headerValue));
      if (config.answerCookies() != ExternalAuth.AnswerCookies.DROP) {
        redirect.headers().add(HttpHeaderNames.SET_COOKIE,
            denied.headers().getAll(HttpHeaderNames.SET_COOKIE));
      }
      return FilterAction.respond(redirect);
    }
    // Each response gets its own copies: a kept answer serves many.
    return FilterAction.respond(new LocalResponse(denied.status(), denied.headers().copy(),
        new LocalResponse.Body.Bytes(Unpooled.wrappedBuffer(denied.body()))));
  }

  private FilterAction allow(FilterContext ctx, Allowed allowed) {
    metrics.record(MECHANISM, Result.ALLOWED);
    if (!allowed.cookies().isEmpty()) {
      ctx.attr(SET_COOKIES).set(allowed.cookies());
    }
    HttpHeaders headers = ctx.request().headers();
    for (Map.Entry<String, String> h : allowed.headers()) {
      headers.add(h.getKey(), h.getValue());
    }
    return FilterAction.proceed();
  }

  private HttpHeaders question(FilterContext ctx) {
    HttpHeaders request = ctx.request().headers();
    HttpHeaders out = new DefaultHttpHeaders();
    for (String name : config.requestHeaders()) {
      for (String value : request.getAll(name)) {
        out.add(name, value);
      }
    }
    RequestHead head = ctx.head();
    String uri = head.query() == null ? head.path() : head.path() + "?" + head.query();
    out.set("x-original-uri", uri);
    out.set("x-original-method", head.method());
    // As ingress-nginx asks (auth services such as Authelia and oauth2-proxy read these).
    out.set("x-auth-request-redirect", uri);
    if (head.host() != null) {
      out.set("x-forwarded-host", head.host());
      out.set("x-original-url", head.scheme() + "://" + head.host() + uri);
    }
    out.set("x-forwarded-proto", head.scheme());
    if (ctx.clientAddress() != null) {
      out.set("x-forwarded-for", ctx.clientAddress().getHostAddress());
      out.set("x-real-ip", ctx.clientAddress().getHostAddress());
    }
    return out;
  }

  /**
   * The route's key template (ingress-nginx's auth-cache-key), or the method, URI, host and the
   * headers sent: what the answer may depend on.
   */
  private String cacheKey(FilterContext ctx, HttpHeaders question) {
    if (config.cacheKey() != null) {
      return NginxVariables.expand(config.cacheKey(), ctx, UnaryOperator.identity());
    }
    StringBuilder sb = new StringBuilder(ctx.head().method());
    for (Map.Entry<String, String> h : question) {
      sb.append('\n').append(h.getKey()).append(": ").append(h.getValue());
    }
    return sb.toString();
  }
}
