package io.portcullis.dataplane.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelPipeline;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.clientaddress.ClientAddressSettings;
import io.portcullis.dataplane.clientaddress.ProxyProtocol;
import io.portcullis.dataplane.clientaddress.TrustedProxies;
import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.dataplane.config.RouteDecision;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterChain;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.dataplane.log.AccessLogEntry;
import io.portcullis.dataplane.log.AccessLogHandler;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.dataplane.tls.TestPki;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The real client address through real sockets: PROXY protocol headers written byte by byte,
 * {@code X-Forwarded-For} chains from trusted and untrusted peers, and the per-client connection
 * limit. Every case checks what the consumers saw: a filter's {@code clientAddress()}, the
 * backend's {@code X-Forwarded-For}, the access log's {@code client}.
 */
class ClientAddressTest {
  private final TestBackend backend = new TestBackend();
  private final ProxyMetrics metrics = new ProxyMetrics();
  /** What a filter saw as the client, one per request. */
  private final List<InetAddress> seenByFilter = new CopyOnWriteArrayList<>();
  /** The request's scheme as a filter saw it, one per request. */
  private final List<String> schemeSeenByFilter = new CopyOnWriteArrayList<>();
  private final List<AccessLogEntry> accessLog = new CopyOnWriteArrayList<>();
  private ProxyServer proxy;
  private int port;

  private void start(ClientAddressSettings clientAddresses) {
    start(clientAddresses, Duration.ofSeconds(10));
  }

  private void start(ClientAddressSettings clientAddresses, Duration headerTimeout) {
    int backendPort = backend.start();
    ClusterRuntime cluster =
        new ClusterRuntime(new Cluster("c1", List.of(new Endpoint("127.0.0.1", backendPort))));
    HttpFilter recorder = new HttpFilter() {
      @Override
      public FilterAction onRequest(io.portcullis.dataplane.filter.FilterContext ctx) {
        seenByFilter.add(ctx.clientAddress());
        schemeSeenByFilter.add(ctx.head().scheme());
        return FilterAction.proceed();
      }
    };
    Router router = (RequestHead head) -> new RouteDecision.Forward("r1", cluster, head.path(), 0)
        .withFilters(new FilterChain(List.of(recorder)));
    proxy = new ProxyServer(
        ProxySettings.builder()
            .bindAddress("127.0.0.1")
            .port(0)
            .workerThreads(2)
            .headerReadTimeout(headerTimeout)
            .clientAddresses(clientAddresses)
            .build(),
        router, metrics);
    proxy.hooks(new ConnectionHooks() {
      @Override
      public void afterHttp1Codec(ChannelPipeline pipeline) {
        pipeline.addLast(new AccessLogHandler(accessLog::add, clientAddresses.trustedProxies()));
      }
    });
    port = proxy.start();
  }

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    backend.close();
  }

  private static ClientAddressSettings proxyProtocol(ProxyProtocol mode) {
    return ClientAddressSettings.DEFAULT.withProxyProtocol(mode);
  }

  private static ClientAddressSettings trusting(String cidrs) {
    return ClientAddressSettings.DEFAULT.withTrustedProxies(TrustedProxies.parse(cidrs));
  }

  // ------------------------------------------------------------------ PROXY protocol

  @Nested
  class ProxyProtocolHeaders {
    @Test
    @DisplayName("a v1 header names the client for filters, the access log and X-Forwarded-For")
    void v1() throws IOException {
      start(proxyProtocol(ProxyProtocol.ANY));
      String response = send(ascii("PROXY TCP4 203.0.113.7 10.0.0.1 51234 443\r\n"), get("/a"));
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      assertClientEverywhere("203.0.113.7");
    }

    @Test
    @DisplayName("a v2 header with an IPv4 source names the client")
    void v2Ipv4() throws IOException {
      start(proxyProtocol(ProxyProtocol.V2));
      byte[] header = v2(0x21, 0x11, addresses(new byte[] {(byte) 198, 51, 100, 23},
          new byte[] {10, 0, 0, 1}, 40000, 80));
      String response = send(header, get("/a"));
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      assertClientEverywhere("198.51.100.23");
    }

    @Test
    @DisplayName("a v2 header with an IPv6 source names the client")
    void v2Ipv6() throws IOException {
      start(proxyProtocol(ProxyProtocol.ANY));
      byte[] source = InetAddress.getByName("2001:db8::7").getAddress();
      byte[] dest = InetAddress.getByName("2001:db8::1").getAddress();
      String response = send(v2(0x21, 0x21, addresses(source, dest, 40000, 443)), get("/a"));
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      assertClientEverywhere("2001:db8:0:0:0:0:0:7");
    }

    @Test
    @DisplayName("a v2 LOCAL header (the balancer's own check) leaves the TCP peer as the client")
    void v2Local() throws IOException {
      start(proxyProtocol(ProxyProtocol.V2));
      String response = send(v2(0x20, 0x00, new byte[0]), get("/a"));
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      assertClientEverywhere("127.0.0.1");
    }

    @Test
    @DisplayName("a v2 header with TLVs is read past them")
    void v2WithTlvs() throws IOException {
      start(proxyProtocol(ProxyProtocol.V2));
      byte[] addresses = addresses(new byte[] {(byte) 192, 0, 2, 9}, new byte[] {10, 0, 0, 1},
          1, 2);
      // PP2_TYPE_AUTHORITY (0x02) "shop" and a vendor TLV (0xEA), as AWS sends.
      byte[] tlvs = {0x02, 0x00, 0x04, 's', 'h', 'o', 'p', (byte) 0xEA, 0x00, 0x02, 0x01, 0x02};
      ByteBuffer body = ByteBuffer.allocate(addresses.length + tlvs.length).put(addresses).put(tlvs);
      String response = send(v2(0x21, 0x11, body.array()), get("/a"));
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      assertClientEverywhere("192.0.2.9");
    }

    @Test
    @DisplayName("a connection without a header is closed without an answer")
    void missingHeader() throws IOException {
      start(proxyProtocol(ProxyProtocol.ANY));
      assertEquals("", send(new byte[0], get("/a")));
      assertEquals(0, backend.hits.get());
      await().atMost(5, TimeUnit.SECONDS).until(() -> scrape().contains(
          "portcullis_proxy_protocol_rejected_total{reason=\"invalid\"} 1.0"));
    }

    @Test
    @DisplayName("a garbled v2 header (bad version nibble) is closed without an answer")
    void garbledV2() throws IOException {
      start(proxyProtocol(ProxyProtocol.ANY));
      byte[] header = v2(0x21, 0x11, addresses(new byte[] {1, 2, 3, 4}, new byte[] {5, 6, 7, 8},
          1, 2));
      header[12] = 0x31; // version 3
      assertEquals("", send(header, get("/a")));
      assertEquals(0, backend.hits.get());
    }

    @Test
    @DisplayName("a v1 header on a v2-only listener is closed, and counted as a version mismatch")
    void wrongVersion() throws IOException {
      start(proxyProtocol(ProxyProtocol.V2));
      assertEquals("", send(ascii("PROXY TCP4 203.0.113.7 10.0.0.1 51234 443\r\n"), get("/a")));
      await().atMost(5, TimeUnit.SECONDS).until(() -> scrape().contains(
          "portcullis_proxy_protocol_rejected_total{reason=\"version\"} 1.0"));
    }

    @Test
    @DisplayName("a connection that sends no header within the header-read timeout is closed")
    void headerTimeout() throws IOException {
      start(proxyProtocol(ProxyProtocol.ANY), Duration.ofMillis(300));
      try (Socket s = connect(null)) {
        s.getOutputStream().write(ascii("PROXY TCP4 "));
        s.getOutputStream().flush();
        assertEquals(-1, s.getInputStream().read(), "closed, nothing written");
      }
      await().atMost(5, TimeUnit.SECONDS).until(() -> scrape().contains(
          "portcullis_proxy_protocol_rejected_total{reason=\"timeout\"} 1.0"));
    }

    @Test
    @DisplayName("HTTP/2 streams (h2c after the header) see their connection's PROXY source")
    void http2Streams() throws Exception {
      start(proxyProtocol(ProxyProtocol.V1));
      try (H2TestClient client = H2TestClient.h2cAfter(port,
          ascii("PROXY TCP6 2001:db8::9 2001:db8::1 1 80\r\n"))) {
        assertEquals(200, client.get("localhost", "/one").get(10, TimeUnit.SECONDS).status());
        assertEquals(200, client.get("localhost", "/two").get(10, TimeUnit.SECONDS).status());
      }
      assertEquals(2, seenByFilter.size());
      for (InetAddress seen : seenByFilter) {
        assertEquals("2001:db8:0:0:0:0:0:9", seen.getHostAddress());
      }
      await().atMost(5, TimeUnit.SECONDS).until(() -> accessLog.size() == 2);
      assertEquals("2001:db8:0:0:0:0:0:9", accessLog.get(1).client());
      assertEquals("2001:db8:0:0:0:0:0:9", backend.requests.get(1).headers().get("x-forwarded-for"));
    }

    @Test
    @DisplayName("the header comes before TLS on the HTTPS listener")
    void beforeTls() throws Exception {
      start(proxyProtocol(ProxyProtocol.V1));
      TestPki pki = new TestPki();
      var cert = pki.issue("default/shop", "shop.example.com");
      io.netty.handler.ssl.SslContext context = TestPki.serverContext(cert, "h2", "http/1.1");
      int httpsPort = proxy.startHttps(0, sni -> context);
      {
        try (Socket raw = new Socket()) {
          raw.connect(new InetSocketAddress("127.0.0.1", httpsPort), 5000);
          raw.setSoTimeout(10_000);
          raw.getOutputStream().write(ascii("PROXY TCP4 203.0.113.8 10.0.0.1 1 443\r\n"));
          SSLSocket tls = (SSLSocket) pki.clientContext().getSocketFactory()
              .createSocket(raw, "shop.example.com", httpsPort, true);
          tls.startHandshake();
          tls.getOutputStream().write(get("/tls"));
          String response = readAll(tls.getInputStream());
          assertTrue(response.startsWith("HTTP/1.1 200"), response);
        }
      }
      assertClientEverywhere("203.0.113.8");
    }
  }

  // ------------------------------------------------------------------ X-Forwarded-For

  @Nested
  class ForwardedForChains {
    @Test
    @DisplayName("from a trusted peer, the walk skips trusted hops and the chain is passed on")
    void trustedChain() throws IOException {
      start(trusting("127.0.0.0/8, 10.0.0.0/8"));
      String response = send(new byte[0],
          get("/a", "X-Forwarded-For: 6.6.6.6, 198.51.100.1, 10.0.0.5"));
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      assertEquals("198.51.100.1", seenByFilter.get(0).getHostAddress());
      await().atMost(5, TimeUnit.SECONDS).until(() -> accessLog.size() == 1);
      assertEquals("198.51.100.1", accessLog.get(0).client());
      assertEquals("6.6.6.6, 198.51.100.1, 10.0.0.5, 127.0.0.1",
          backend.requests.get(0).headers().get("x-forwarded-for"));
    }

    @Test
    @DisplayName("several X-Forwarded-For lines are one list, walked from the last")
    void severalLines() throws IOException {
      start(trusting("127.0.0.1"));
      send(new byte[0], get("/a", "X-Forwarded-For: 192.0.2.1", "X-Forwarded-For: 192.0.2.2"));
      assertEquals("192.0.2.2", seenByFilter.get(0).getHostAddress());
    }

    @Test
    @DisplayName("an unparseable entry stops the walk at the last trusted hop")
    void unparseable() throws IOException {
      start(trusting("127.0.0.0/8, 10.0.0.0/8"));
      send(new byte[0], get("/a", "X-Forwarded-For: 198.51.100.1, unknown, 10.0.0.5"));
      assertEquals("10.0.0.5", seenByFilter.get(0).getHostAddress());
    }

    @Test
    @DisplayName("an untrusted peer's X-Forwarded-For is ignored and replaced upstream")
    void spoofedFromUntrustedPeer() throws IOException {
      start(trusting("10.0.0.0/8"));
      String response = send(new byte[0], get("/a", "X-Forwarded-For: 10.0.0.1, 1.2.3.4"));
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      assertClientEverywhere("127.0.0.1");
    }

    @Test
    @DisplayName("a trusted peer's X-Forwarded-Proto is the request's scheme, for filters and the backend")
    void forwardedProtoFromTrustedPeer() throws IOException {
      start(trusting("127.0.0.1"));
      send(new byte[0], get("/a", "X-Forwarded-Proto: HTTPS"));
      send(new byte[0], get("/b", "X-Forwarded-Proto: https, http")); // which hop's? neither
      send(new byte[0], get("/c", "X-Forwarded-Proto: gopher"));
      assertEquals(List.of("https", "http", "http"), schemeSeenByFilter);
      assertEquals("https", backend.requests.get(0).headers().get("x-forwarded-proto"));
      assertEquals("http", backend.requests.get(1).headers().get("x-forwarded-proto"));
      assertEquals("http", backend.requests.get(2).headers().get("x-forwarded-proto"));
    }

    @Test
    @DisplayName("an untrusted peer's X-Forwarded-Proto is ignored and replaced upstream")
    void forwardedProtoFromUntrustedPeer() throws IOException {
      start(trusting("10.0.0.0/8"));
      send(new byte[0], get("/a", "X-Forwarded-Proto: https"));
      assertEquals(List.of("http"), schemeSeenByFilter);
      assertEquals("http", backend.requests.get(0).headers().get("x-forwarded-proto"));
    }

    @Test
    @DisplayName("PROXY source and X-Forwarded-For together: the source is the peer that is trusted or not")
    void proxyThenForwardedFor() throws IOException {
      start(proxyProtocol(ProxyProtocol.V1).withTrustedProxies(TrustedProxies.parse("10.0.0.0/8")));
      send(ascii("PROXY TCP4 10.1.1.1 10.0.0.2 1 80\r\n"),
          get("/a", "X-Forwarded-For: 203.0.113.50"));
      assertEquals("203.0.113.50", seenByFilter.get(0).getHostAddress());
      assertEquals("203.0.113.50, 10.1.1.1",
          backend.requests.get(0).headers().get("x-forwarded-for"));
    }
  }

  // ------------------------------------------------------------------ connection limit

  @Nested
  class ConnectionLimit {
    @Test
    @DisplayName("the N+1th connection of a client is closed at once; one closing lets the next in")
    void refusesOverTheLimit() throws IOException {
      start(ClientAddressSettings.DEFAULT.withMaxConnectionsPerClient(2));
      try (Socket a = connect(null); Socket b = connect(null)) {
        assertTrue(exchangeKeepAlive(a).startsWith("HTTP/1.1 200"));
        assertTrue(exchangeKeepAlive(b).startsWith("HTTP/1.1 200"));
        try (Socket c = connect(null)) {
          assertEquals(-1, c.getInputStream().read(), "refused: closed without an answer");
        }
        // Another address is counted on its own.
        try (Socket other = connect("127.0.0.2")) {
          assertTrue(exchangeKeepAlive(other).startsWith("HTTP/1.1 200"));
        }
        a.close();
        await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> {
          try (Socket d = connect(null)) {
            assertTrue(exchangeKeepAlive(d).startsWith("HTTP/1.1 200"));
          }
        });
      }
      assertTrue(scrape().contains("portcullis_client_connections_refused_total 1.0"), scrape());
    }

    @Test
    @DisplayName("with the PROXY protocol the limit counts the PROXY source, not the balancer")
    void countsProxySource() throws IOException {
      start(proxyProtocol(ProxyProtocol.V1).withMaxConnectionsPerClient(1));
      try (Socket a = connect(null); Socket b = connect(null); Socket c = connect(null)) {
        a.getOutputStream().write(ascii("PROXY TCP4 192.0.2.1 10.0.0.1 1 80\r\n"));
        assertTrue(exchangeKeepAlive(a).startsWith("HTTP/1.1 200"));
        b.getOutputStream().write(ascii("PROXY TCP4 192.0.2.2 10.0.0.1 1 80\r\n"));
        assertTrue(exchangeKeepAlive(b).startsWith("HTTP/1.1 200"));
        c.getOutputStream().write(ascii("PROXY TCP4 192.0.2.1 10.0.0.1 2 80\r\n"));
        c.getOutputStream().write(get("/a"));
        assertClosedWithoutAnswer(c, "a second connection of 192.0.2.1");
      }
    }

    /**
     * The proxy closed {@code socket} without a byte of answer. A close with the request still
     * unread in the proxy's receive buffer is a reset (RFC 2525 2.17; Linux does it), and the
     * request races with the close: end of stream and a reset both mean refused.
     */
    private void assertClosedWithoutAnswer(Socket socket, String why) throws IOException {
      int first;
      try {
        first = socket.getInputStream().read();
      } catch (java.net.SocketException reset) {
        assertTrue(String.valueOf(reset.getMessage()).contains("reset"), why + ": " + reset);
        return;
      }
      assertEquals(-1, first, why);
    }

    @Test
    @DisplayName("an HTTP/2 connection counts once, however many streams it carries")
    void http2CountsOnce() throws Exception {
      start(ClientAddressSettings.DEFAULT.withMaxConnectionsPerClient(1));
      try (H2TestClient client = H2TestClient.h2c(port)) {
        var first = client.get("localhost", "/one");
        var second = client.get("localhost", "/two");
        assertEquals(200, first.get(10, TimeUnit.SECONDS).status());
        assertEquals(200, second.get(10, TimeUnit.SECONDS).status());
        assertEquals("127.0.0.1", seenByFilter.get(0).getHostAddress());
      }
    }

    @Test
    @DisplayName("a flood of distinct addresses leaves nothing behind once they closed")
    void floodOfAddresses() throws IOException {
      start(ClientAddressSettings.DEFAULT.withMaxConnectionsPerClient(1));
      List<Socket> open = new ArrayList<>();
      try {
        for (int i = 0; i < 300; i++) {
          Socket s = connect("127.0." + (1 + i / 250) + "." + (1 + i % 250));
          open.add(s);
          // Keep-alive: the proxy keeps the connection open until the client closes it.
          s.getOutputStream().write(ascii("GET /flood HTTP/1.1\r\nHost: shop.example.com\r\n\r\n"));
        }
        await().atMost(20, TimeUnit.SECONDS)
            .until(() -> scrape().contains("portcullis_client_connection_addresses 300.0"));
      } finally {
        for (Socket s : open) {
          s.close();
        }
      }
      await().atMost(20, TimeUnit.SECONDS)
          .until(() -> scrape().contains("portcullis_client_connection_addresses 0.0"));
      assertTrue(scrape().contains("portcullis_client_connections_refused_total 0.0"), scrape());
    }
  }

  // ------------------------------------------------------------------ helpers

  private void assertClientEverywhere(String client) {
    await().atMost(5, TimeUnit.SECONDS).until(() -> accessLog.size() == 1);
    assertEquals(client, seenByFilter.get(0).getHostAddress(), "filter");
    assertEquals(client, accessLog.get(0).client(), "access log");
    assertEquals(client, backend.requests.get(0).headers().get("x-forwarded-for"), "upstream");
  }

  private Socket connect(String source) throws IOException {
    Socket s = new Socket();
    if (source != null) {
      s.bind(new InetSocketAddress(source, 0));
    }
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(10_000);
    return s;
  }

  /** Writes {@code prefix} then {@code request} on a new connection; everything read back. */
  private String send(byte[] prefix, byte[] request) throws IOException {
    try (Socket s = connect(null)) {
      s.getOutputStream().write(prefix);
      s.getOutputStream().write(request);
      s.getOutputStream().flush();
      try {
        return readAll(s.getInputStream());
      } catch (java.net.SocketException reset) {
        return ""; // closed with unread bytes: a reset is as good as a close
      }
    }
  }

  /** One keep-alive request; returns the status line and headers (the body is short). */
  private static String exchangeKeepAlive(Socket s) throws IOException {
    s.getOutputStream().write(ascii("GET /k HTTP/1.1\r\nHost: shop.example.com\r\n\r\n"));
    s.getOutputStream().flush();
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    String text = head.toString();
    int length = 0;
    for (String line : text.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.readNBytes(length);
    return text;
  }

  private static byte[] get(String path, String... headers) {
    StringBuilder r = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: shop.example.com\r\n");
    for (String h : headers) {
      r.append(h).append("\r\n");
    }
    return ascii(r.append("Connection: close\r\n\r\n").toString());
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * A PROXY v2 header: the 12-byte signature, version/command, family/protocol, length, body.
   *
   * @param versionCommand 0x21 PROXY, 0x20 LOCAL
   * @param familyProtocol 0x11 TCP over IPv4, 0x21 TCP over IPv6, 0x00 unspecified
   */
  static byte[] v2(int versionCommand, int familyProtocol, byte[] body) {
    byte[] signature = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    return ByteBuffer.allocate(16 + body.length)
        .put(signature)
        .put((byte) versionCommand)
        .put((byte) familyProtocol)
        .putShort((short) body.length)
        .put(body)
        .array();
  }

  /** Source and destination addresses, then ports, as v2 lays them out. */
  static byte[] addresses(byte[] source, byte[] destination, int sourcePort, int destPort) {
    return ByteBuffer.allocate(source.length * 2 + 4)
        .put(source)
        .put(destination)
        .putShort((short) sourcePort)
        .putShort((short) destPort)
        .array();
  }

  private String scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter(false)
        .write(out, metrics.registry().scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toString(StandardCharsets.ISO_8859_1);
  }
}
