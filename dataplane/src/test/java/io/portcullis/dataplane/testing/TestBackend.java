package io.portcullis.dataplane.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP/1.1 backend on loopback that the dataplane tests proxy to. It records what it saw
 * (requests, connections, SNI names, health checks) and misbehaves on demand, the way real
 * backends do.
 *
 * <p>Every request except a health check is answered by {@link #mode}, unless its path picks a
 * behaviour itself (so one backend serves several cases of a test):
 *
 * <ul>
 *   <li>{@code /hang...}: held like {@link Mode#HANG};
 *   <li>{@code /half...}: half a status line, then the connection closes;
 *   <li>{@code /ws...}: accepts a WebSocket upgrade, then echoes raw bytes;
 *   <li>{@code /flaky...}: closed without an answer (and not recorded) when it is not the first
 *       request on its connection, like a backend whose keep-alive timeout fired just as the proxy
 *       reused the connection.
 * </ul>
 *
 * <p>{@link #HEALTH_PATH} requests get {@link #healthStatus} and are counted apart.
 */
public final class TestBackend implements AutoCloseable {
  /** Requests to this path are health checks: answered with {@link #healthStatus}. */
  public static final String HEALTH_PATH = "/healthz";

  /** A {@link #healthStatus} that makes health checks hang instead. */
  public static final int HANG_HEALTH = 0;

  /** What the backend does with a request. */
  public enum Mode {
    /** Answers 200 (see {@link #answeringItsNameOnly} for the body). */
    OK,
    /** Like {@link #OK}, 100 ms later: requests stay in flight long enough to be cut. */
    SLOW,
    /** Reads the request and holds it, unanswered, until {@link #releaseHeld}. */
    HANG,
    /** Reads the request and resets the connection (RST) without a byte of response. */
    RESET,
    /** Answers 503. */
    UNAVAILABLE,
    /** Sends a 200 head announcing 1000 bytes, 7 of them, then resets. */
    HEAD_THEN_RESET,
    /** Sends a 200 head announcing 1000 bytes, 7 of them, then goes silent. */
    HEAD_THEN_STALL
  }

  /** One request as the backend read it. */
  public record Seen(String method, String uri, HttpHeaders headers, String body) {
    public String host() {
      return headers.get(HttpHeaderNames.HOST);
    }
  }

  /** Null for an unnamed backend; a named one says its name in the body and {@code x-backend}. */
  public final String name;

  public volatile Mode mode;
  public volatile int healthStatus = 200;

  /** Every request read, health checks and dropped {@code /flaky} ones aside. */
  public final List<Seen> requests = new CopyOnWriteArrayList<>();
  /** How many {@link #requests} there were: a counter to wait on. */
  public final AtomicInteger hits = new AtomicInteger();
  /** Responses written, health checks aside. */
  public final AtomicInteger answered = new AtomicInteger();
  /** Requests read and not answered yet: held ones and {@link Mode#SLOW} ones. */
  public final AtomicInteger inFlight = new AtomicInteger();
  public final AtomicInteger connections = new AtomicInteger();
  public final AtomicInteger closedConnections = new AtomicInteger();
  /** SNI names the TLS clients sent (the string "null" for none), when serving TLS. */
  public final List<String> sniNames = new CopyOnWriteArrayList<>();
  public final AtomicInteger healthChecks = new AtomicInteger();
  public volatile String lastHealthHost;

  private final Queue<Held> held = new ConcurrentLinkedQueue<>();
  private SslContext tls;
  private boolean nameOnly;
  private LoopbackServer server;

  private record Held(ChannelHandlerContext ctx, Seen request) {}

  /** An unnamed backend that answers 200 with {@code <method> <uri> <body>}. */
  public TestBackend() {
    this(null, Mode.OK);
  }

  /** A named backend that answers by {@code mode}: 200 with {@code <name> <method> <uri> <body>}. */
  public TestBackend(String name, Mode mode) {
    this.name = name;
    this.mode = mode;
  }

  /** Serves TLS with {@code tls}, recording the SNI names; call before {@link #start}. */
  public TestBackend withTls(SslContext tls) {
    this.tls = tls;
    return this;
  }

  /** Every answer's body (200 or 503) is just the backend's name; call before {@link #start}. */
  public TestBackend answeringItsNameOnly() {
    this.nameOnly = true;
    return this;
  }

  /** Starts listening on a free loopback port and returns it. */
  public int start() {
    server =
        LoopbackServer.start(
            ch -> {
              connections.incrementAndGet();
              ch.closeFuture().addListener(f -> closedConnections.incrementAndGet());
              if (tls != null) {
                ch.pipeline().addLast(new SniHandler(sni -> {
                  sniNames.add(String.valueOf(sni));
                  return tls;
                }));
              }
              ch.pipeline()
                  .addLast("codec", new HttpServerCodec())
                  .addLast("agg", new HttpObjectAggregator(1 << 20))
                  .addLast("app", new App());
            });
    return port();
  }

  public int port() {
    return server.port();
  }

  /** Answers every held request as {@link Mode#OK} would. */
  public void releaseHeld() {
    Held h;
    while ((h = held.poll()) != null) {
      Held answer = h;
      answer.ctx().executor().execute(() -> {
        inFlight.decrementAndGet();
        ok(answer.ctx(), answer.request());
      });
    }
  }

  private final class App extends SimpleChannelInboundHandler<FullHttpRequest> {
    private int readOnThisConnection;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      readOnThisConnection++;
      String path = req.uri();
      if (path.equals(HEALTH_PATH)) {
        healthCheck(ctx, req);
        return;
      }
      if (path.startsWith("/flaky") && readOnThisConnection > 1) {
        ctx.close();
        return;
      }
      Seen seen =
          new Seen(
              req.method().name(),
              path,
              new DefaultHttpHeaders().set(req.headers()),
              req.content().toString(StandardCharsets.UTF_8));
      requests.add(seen);
      hits.incrementAndGet();
      if (path.startsWith("/hang")) {
        hold(ctx, seen);
      } else if (path.startsWith("/half")) {
        ctx.writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 200 O", StandardCharsets.US_ASCII))
            .addListener(ChannelFutureListener.CLOSE);
      } else if (path.startsWith("/ws")) {
        upgradeToEcho(ctx);
      } else {
        byMode(ctx, seen);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // refused handshakes and resets are what these tests provoke
    }
  }

  private void healthCheck(ChannelHandlerContext ctx, FullHttpRequest req) {
    healthChecks.incrementAndGet();
    lastHealthHost = req.headers().get(HttpHeaderNames.HOST);
    int status = healthStatus;
    if (status != HANG_HEALTH) {
      write(ctx, HttpResponseStatus.valueOf(status), name);
    }
  }

  private void byMode(ChannelHandlerContext ctx, Seen seen) {
    switch (mode) {
      case OK -> ok(ctx, seen);
      case SLOW -> {
        inFlight.incrementAndGet();
        ctx.executor().schedule(() -> {
          inFlight.decrementAndGet();
          ok(ctx, seen);
        }, 100, TimeUnit.MILLISECONDS);
      }
      case HANG -> hold(ctx, seen);
      case RESET -> reset(ctx);
      case UNAVAILABLE -> respond(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, nameOnly ? name : "down\n");
      case HEAD_THEN_RESET, HEAD_THEN_STALL -> {
        Mode now = mode;
        String partial = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial";
        ctx.pipeline().remove("codec"); // raw bytes from here on
        ctx.writeAndFlush(Unpooled.copiedBuffer(partial, StandardCharsets.US_ASCII))
            .addListener(f -> {
              if (now == Mode.HEAD_THEN_RESET) {
                // Let the proxy forward what it has before the reset arrives.
                ctx.executor().schedule(() -> reset(ctx), 50, TimeUnit.MILLISECONDS);
              }
            });
      }
    }
  }

  private void hold(ChannelHandlerContext ctx, Seen seen) {
    inFlight.incrementAndGet();
    held.add(new Held(ctx, seen));
  }

  private void ok(ChannelHandlerContext ctx, Seen seen) {
    String echo = seen.method() + " " + seen.uri() + " " + seen.body();
    String body = nameOnly ? name : name == null ? echo : name + " " + echo;
    respond(ctx, HttpResponseStatus.OK, body);
  }

  private void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
    answered.incrementAndGet();
    write(ctx, status, text);
  }

  private void write(ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
    byte[] out = String.valueOf(text).getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(out));
    // Hop-by-hop headers the proxy must strip; x-backend says who answered.
    r.headers()
        .setInt(HttpHeaderNames.CONTENT_LENGTH, out.length)
        .set("keep-alive", "timeout=5")
        .set("connection", "keep-alive, x-backend-private")
        .set("x-backend-private", "secret")
        .set("x-backend", name == null ? "yes" : name);
    ctx.writeAndFlush(r);
  }

  /** Linger 0: close() sends RST instead of FIN, like a crashing process. */
  private static void reset(ChannelHandlerContext ctx) {
    ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
    ctx.close();
  }

  private static void upgradeToEcho(ChannelHandlerContext ctx) {
    DefaultHttpResponse r =
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
    r.headers().set(HttpHeaderNames.UPGRADE, "websocket").set(HttpHeaderNames.CONNECTION, "Upgrade");
    ctx.writeAndFlush(r);
    ctx.pipeline().addLast(new Echo());
    ctx.pipeline().remove("app");
    ctx.pipeline().remove("agg");
    ctx.pipeline().remove("codec");
  }

  private static final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf) {
        ctx.writeAndFlush(msg);
      } else {
        ReferenceCountUtil.release(msg);
      }
    }
  }

  /** Stops accepting and closes every open connection, like a pod that went away. */
  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
