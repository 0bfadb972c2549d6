package io.portcullis.dataplane.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.testing.LoopbackServer;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.HeaderRewrite;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** HTTP/2 clients on the plain port (h2c with prior knowledge), proxied to HTTP/1.1 backends. */
class Http2DownstreamTest {
  private static final int PING_LIMIT = 50;
  private final TestBackend backend = new TestBackend();
  private final BulkBackend bulk = new BulkBackend();
  private final SinkBackend sink = new SinkBackend();
  private final ProxyMetrics metrics = new ProxyMetrics();
  private ProxyServer proxy;
  private int proxyPort;

  @BeforeEach
  void start() {
    int backendPort = backend.start();
    int bulkPort = bulk.start();
    int sinkPort = sink.start();
    proxy =
        new ProxyServer(
            ProxySettings.builder()
                .bindAddress("127.0.0.1")
                .port(0)
                .workerThreads(2)
                .http2MaxControlFramesPerWindow(PING_LIMIT)
                // goAwayAll's stream in flight must finish within the grace period: 2 MB through
                // the proxy took over the default 10 s on a loaded 2-core machine.
                .shutdownGracePeriod(Duration.ofSeconds(60))
                .build(),
            head -> ProxyServerTest.forward(
                head,
                head.path().startsWith("/bulk") ? bulkPort
                    : head.path().startsWith("/sink") ? sinkPort : backendPort,
                HeaderRewrite.NONE, HeaderRewrite.NONE),
            metrics);
    proxyPort = proxy.start();
  }

  @AfterEach
  void stop() {
    proxy.close();
    backend.close();
    bulk.close();
    sink.close();
  }

  @Test
  @DisplayName("an h2c client with prior knowledge is proxied to an HTTP/1.1 backend and back")
  void priorKnowledgeGet() throws Exception {
    try (H2TestClient client = H2TestClient.h2c(proxyPort)) {
      H2TestClient.Response r = client.get("shop.example.com", "/a/b?q=1").get(10, TimeUnit.SECONDS);
      assertEquals(200, r.status());
      assertEquals("GET /a/b?q=1 ", r.text());
      assertEquals("yes", r.headers().get("x-backend").toString());
      // Connection-specific headers never appear in HTTP/2 (the client's codec would also refuse them).
      for (String name : List.of("connection", "keep-alive", "transfer-encoding", "x-backend-private")) {
        assertNull(r.headers().get(name), name);
      }
    }
    TestBackend.Seen seen = backend.requests.get(0);
    assertEquals("shop.example.com", seen.headers().get("host"), ":authority becomes Host");
    assertEquals("http", seen.headers().get("x-forwarded-proto"));
    assertEquals("127.0.0.1", seen.headers().get("x-forwarded-for"));
    seen.headers().names().forEach(n -> assertFalse(n.toLowerCase().startsWith("x-http2"), n));
  }

  @Test
  @DisplayName("a request body sent over h2 without content-length reaches the backend whole")
  void postWithoutLength() throws Exception {
    byte[] body = "x".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
    try (H2TestClient client = H2TestClient.h2c(proxyPort)) {
      H2TestClient.Response r = client.post("localhost", "/upload", body).get(10, TimeUnit.SECONDS);
      assertEquals(200, r.status());
      assertEquals("POST /upload " + "x".repeat(100_000), r.text());
    }
  }

  @Test
  @DisplayName("an HTTP/1.1 POST and PUT on the plain port are not mistaken for the h2c preface")
  void http1StillWorks() throws Exception {
    for (String method : List.of("POST", "PUT", "PATCH", "GET")) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", proxyPort), 5000);
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        // The first byte alone first: the detector must wait for a second one, then pass both on.
        out.write(method.substring(0, 1).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        out.write((method.substring(1) + " /m HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
            + "Connection: close\r\n\r\nhi").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String response = readAll(s.getInputStream());
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        assertTrue(response.endsWith(method + " /m hi"), response);
      }
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> activeConnections() == 0);
  }

  @Test
  @DisplayName("100 concurrent streams on one connection are all answered with their own bodies")
  void hundredConcurrentStreams() throws Exception {
    try (H2TestClient client = H2TestClient.h2c(proxyPort)) {
      List<CompletableFuture<H2TestClient.Response>> responses = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        byte[] body = ("body-" + i + "-" + "y".repeat(i * 37)).getBytes(StandardCharsets.US_ASCII);
        responses.add(client.post("localhost", "/s/" + i, body));
      }
      for (int i = 0; i < 100; i++) {
        H2TestClient.Response r = responses.get(i).get(20, TimeUnit.SECONDS);
        assertEquals(200, r.status(), "stream " + i);
        assertEquals("POST /s/" + i + " body-" + i + "-" + "y".repeat(i * 37), r.text());
      }
      assertEquals(1, activeConnections(), "one client connection, counted once");
    }
  }

  @Test
  @DisplayName("a client that stops reading a large response stalls the backend instead of filling the proxy")
  void slowReaderGetsFlowControl() throws Exception {
    long size = 32L * 1024 * 1024;
    AtomicLong received = new AtomicLong();
    AtomicBoolean ended = new AtomicBoolean();
    AtomicInteger mismatches = new AtomicInteger();
    try (H2TestClient client = H2TestClient.h2c(proxyPort)) {
      Http2StreamChannel stream = client.open(new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          try {
            if (msg instanceof Http2DataFrame data) {
              ByteBuf c = data.content();
              long offset = received.get();
              byte[] bytes = new byte[c.readableBytes()];
              c.getBytes(c.readerIndex(), bytes); // one access (leak detection records each)
              for (byte b : bytes) {
                if (b != BulkBackend.byteAt(offset++)) {
                  mismatches.incrementAndGet();
                }
              }
              received.addAndGet(c.readableBytes());
              ended.compareAndSet(false, data.isEndStream());
            } else if (msg instanceof Http2HeadersFrame h && h.isEndStream()) {
              ended.set(true);
            }
          } finally {
            ReferenceCountUtil.release(msg);
          }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
          ctx.channel().parent().flush(); // the WINDOW_UPDATEs for what we consumed
        }
      });
      stream.config().setAutoRead(false); // read nothing: no WINDOW_UPDATE reaches the proxy
      stream.writeAndFlush(new DefaultHttp2HeadersFrame(
          H2TestClient.request("GET", "localhost", "/bulk?bytes=" + size), true));
      await().atMost(Duration.ofSeconds(10)).until(() -> bulk.sent.get() > 0);
      // While the client reads nothing the backend can only fill the socket buffers in between.
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
          .until(() -> bulk.sent.get() < size / 4);
      long stalledAt = bulk.sent.get();
      System.out.println("slow reader: backend stalled after " + stalledAt + " of " + size + " bytes");
      // Reading again resumes the flow end to end (the whole body is not needed to show that, and
      // it costs seconds under paranoid leak detection).
      stream.eventLoop().execute(() -> stream.config().setAutoRead(true));
      long target = stalledAt + 4L * 1024 * 1024;
      await().atMost(Duration.ofSeconds(60)).until(() -> received.get() > target || ended.get());
      assertTrue(bulk.sent.get() > stalledAt, "the backend was let go on");
      assertEquals(0, mismatches.get(), "body bytes changed on the way");
      stream.close().syncUninterruptibly(); // RST_STREAM mid-body: the proxy drops the backend
      await().atMost(Duration.ofSeconds(10)).until(() -> bulk.closed.get() > 0);
    }
  }

  @Test
  @DisplayName("an upload to a backend that stops reading pauses the client by flow control and resumes")
  void slowBackendUpload() throws Exception {
    // Larger than what the kernel can buffer between proxy and backend (the proxy's send buffer
    // grows to tcp_wmem's 4 MiB), so only flow control can hold the client back.
    int size = 16 * 1024 * 1024;
    byte[] body = new byte[size];
    for (int i = 0; i < size; i++) {
      body[i] = BulkBackend.byteAt(i);
    }
    try (H2TestClient client = H2TestClient.h2c(proxyPort)) {
      CompletableFuture<H2TestClient.Response> upload = new CompletableFuture<>();
      Http2StreamChannel stream = client.open(new H2TestClient.Collector(upload));
      io.netty.channel.ChannelFuture bodyWritten = stream.eventLoop().submit(() -> {
        stream.write(new DefaultHttp2HeadersFrame(
            H2TestClient.request("POST", "localhost", "/sink"), false));
        return stream.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2DataFrame(
            io.netty.buffer.Unpooled.wrappedBuffer(body), true));
      }).get(10, TimeUnit.SECONDS);
      // The backend reads nothing yet. The client's DATA write completes only once every byte went
      // out, which the proxy's windows allow only as fast as the backend takes them: it stalls.
      await().atMost(Duration.ofSeconds(10)).until(() -> sink.connection != null);
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
          .until(() -> !bodyWritten.isDone() && !upload.isDone());
      sink.connection.eventLoop().execute(() -> sink.connection.config().setAutoRead(true));
      H2TestClient.Response r = upload.get(60, TimeUnit.SECONDS);
      assertTrue(bodyWritten.isSuccess());
      assertEquals(200, r.status());
      assertEquals(size + " bytes, intact", r.text());
    }
  }

  @Test
  @DisplayName("a rapid-reset flood gets GOAWAY ENHANCE_YOUR_CALM and a closed connection; others keep working")
  void rapidReset() throws Exception {
    try (H2TestClient attacker = H2TestClient.h2c(proxyPort);
        H2TestClient victim = H2TestClient.h2c(proxyPort)) {
      assertEquals(200, victim.get("localhost", "/before").get(10, TimeUnit.SECONDS).status());
      // HEADERS then RST_STREAM (closing an open stream channel resets it), 20 more than allowed,
      // in one burst; then the attacker stops writing (so the server's close is a FIN, not a reset
      // that could destroy the GOAWAY in flight).
      int resets = ProxySettings.defaults().http2MaxResetsPerWindow() + 20;
      attacker.channel.eventLoop().submit(() -> {
        for (int i = 0; i < resets; i++) {
          Http2StreamChannel stream = new io.netty.handler.codec.http2.Http2StreamChannelBootstrap(
              attacker.channel).handler(new ChannelInboundHandlerAdapter()).open().getNow();
          stream.write(new DefaultHttp2HeadersFrame(
              H2TestClient.request("GET", "localhost", "/hang"), true));
          stream.close();
        }
        attacker.channel.flush();
      }).get(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(10)).until(() -> !attacker.channel.isActive());
      assertEquals(List.of(Http2Error.ENHANCE_YOUR_CALM.code()), attacker.goAways);
      assertEquals(1.0, goAways("flood"));
      for (int i = 0; i < 5; i++) {
        assertEquals(200, victim.get("localhost", "/after" + i).get(10, TimeUnit.SECONDS).status());
      }
      assertTrue(victim.goAways.isEmpty());
    }
  }

  @Test
  @DisplayName("a PING flood gets GOAWAY ENHANCE_YOUR_CALM; pings within the limit are answered")
  void pingFlood() throws Exception {
    try (H2TestClient client = H2TestClient.h2c(proxyPort)) {
      assertEquals(200, client.get("localhost", "/").get(10, TimeUnit.SECONDS).status());
      // One at a time, each answered: the closing server has no unread input (which would turn
      // its close into a reset that can destroy the GOAWAY on its way).
      for (int i = 0; i < PING_LIMIT * 2 && client.channel.isActive(); i++) {
        int acked = i;
        client.channel.writeAndFlush(new DefaultHttp2PingFrame(i));
        await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(2))
            .until(() -> client.pingAcks.get() > acked || !client.goAways.isEmpty());
        if (!client.goAways.isEmpty()) {
          // The client's first SETTINGS counts too.
          assertEquals(PING_LIMIT - 1, i, "pings answered before the GOAWAY");
          break;
        }
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> !client.channel.isActive());
      assertEquals(List.of(Http2Error.ENHANCE_YOUR_CALM.code()), client.goAways);
      assertEquals(1.0, goAways("flood"));
    }
  }

  @Test
  @DisplayName("goAwayAll sends GOAWAY(NO_ERROR); the stream in flight still completes, then the connection closes")
  void goAwayAll() throws Exception {
    try (H2TestClient client = H2TestClient.h2c(proxyPort)) {
      assertEquals(200, client.get("localhost", "/").get(10, TimeUnit.SECONDS).status());
      // A large response is in flight (the client does not read yet) when GOAWAY goes out.
      CompletableFuture<H2TestClient.Response> inFlight = client.get("localhost", "/bulk?bytes=2000000");
      await().atMost(Duration.ofSeconds(10)).until(() -> bulk.sent.get() > 0);
      proxy.goAwayAll();
      await().atMost(Duration.ofSeconds(10)).until(() -> !client.goAways.isEmpty());
      assertEquals(Http2Error.NO_ERROR.code(), client.goAways.get(0));
      assertEquals(1.0, goAways("drain"));
      H2TestClient.Response r = inFlight.get(60, TimeUnit.SECONDS); // 2 MB; slow on a loaded machine
      assertEquals(2_000_000, r.body().length);
      await().atMost(Duration.ofSeconds(10)).until(() -> !client.channel.isActive());
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> activeConnections() == 0);
  }

  @Test
  @DisplayName("request headers over the header limit get 431 on that stream only")
  void headersTooLarge() throws Exception {
    try (H2TestClient client = H2TestClient.h2c(proxyPort)) {
      var headers = H2TestClient.request("GET", "localhost", "/big").add("x-big", "z".repeat(40_000));
      H2TestClient.Response r = client.send(headers, null).get(10, TimeUnit.SECONDS);
      assertEquals(431, r.status());
      assertEquals(200, client.get("localhost", "/small").get(10, TimeUnit.SECONDS).status());
    }
  }

  private double goAways(String reason) {
    return metrics.registry().scrape().stream()
        .filter(s -> s.getMetadata().getName().equals("portcullis_http2_goaway"))
        .flatMap(s -> ((io.prometheus.metrics.model.snapshots.CounterSnapshot) s).getDataPoints().stream())
        .filter(d -> reason.equals(d.getLabels().get("reason")))
        .mapToDouble(d -> d.getValue())
        .sum();
  }

  private double activeConnections() {
    return metrics.registry().scrape().stream()
        .filter(s -> s.getMetadata().getName().equals("portcullis_downstream_active_connections"))
        .mapToDouble(s -> ((io.prometheus.metrics.model.snapshots.GaugeSnapshot) s)
            .getDataPoints().get(0).getValue())
        .findFirst().orElse(-1);
  }

  private static String readAll(InputStream in) throws java.io.IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * Counts and checks an uploaded body ({@link BulkBackend#byteAt} pattern); each connection starts
   * with reading off, a test turns it on through {@link #connection}.
   */
  static final class SinkBackend implements AutoCloseable {
    volatile Channel connection;
    private LoopbackServer server;

    int start() {
      server = LoopbackServer.start(ch -> {
        ch.config().setAutoRead(false);
        connection = ch;
        ch.pipeline().addLast(new HttpServerCodec()).addLast(new Counter());
      });
      return server.port();
    }

    private static final class Counter extends ChannelInboundHandlerAdapter {
      private long count;
      private boolean intact = true;

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
          count = 0;
          intact = true;
        }
        if (msg instanceof io.netty.handler.codec.http.HttpContent content) {
          ByteBuf c = content.content();
          byte[] bytes = new byte[c.readableBytes()];
          c.getBytes(c.readerIndex(), bytes);
          for (byte b : bytes) {
            intact &= b == BulkBackend.byteAt(count++);
          }
        }
        boolean last = msg instanceof LastHttpContent;
        ReferenceCountUtil.release(msg);
        if (last) {
          byte[] answer = (count + " bytes, " + (intact ? "intact" : "CHANGED"))
              .getBytes(StandardCharsets.US_ASCII);
          var response = new io.netty.handler.codec.http.DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.OK, io.netty.buffer.Unpooled.wrappedBuffer(answer));
          response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, answer.length);
          ctx.writeAndFlush(response);
        }
      }
    }

    @Override
    public void close() {
      if (server != null) {
        server.close();
      }
    }
  }

  /**
   * Serves {@code /bulk?bytes=N}: N bytes of a known pattern, written as fast as the connection
   * takes them; {@link #sent} counts the bytes the kernel accepted.
   */
  static final class BulkBackend implements AutoCloseable {
    final AtomicLong sent = new AtomicLong();
    final AtomicInteger closed = new AtomicInteger();
    private LoopbackServer server;

    static byte byteAt(long i) {
      return (byte) (i % 251);
    }

    int start() {
      server = LoopbackServer.start(ch -> ch.pipeline().addLast(new HttpServerCodec()).addLast(new Writer()));
      return server.port();
    }

    private final class Writer extends ChannelInboundHandlerAdapter {
      private long remaining;
      private long offset;

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req) {
          remaining = Long.parseLong(req.uri().substring(req.uri().indexOf('=') + 1));
          offset = 0;
          DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
          head.headers().set(HttpHeaderNames.CONTENT_LENGTH, remaining);
          ctx.write(head);
        }
        boolean last = msg instanceof LastHttpContent;
        ReferenceCountUtil.release(msg);
        if (last) {
          pump(ctx);
        }
      }

      @Override
      public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        pump(ctx);
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        closed.incrementAndGet();
      }

      private boolean pumping;

      private void pump(ChannelHandlerContext ctx) {
        // A flush can report writability again from inside this loop: never re-enter the encoder.
        if (pumping) {
          return;
        }
        pumping = true;
        try {
          do {
            writeWhileWritable(ctx);
            ctx.flush();
          } while (remaining > 0 && ctx.channel().isActive() && ctx.channel().isWritable());
        } finally {
          pumping = false;
        }
      }

      private void writeWhileWritable(ChannelHandlerContext ctx) {
        while (remaining > 0 && ctx.channel().isActive() && ctx.channel().isWritable()) {
          int n = (int) Math.min(16 * 1024, remaining);
          ByteBuf chunk = ctx.alloc().buffer(n);
          for (int i = 0; i < n; i++) {
            chunk.writeByte(byteAt(offset + i));
          }
          offset += n;
          remaining -= n;
          Object part = remaining == 0 ? new io.netty.handler.codec.http.DefaultLastHttpContent(chunk)
              : new DefaultHttpContent(chunk);
          ctx.write(part).addListener(f -> {
            if (f.isSuccess()) {
              sent.addAndGet(n);
            }
          });
        }
      }
    }

    @Override
    public void close() {
      if (server != null) {
        server.close();
      }
    }
  }
}
