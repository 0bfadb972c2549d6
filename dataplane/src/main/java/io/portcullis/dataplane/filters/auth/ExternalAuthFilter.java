package io.portcullis.dataplane.filters.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.LocalResponse;
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

/**
 * Asks an authorization service about each request (nginx {@code auth_request}, Envoy HTTP {@code
 * ext_authz}). The question: the request's method, the configured headers, and {@code
 * X-Original-URI}, {@code X-Original-Method}, {@code X-Forwarded-Host}, {@code -Proto} and
 * {@code -For}; optionally the start of the body. A 2xx lets the request through with the
 * configured answer headers copied onto it; a 401 becomes a 302 to the sign-in URL when one is
 * configured (ingress-nginx's auth-signin); any other answer goes to the client as it is. A
 * service that is down or too slow means 503, or the request goes through when the route says so.
 */
final class ExternalAuthFilter implements HttpFilter {
  private static final String MECHANISM = "external";
  /** An answer to the client is short (a login redirect, an error page); more is refused. */
  static final int MAX_ANSWER_BYTES = 64 * 1024;
  private static final Set<String> NOT_RELAYED = Set.of("content-length", "transfer-encoding",
      "connection", "keep-alive", "proxy-connection", "upgrade", "te", "trailer");

  /** An allowing answer: the headers it puts on the upstream request. */
  private record Allowed(List<Map.Entry<String, String>> headers) {}

  private final ExternalAuth config;
  private final URI uri;
  private final SubrequestClient client;
  private final AuthMetrics metrics;
  private final Cache<String, Allowed> cache;

  ExternalAuthFilter(ExternalAuth config, SubrequestClient client, AuthMetrics metrics) {
    this.config = config;
    this.uri = URI.create(config.url());
    this.client = client;
    this.metrics = metrics;
    this.cache = config.cacheMillis() == 0 ? null : Caffeine.newBuilder()
        .maximumSize(10_000)
        .expireAfterWrite(Duration.ofMillis(config.cacheMillis()))
        .build();
  }

  @Override
  public FilterAction onRequest(FilterContext ctx) {
    HttpHeaders question = question(ctx);
    HttpHeaders request = ctx.request().headers();
    config.responseHeaders().forEach(request::remove);
    String key = cache == null ? null : cacheKey(ctx, question);
    if (key != null) {
      Allowed known = cache.getIfPresent(key);
      if (known != null) {
        return allow(ctx, known);
      }
    }
    if (config.maxRequestBodyBytes() == 0) {
      return FilterAction.pause(ask(ctx, question, null, key));
    }
    return FilterAction.pause(ctx.bufferRequestBody(config.maxRequestBodyBytes())
        // The buffered body is ours only until this stage completes: copy it now.
        .thenCompose(body -> ask(ctx, question, ByteBufUtil.getBytes(body.content()), key)));
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
    if (status >= 200 && status < 300) {
      List<Map.Entry<String, String>> copied = new ArrayList<>();
      for (String name : config.responseHeaders()) {
        for (String value : response.headers().getAll(name)) {
          copied.add(Map.entry(name, AuthAnswers.headerValue(value)));
        }
      }
      Allowed allowed = new Allowed(List.copyOf(copied));
      if (key != null) {
        cache.put(key, allowed);
      }
      return allow(ctx, allowed);
    }
    if (status < 200 || status > 599) {
      metrics.record(MECHANISM, Result.UNAVAILABLE);
      return FilterAction.respond(AuthAnswers.unavailable("the authorization service answered " + status));
    }
    metrics.record(MECHANISM, status == 403 ? Result.FORBIDDEN : Result.DENIED);
    if (status == 401 && config.signIn() != null) {
      return FilterAction.respond(AuthAnswers.redirect(SignInUrl.expand(config.signIn(), ctx)));
    }
    HttpHeaders headers = new DefaultHttpHeaders();
    for (Map.Entry<String, String> h : response.headers()) {
      if (!NOT_RELAYED.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
        headers.add(h.getKey(), AuthAnswers.headerValue(h.getValue()));
      }
    }
    return FilterAction.respond(new LocalResponse(status, headers,
        new LocalResponse.Body.Bytes(Unpooled.wrappedBuffer(response.body()))));
  }

  private FilterAction allow(FilterContext ctx, Allowed allowed) {
    metrics.record(MECHANISM, Result.ALLOWED);
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
    out.set("x-original-uri", head.query() == null ? head.path() : head.path() + "?" + head.query());
    out.set("x-original-method", head.method());
    if (head.host() != null) {
      out.set("x-forwarded-host", head.host());
    }
    out.set("x-forwarded-proto", head.scheme());
    if (ctx.clientAddress() != null) {
      out.set("x-forwarded-for", ctx.clientAddress().getHostAddress());
    }
    return out;
  }

  /** Method, URI, host and the headers sent: what the answer may depend on. */
  private static String cacheKey(FilterContext ctx, HttpHeaders question) {
    StringBuilder sb = new StringBuilder(ctx.head().method());
    for (Map.Entry<String, String> h : question) {
      sb.append('\n').append(h.getKey()).append(": ").append(h.getValue());
    }
    return sb.toString();
  }
}
