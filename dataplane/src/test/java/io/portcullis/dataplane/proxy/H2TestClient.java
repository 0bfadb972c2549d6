package io.portcullis.dataplane.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP/2 client on Netty's frame codec and multiplexer, for tests: h2c with prior knowledge
 * or TLS with ALPN h2. It records the GOAWAY frames the server sends; {@link #open} gives raw stream
 * channels for tests that need to misbehave (reset, not read).
 */
final class H2TestClient implements AutoCloseable {
  record Response(int status, Http2Headers headers, byte[] body, Http2Headers trailers) {
    String text() {
      return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** The error codes of the GOAWAY frames received. */
  final List<Long> goAways = new CopyOnWriteArrayList<>();
  /** PING acknowledgements received. */
  final java.util.concurrent.atomic.AtomicInteger pingAcks = new java.util.concurrent.atomic.AtomicInteger();
  final Channel channel;
  private final EventLoopGroup group;
  private final String scheme;

  private H2TestClient(int port, SslContext tls, String sni, Http2Settings settings) {
    this(port, tls, sni, settings, null);
  }

  /** @param prefix bytes written before anything else (a PROXY protocol header), or null */
  private H2TestClient(int port, SslContext tls, String sni, Http2Settings settings,
      byte[] prefix) {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    scheme = tls == null ? "http" : "https";
    channel =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (prefix != null) {
                      // Ahead of whatever is written first (the HTTP/2 preface).
                      ch.pipeline().addLast(new io.netty.channel.ChannelOutboundHandlerAdapter() {
                        private boolean sent;

                        @Override
                        public void write(io.netty.channel.ChannelHandlerContext ctx, Object msg,
                            io.netty.channel.ChannelPromise promise) {
                          if (!sent) {
                            sent = true;
                            ctx.write(io.netty.buffer.Unpooled.wrappedBuffer(prefix));
                          }
                          ctx.write(msg, promise);
                        }
                      });
                    }
                    if (tls != null) {
                      SslHandler ssl = tls.newHandler(ch.alloc(), sni, port);
                      ch.pipeline().addLast(ssl);
                    }
                    ch.pipeline()
                        .addLast(Http2FrameCodecBuilder.forClient()
                            .initialSettings(settings)
                            // Lets tests send more header bytes than the server allows.
                            .encoderIgnoreMaxHeaderListSize(true)
                            .build())
                        .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                        .addLast(new GoAwayRecorder());
                  }
                })
            .connect("127.0.0.1", port)
            .syncUninterruptibly()
            .channel();
  }

  static H2TestClient h2c(int port) {
    return new H2TestClient(port, null, null, Http2Settings.defaultSettings());
  }

  /** h2c after {@code prefix} (a PROXY protocol header). */
  static H2TestClient h2cAfter(int port, byte[] prefix) {
    return new H2TestClient(port, null, null, Http2Settings.defaultSettings(), prefix);
  }

  /** h2c with a given per-stream receive window (what the client lets the server send unread). */
  static H2TestClient h2c(int port, int initialWindow) {
    return new H2TestClient(
        port, null, null, Http2Settings.defaultSettings().initialWindowSize(initialWindow));
  }

  static H2TestClient tls(int port, SslContext context, String sni) {
    return new H2TestClient(port, context, sni, Http2Settings.defaultSettings());
  }

  /** A new stream whose inbound frames go to {@code handler}. */
  Http2StreamChannel open(ChannelHandler handler) {
    return new Http2StreamChannelBootstrap(channel).handler(handler).open().syncUninterruptibly().getNow();
  }

  static Http2Headers request(String method, String authority, String path) {
    return new DefaultHttp2Headers().method(method).path(path).authority(authority).scheme("http");
  }

  CompletableFuture<Response> get(String authority, String path) {
    return send(request("GET", authority, path).scheme(scheme), null);
  }

  CompletableFuture<Response> post(String authority, String path, byte[] body) {
    return send(request("POST", authority, path).scheme(scheme), body);
  }

  /** Sends {@code headers}, then {@code body} (null: none) as one DATA frame. */
  CompletableFuture<Response> send(Http2Headers headers, byte[] body) {
    CompletableFuture<Response> result = new CompletableFuture<>();
    Http2StreamChannel stream = open(new Collector(result));
    stream.eventLoop().execute(() -> {
      stream.write(new DefaultHttp2HeadersFrame(headers, body == null));
      if (body != null) {
        stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
      }
      stream.flush();
    });
    return result;
  }

  /** Collects one response; fails on a reset or a stream closed early. */
  static final class Collector extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<Response> result;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private Http2Headers head;

    Collector(CompletableFuture<Response> result) {
      this.result = result;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame frame) {
          Http2Headers h = frame.headers();
          if (head == null && h.status() != null && h.status().charAt(0) == '1') {
            return; // informational
          }
          if (head == null) {
            head = h;
            if (frame.isEndStream()) {
              done(null);
            }
          } else {
            done(h);
          }
        } else if (msg instanceof Http2DataFrame data) {
          ByteBuf content = data.content();
          byte[] bytes = new byte[content.readableBytes()];
          content.readBytes(bytes);
          body.writeBytes(bytes);
          if (data.isEndStream()) {
            done(null);
          }
        } else if (msg instanceof Http2ResetFrame reset) {
          result.completeExceptionally(new IllegalStateException("stream reset " + reset.errorCode()));
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void done(Http2Headers trailers) {
      result.complete(
          new Response(Integer.parseInt(head.status().toString()), head, body.toByteArray(), trailers));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      result.completeExceptionally(new IllegalStateException("stream closed before the response ended"));
      ctx.fireChannelInactive();
    }
  }

  private final class GoAwayRecorder extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2GoAwayFrame goAway) {
        goAways.add(goAway.errorCode());
      } else if (msg instanceof io.netty.handler.codec.http2.Http2PingFrame ping && ping.ack()) {
        pingAcks.incrementAndGet();
      }
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
