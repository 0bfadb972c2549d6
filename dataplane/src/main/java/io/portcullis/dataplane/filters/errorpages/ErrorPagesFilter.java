package io.portcullis.dataplane.filters.errorpages;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filter.ResponseAction;
import io.portcullis.dataplane.filter.SubrequestClient.SubResponse;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.snapshot.filter.ErrorPages;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces responses with a listed status by the error backend's page, as ingress-nginx's {@code
 * custom-http-errors} does ({@code proxy_intercept_errors on} and an {@code error_page} per code
 * pointing at a location that proxies to the default backend): the backend's body is discarded,
 * the error backend is asked with a GET of {@code /} carrying the client's request headers plus
 * {@code X-Code}, {@code X-Format} (the client's {@code Accept}), {@code X-Original-URI}, {@code
 * X-Request-ID} and the configured ones, and its answer goes to the client with the status the
 * config chooses. When the error backend cannot answer, the client gets 502, as from nginx, whose
 * error location fails the same way.
 */
public final class ErrorPagesFilter implements HttpFilter {
  private static final Logger log = LoggerFactory.getLogger(ErrorPagesFilter.class);
  /** An error page is small; a bigger answer is refused (502) rather than held in memory. */
  static final int MAX_PAGE_BYTES = 256 * 1024;
  /** Request headers that do not fit a bodiless GET of our own. */
  private static final Set<String> NOT_SENT = Set.of("content-length", "transfer-encoding",
      "expect", "x-code", "x-format", "x-original-uri", "x-namespace", "x-ingress-name",
      "x-service-name", "x-service-port");
  /** Answer headers that are the connection's or the responder's business. */
  private static final Set<String> NOT_RELAYED = Set.of("content-length", "transfer-encoding",
      "connection", "keep-alive", "proxy-connection", "upgrade", "te", "trailer");

  private final ErrorPages config;
  private final BitSet codes = new BitSet(600);

  public ErrorPagesFilter(ErrorPages config) {
    this.config = config;
    config.codes().forEach(codes::set);
  }

  @Override
  public ResponseAction onResponse(FilterContext ctx, HttpResponse response) {
    int status = response.status().code();
    if (!codes.get(status)) {
      return ResponseAction.proceed();
    }
    CompletionStage<LocalResponse> page = ctx
        .fetchFromCluster(config.cluster(), "/", question(ctx, status), MAX_PAGE_BYTES)
        .handle((answer, error) -> page(ctx, status, answer, error));
    return ResponseAction.replaceLater(page);
  }

  private HttpHeaders question(FilterContext ctx, int status) {
    HttpHeaders out = new DefaultHttpHeaders();
    for (Map.Entry<String, String> h : ctx.request().headers()) {
      if (!NOT_SENT.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        out.add(h.getKey(), h.getValue());
      }
    }
    RequestHead head = ctx.head();
    if (head.host() != null) {
      out.set(HttpHeaderNames.HOST, head.host());
    }
    out.set("x-code", Integer.toString(status));
    String accept = ctx.request().headers().get(HttpHeaderNames.ACCEPT);
    if (accept != null) {
      out.set("x-format", accept);
    }
    String uri = ctx.request().uri();
    out.set("x-original-uri", uri.startsWith("/") ? uri
        : head.query() == null ? head.path() : head.path() + "?" + head.query());
    config.requestHeaders().forEach(out::set);
    return out;
  }

  private LocalResponse page(FilterContext ctx, int original, SubResponse answer, Throwable error) {
    if (answer == null) {
      log.warn("error page for {} on route {} not fetched from {}: {}", original,
          ctx.routeName(), config.cluster(), error == null ? "no answer" : error.toString());
      return LocalResponse.text(502, "bad gateway\n");
    }
    int status = config.status() == ErrorPages.Status.ORIGINAL ? original : answer.status();
    if (status < 200 || status > 599) {
      return LocalResponse.text(502, "bad gateway\n");
    }
    HttpHeaders headers = new DefaultHttpHeaders();
    for (Map.Entry<String, String> h : answer.headers()) {
      if (!NOT_RELAYED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        headers.add(h.getKey(), h.getValue());
      }
    }
    return new LocalResponse(status, headers, answer.body().length == 0 ? LocalResponse.Body.EMPTY
        : new LocalResponse.Body.Bytes(Unpooled.wrappedBuffer(answer.body())));
  }
}
