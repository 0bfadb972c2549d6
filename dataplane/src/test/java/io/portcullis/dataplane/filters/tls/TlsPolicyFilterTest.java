package io.portcullis.dataplane.filters.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.http.ConnectionTls;
import io.portcullis.dataplane.testing.FakeFilterContext;
import io.portcullis.snapshot.TlsPolicy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Redirect, HSTS and client-certificate decisions of a host's TLS policy, without sockets. */
class TlsPolicyFilterTest {
  private static final TlsPolicy HSTS_HOST =
      new TlsPolicy(null, true, new TlsPolicy.Hsts(100, true));
  private final TlsPolicyFilter filter = new TlsPolicyFilter(HSTS_HOST, () -> 8443, false);

  private static HttpResponse ok() {
    return new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
  }

  @Test
  @DisplayName("HTTPS responses of a host with HSTS carry the header, with includeSubDomains")
  void hsts() {
    var ctx = FakeFilterContext.of("https", "GET", "shop.example.com", "/");
    assertEquals(FilterAction.proceed(), filter.onRequest(ctx));
    HttpResponse response = ok();
    filter.onResponse(ctx, response);
    assertEquals("max-age=100; includeSubDomains",
        response.headers().get("strict-transport-security"));
  }

  @Test
  @DisplayName("a route's own Strict-Transport-Security header wins over the host's")
  void routeHeaderWins() {
    var own = new TlsPolicyFilter(HSTS_HOST, () -> 8443, true);
    var ctx = FakeFilterContext.of("https", "GET", "shop.example.com", "/own");
    HttpResponse response = ok();
    response.headers().set("strict-transport-security", "max-age=1");
    own.onResponse(ctx, response);
    assertEquals("max-age=1", response.headers().get("strict-transport-security"));
  }

  @Test
  @DisplayName("no HSTS over plain HTTP, where browsers must ignore it")
  void noHstsOverHttp() {
    var plain = new TlsPolicyFilter(new TlsPolicy(null, false, new TlsPolicy.Hsts(100, true)),
        () -> 8443, false);
    var ctx = FakeFilterContext.of("http", "GET", "shop.example.com", "/");
    assertEquals(FilterAction.proceed(), plain.onRequest(ctx));
    HttpResponse response = ok();
    plain.onResponse(ctx, response);
    assertNull(response.headers().get("strict-transport-security"));
  }

  @Test
  @DisplayName("plain HTTP is redirected with 308, the Host's case and trailing dot normalised")
  void redirect() {
    var r = assertInstanceOf(FilterAction.Respond.class,
        filter.onRequest(FakeFilterContext.of("http", "GET", "SHOP.example.com.", "/a?q=1")));
    assertEquals(308, r.response().status());
    assertEquals("https://shop.example.com/a?q=1", r.response().headers().get("location"));
    var withPort = assertInstanceOf(FilterAction.Respond.class,
        filter.onRequest(FakeFilterContext.of("http", "GET", "shop.example.com:8080", "/a")));
    assertEquals("https://shop.example.com:8443/a", withPort.response().headers().get("location"));
  }

  @Test
  @DisplayName("a Host that is no DNS name is not put into a Location: the request is served")
  void unsafeHostIsNotRedirected() {
    assertEquals(FilterAction.proceed(),
        filter.onRequest(FakeFilterContext.of("http", "GET", "[::1]:8080", "/")));
  }

  @Test
  @DisplayName("a connection whose handshake enforced client certificates serves only hosts that want them: 421")
  void misdirected() {
    var ctx = FakeFilterContext.of("https", "GET", "shop.example.com", "/")
        .tls(new ConnectionTls(new TlsPolicy.ClientValidation("ns/ca", false), null));
    var r = assertInstanceOf(FilterAction.Respond.class, filter.onRequest(ctx));
    assertEquals(421, r.response().status());
    var noTlsHost = new TlsPolicyFilter(null, () -> 8443, false);
    r = assertInstanceOf(FilterAction.Respond.class, noTlsHost.onRequest(ctx));
    assertEquals(421, r.response().status());
  }
}
