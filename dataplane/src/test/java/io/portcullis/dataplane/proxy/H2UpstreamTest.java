package io.portcullis.dataplane.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.proxy.HpackBlocks.Representation;
import io.portcullis.dataplane.testing.LoopbackServer;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.dataplane.tls.TestPki;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.Protocol;
import io.portcullis.snapshot.ClusterPolicy.UpstreamTls;
import io.portcullis.snapshot.Endpoint;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** HTTP/1.1 clients through the proxy to HTTP/2 backends: h2c and h2 over TLS, multiplexing. */
class H2UpstreamTest {
  private final TestPki pki = new TestPki();
  private H2TestBackend backend;
  private ClusterProxy proxy;

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private void start(H2TestBackend b, ClusterPolicy policy, int loops) {
    backend = b;
    int port = b.start();
    proxy = new ClusterProxy(
        new Cluster("default/grpc:50051", List.of(new Endpoint("127.0.0.1", port)), policy), loops);
  }

  private static ClusterPolicy h2c() {
    return ClusterPolicy.DEFAULT.withProtocol(Protocol.H2);
  }

  @Test
  @DisplayName("an h2c backend (prior knowledge) serves GET and POST, and HTTP/2 leaves no trace in the response")
  void h2cServes() throws Exception {
    start(new H2TestBackend(null, 100), h2c(), 1);
    HttpResponse<String> r = proxy.get("/hello?x=1");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("GET /hello?x=1 ", r.body());
    assertEquals("h2", r.headers().firstValue("x-backend").orElse(null));
    assertTrue(r.headers().firstValue("x-http2-stream-id").isEmpty(), r.headers().toString());
    HttpResponse<String> post = proxy.client.send(
        HttpRequest.newBuilder(proxy.uri("/up")).POST(HttpRequest.BodyPublishers.ofString("payload")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals("POST /up payload", post.body());
    assertEquals("127.0.0.1", backend.requestHeaders.get(0).get("x-forwarded-for"));
    assertEquals(1, backend.connections.get(), "both requests on one connection");
  }

  @Test
  @DisplayName("credentials and the request id reach an h2 backend as never-indexed HPACK literals (RFC 7541 7.1.3)")
  void credentialsAreNeverIndexedTowardsTheBackend() throws Exception {
    start(new H2TestBackend(null, 100), h2c(), 1);
    for (String secret : List.of("one", "two")) {
      HttpResponse<String> r = proxy.client.send(
          HttpRequest.newBuilder(proxy.uri("/creds"))
              .header("Authorization", "Bearer " + secret)
              .header("Cookie", "session=" + secret)
              .header("X-Tenant", "acme")
              .build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
    }
    assertEquals(1, backend.connections.get(), "both requests share one backend connection");
    byte[] stream;
    synchronized (backend.received.get(0)) {
      stream = backend.received.get(0).toByteArray();
    }
    HpackBlocks hpack = new HpackBlocks();
    List<byte[]> blocks = HpackBlocks.clientHeaderBlocks(stream);
    assertEquals(2, blocks.size());
    List<Map.Entry<String, Representation>> fields = List.of();
    for (byte[] block : blocks) {
      fields = hpack.read(block);
      for (String name : List.of("authorization", "cookie", "x-request-id")) {
        assertTrue(fields.contains(Map.entry(name, Representation.NEVER_INDEXED)), name + " in " + fields);
        assertTrue(fields.stream().noneMatch(f -> f.getKey().equals(name)
            && f.getValue() != Representation.NEVER_INDEXED), name + " in " + fields);
      }
    }
    // Other fields still use the table: the second request sends x-tenant as a reference.
    assertTrue(fields.contains(Map.entry("x-tenant", Representation.INDEXED)), fields.toString());
  }

  @Test
  @DisplayName("an h2 backend over TLS is reached through ALPN h2, verified against its CA")
  void h2OverTls() throws Exception {
    var cert = pki.issue("test/h2", "grpc.internal");
    start(new H2TestBackend(TestPki.serverContext(cert, "h2"), 100),
        h2c().withTls(new UpstreamTls("grpc.internal", pki.caPem(), false)), 1);
    HttpResponse<String> r = proxy.get("/secure");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("GET /secure ", r.body());
    assertEquals("h2", r.headers().firstValue("x-backend").orElse(null));
  }

  @Test
  @DisplayName("a stream the backend refuses (REFUSED_STREAM) is sent again, even a POST, since it was never processed")
  void refusedStreamIsRetried() throws Exception {
    start(new H2TestBackend(null, 100), h2c(), 1);
    backend.refuseNext.set(1);
    HttpResponse<String> r = proxy.get("/busy");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("GET /busy ", r.body());
    assertEquals(1, backend.refused.get());

    backend.refuseNext.set(1);
    HttpResponse<String> post = proxy.client.send(
        HttpRequest.newBuilder(proxy.uri("/order")).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, post.statusCode(), post.body());
    assertEquals(2, backend.refused.get());
    assertEquals(2, backend.requestHeaders.size(), "each request processed once");
  }

  @Test
  @DisplayName("a TLS backend that does not agree to h2 gets 502 rather than a protocol mix-up")
  void tlsBackendWithoutH2() throws Exception {
    var cert = pki.issue("test/h1", "web.internal");
    try (TestBackend h1 = new TestBackend().withTls(TestPki.serverContext(cert, "http/1.1"))) {
      int port = h1.start();
      proxy = new ClusterProxy(new Cluster("default/web:443", List.of(new Endpoint("127.0.0.1", port)),
          h2c().withTls(new UpstreamTls("web.internal", pki.caPem(), false))), 1);
      assertEquals(502, proxy.get("/").statusCode());
      assertTrue(h1.requests.isEmpty());
    }
  }

  @Test
  @DisplayName("40 requests in flight at once share one HTTP/2 connection per event loop")
  void multiplexed() throws Exception {
    start(new H2TestBackend(null, 100), h2c(), 2);
    int n = 40;
    backend.gate = n; // no response before all 40 are in flight together
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(proxy.client.sendAsync(
          HttpRequest.newBuilder(proxy.uri("/gate/" + i)).timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = all.get(i).get();
      assertEquals(200, r.statusCode());
      assertEquals("GET /gate/" + i + " ", r.body());
    }
    assertEquals(n, backend.maxHeld.get());
    assertTrue(backend.connections.get() <= 2, "connections: " + backend.connections.get());
  }

  @Test
  @DisplayName("a backend allowing 5 streams per connection gets more connections, never more streams")
  void respectsMaxConcurrentStreams() throws Exception {
    start(new H2TestBackend(null, 5), h2c(), 1);
    assertEquals(200, proxy.get("/warm-up").statusCode()); // the proxy learns the limit
    int n = 20;
    backend.gate = n;
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(proxy.client.sendAsync(
          HttpRequest.newBuilder(proxy.uri("/gate/" + i)).timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> f : all) {
      assertEquals(200, f.get().statusCode());
    }
    // 20 streams in flight at 5 per connection: at least 4 connections.
    assertTrue(backend.connections.get() >= 4, "connections: " + backend.connections.get());
  }

  @Test
  @DisplayName("after a GOAWAY the next request goes to a new connection")
  void goAway() throws Exception {
    start(new H2TestBackend(null, 100), h2c(), 1);
    HttpResponse<String> first = proxy.get("/goaway");
    assertEquals(200, first.statusCode(), first.body());
    HttpResponse<String> second = proxy.get("/after");
    assertEquals(200, second.statusCode(), second.body());
    assertEquals("GET /after ", second.body());
    assertEquals(2, backend.connections.get());
  }

  @Test
  @DisplayName("a backend connection lost mid-request fails that request with 502, the next one reconnects")
  void connectionLoss() throws Exception {
    start(new H2TestBackend(null, 100), h2c(), 1);
    assertEquals(502, proxy.get("/die").statusCode());
    await().atMost(Duration.ofSeconds(5)).untilAsserted(
        () -> assertEquals(200, proxy.get("/again").statusCode()));
  }

  @Test
  @DisplayName("an h2 backend that refuses connections gets 502")
  void refused() throws Exception {
    int closedPort = LoopbackServer.closedPort();
    proxy = new ClusterProxy(
        new Cluster("default/x:1", List.of(new Endpoint("127.0.0.1", closedPort)), h2c()), 1);
    assertEquals(502, proxy.get("/").statusCode());
    assertNull(backend);
  }
}
