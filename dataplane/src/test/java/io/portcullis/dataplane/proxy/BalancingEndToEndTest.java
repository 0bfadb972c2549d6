package io.portcullis.dataplane.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.config.RuntimeConfig;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.Policy;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Balancing policies through a real proxy, real loopback backends and the JDK HTTP client. */
class BalancingEndToEndTest {
  private final List<NamedBackend> backends = new ArrayList<>();
  private final LiveConfig config = new LiveConfig();
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private ProxyServer proxy;
  private int proxyPort;

  @BeforeEach
  void start() {
    proxy =
        new ProxyServer(
            ProxySettings.builder()
                .bindAddress("127.0.0.1")
                .port(0)
                .workerThreads(1) // one event loop: one upstream pool to reason about
                .responseTimeout(Duration.ofSeconds(30))
                .shutdownGracePeriod(Duration.ofMillis(100))
                .build(),
            config,
            new ProxyMetrics());
    proxyPort = proxy.start();
  }

  @AfterEach
  void stop() {
    proxy.close();
    backends.forEach(NamedBackend::close);
  }

  private NamedBackend backend(String name) {
    NamedBackend b = new NamedBackend(name);
    b.start();
    backends.add(b);
    return b;
  }

  private void apply(ClusterPolicy.LoadBalancer lb, NamedBackend... members) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (NamedBackend b : members) {
      endpoints.add(new Endpoint("127.0.0.1", b.port));
    }
    ClusterPolicy policy = new ClusterPolicy(null, null, lb, 0, null, null, null, 0, null);
    config.apply(
        Snapshot.of(
            List.of(
                new VirtualHost(
                    "*",
                    List.of(Route.of("all", RouteMatch.path(new PathMatch.Prefix("/")), RouteAction.Forward.to("svc"))))),
            List.of(new Cluster("svc", endpoints, policy)),
            null));
  }

  private HttpResponse<String> get(String path, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + path));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void leastRequestSendsNewRequestsAwayFromTheBackendThatIsStillBusy() throws Exception {
    NamedBackend a = backend("a");
    NamedBackend b = backend("b");
    apply(ClusterPolicy.LoadBalancer.of(Policy.LEAST_REQUEST), a, b);
    var slow =
        client.sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/hang")).build(),
            HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(10)).until(() -> a.held.size() + b.held.size() == 1);
    NamedBackend busy = a.held.isEmpty() ? b : a;
    NamedBackend idle = busy == a ? b : a;
    for (int i = 0; i < 20; i++) {
      assertEquals(idle.name, get("/quick", null).body());
    }
    assertEquals(0, busy.served.get(), "round robin would have sent half of them to the busy one");
    busy.releaseHeld();
    assertEquals(busy.name, slow.get().body());
    // Both idle again: new requests spread over both once more.
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      names.add(get("/quick", null).body());
    }
    assertTrue(names.contains("a") && names.contains("b"), names.toString());
    for (var e : config.current().cluster("svc").endpoints()) {
      assertEquals(0, e.activeRequests(), "every finished request gave its count back: " + e);
      assertEquals(0, e.failures());
    }
  }

  @Test
  void cookieAffinityIssuesACookieAndLaterRequestsStickToItsBackend() throws Exception {
    NamedBackend a = backend("a");
    NamedBackend b = backend("b");
    NamedBackend c = backend("c");
    apply(
        new ClusterPolicy.LoadBalancer(
            Policy.COOKIE_AFFINITY, null, null, new ClusterPolicy.AffinityCookie("pc-route", 300, null)),
        a, b, c);
    HttpResponse<String> first = get("/cart", "theme=dark");
    String setCookie = first.headers().firstValue("set-cookie").orElseThrow();
    assertTrue(setCookie.matches("pc-route=[0-9a-f]{12}; Path=/; Max-Age=300; HttpOnly"), setCookie);
    assertTrue(!setCookie.contains("127.0.0.1"));
    String home = first.body();
    String cookie = "theme=dark; " + setCookie.substring(0, setCookie.indexOf(';'));
    for (int i = 0; i < 15; i++) {
      HttpResponse<String> again = get("/cart", cookie);
      assertEquals(home, again.body());
      assertTrue(again.headers().firstValue("set-cookie").isEmpty(), "no new cookie for a valid one");
    }
    // Without the cookie round robin moves on; a stale or forged cookie gets a fresh one.
    HttpResponse<String> forged = get("/cart", "pc-route=000000000000");
    String reissued = forged.headers().firstValue("set-cookie").orElseThrow();
    assertTrue(reissued.startsWith("pc-route="), reissued);
    assertNotEquals("pc-route=000000000000", reissued.substring(0, reissued.indexOf(';')));
  }

  @Test
  void anEndpointOnlyChangeKeepsPooledConnectionsToSurvivorsAndClosesTheRemovedOnes()
      throws Exception {
    NamedBackend a = backend("a");
    NamedBackend b = backend("b");
    NamedBackend c = backend("c");
    apply(ClusterPolicy.LoadBalancer.ROUND_ROBIN, a, b);
    get("/", null);
    get("/", null);
    assertEquals(1, a.opened.get());
    assertEquals(1, b.opened.get());
    RuntimeConfig before = config.current();
    apply(ClusterPolicy.LoadBalancer.ROUND_ROBIN, a, c);
    assertTrue(config.current().sharesRoutingIndexWith(before));
    await().atMost(Duration.ofSeconds(10)).until(() -> b.closed.get() == 1);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      names.add(get("/", null).body());
    }
    assertEquals(2, names.stream().filter("a"::equals).count());
    assertEquals(2, names.stream().filter("c"::equals).count());
    assertEquals(1, a.opened.get(), "the survivor's pooled connection was reused");
    assertEquals(0, a.closed.get());
    assertEquals(1, c.opened.get());
  }

  /** A backend that answers its name, holds {@code /hang} until released, counts connections. */
  static final class NamedBackend implements AutoCloseable {
    final String name;
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    final AtomicInteger served = new AtomicInteger();
    final Queue<ChannelHandlerContext> held = new ConcurrentLinkedQueue<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private Channel server;
    int port;

    NamedBackend(String name) {
      this.name = name;
    }

    void start() {
      server =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      opened.incrementAndGet();
                      ch.closeFuture().addListener(f -> closed.incrementAndGet());
                      ch.pipeline()
                          .addLast(new HttpServerCodec())
                          .addLast(new HttpObjectAggregator(1 << 16))
                          .addLast(
                              new SimpleChannelInboundHandler<FullHttpRequest>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                  if (req.uri().startsWith("/hang")) {
                                    held.add(ctx);
                                    return;
                                  }
                                  served.incrementAndGet();
                                  answer(ctx);
                                }
                              });
                    }
                  })
              .bind("127.0.0.1", 0)
              .syncUninterruptibly()
              .channel();
      port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    private void answer(ChannelHandlerContext ctx) {
      byte[] body = name.getBytes(StandardCharsets.UTF_8);
      var response =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
      ctx.writeAndFlush(response);
    }

    void releaseHeld() {
      ChannelHandlerContext ctx;
      while ((ctx = held.poll()) != null) {
        ChannelHandlerContext c = ctx;
        c.executor().execute(() -> answer(c));
      }
    }

    @Override
    public void close() {
      if (server != null) {
        server.close().syncUninterruptibly();
      }
      group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS).syncUninterruptibly();
    }
  }
}
