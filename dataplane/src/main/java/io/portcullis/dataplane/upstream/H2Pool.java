package io.portcullis.dataplane.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.portcullis.dataplane.http.HpackNeverIndexed;
import io.portcullis.dataplane.http.IdleTimeout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * HTTP/2 connections to backends, for ONE event loop (no locks: touch it only from its loop).
 * A request gets a stream of the first connection to its {@link UpstreamKey} with room left,
 * else a new connection; a connection still being set up takes streams too, so a burst of
 * requests shares one connection instead of opening one each.
 *
 * <p>The stream is handed out as a channel that speaks HTTP/1 objects
 * ({@link Http2StreamFrameToHttpObjectCodec}), so the proxy streams requests and responses to it
 * exactly as to an HTTP/1.1 connection; flow control shows as the stream's writability.
 */
public final class H2Pool {
  /** Per-stream receive window: large enough that one stream is not held to 64 KiB in flight. */
  static final int INITIAL_WINDOW = 1 << 20;
  static final long MAX_RESPONSE_HEADER_LIST = 64 * 1024;

  private final EventLoop loop;
  private final Bootstrap template;
  private final ClientTlsContexts tls;
  private final long idleNanos;
  private final Map<UpstreamKey, List<H2Connection>> connections = new HashMap<>();
  /** The stream limit each backend announced last, assumed for its next connection. */
  private final Map<UpstreamKey, Integer> announcedLimits = new HashMap<>();

  /**
   * @param template client bootstrap (channel type and options); cloned onto {@code loop}
   * @param idleNanos a connection without streams for this long is closed
   */
  public H2Pool(EventLoop loop, Bootstrap template, ClientTlsContexts tls, long idleNanos) {
    this.loop = loop;
    this.template = template;
    this.tls = tls;
    this.idleNanos = idleNanos;
  }

  /**
   * Opens a stream to {@code key}; {@code streamPipeline} adds the caller's handlers behind the
   * HTTP object codec. Must be called on this pool's loop.
   */
  public Future<Channel> openStream(UpstreamKey key, Consumer<ChannelPipeline> streamPipeline) {
    H2Connection connection = pick(key);
    if (connection == null) {
      try {
        connection = connect(key);
      } catch (RuntimeException e) { // unusable TLS settings
        return loop.newFailedFuture(e);
      }
    }
    connection.reserve();
    Promise<Channel> promise = loop.newPromise();
    H2Connection c = connection;
    c.ready().addListener(f -> {
      if (!f.isSuccess()) {
        c.streamClosed();
        promise.tryFailure(f.cause());
        return;
      }
      new Http2StreamChannelBootstrap(c.channel())
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline()
                  .addLast("http-codec", new Http2StreamFrameToHttpObjectCodec(false))
                  .addLast("h2-adapter", H2StreamAdapter.INSTANCE);
              streamPipeline.accept(ch.pipeline());
            }
          })
          .open()
          .addListener((Future<Http2StreamChannel> s) -> {
            if (!s.isSuccess()) {
              c.streamClosed();
              promise.tryFailure(s.cause());
              return;
            }
            Http2StreamChannel stream = s.getNow();
            stream.closeFuture().addListener(x -> c.streamClosed());
            if (!promise.trySuccess(stream)) {
              stream.close();
            }
          });
    });
    return promise;
  }

  private H2Connection pick(UpstreamKey key) {
    List<H2Connection> list = connections.get(key);
    if (list != null) {
      for (H2Connection c : list) {
        if (c.hasCapacity()) {
          return c;
        }
      }
    }
    return null;
  }

  private H2Connection connect(UpstreamKey key) {
    Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
        .initialSettings(Http2Settings.defaultSettings()
            .pushEnabled(false)
            .initialWindowSize(INITIAL_WINDOW)
            .maxHeaderListSize(MAX_RESPONSE_HEADER_LIST))
        // Streams beyond the backend's limit wait in the connection instead of failing.
        .encoderEnforceMaxConcurrentStreams(true)
        // Credentials of many clients share this connection's compression context.
        .headerSensitivityDetector(HpackNeverIndexed.INSTANCE)
        .build();
    H2Connection connection = new H2Connection(loop, codec,
        announcedLimits.getOrDefault(key, H2Connection.ASSUMED_MAX_STREAMS),
        limit -> announcedLimits.put(key, limit));
    ChannelFuture connect = template.clone(loop)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            connection.attach(ch);
            if (key.tls() != null) {
              ch.pipeline().addLast("tls", tls.newHandler(key, ch.alloc()));
            }
          }
        })
        .connect(key.endpoint().address(), key.endpoint().port());
    List<H2Connection> list = connections.computeIfAbsent(key, k -> new ArrayList<>(2));
    list.add(connection);
    connect.channel().closeFuture().addListener(f -> {
      list.remove(connection);
      if (list.isEmpty()) {
        connections.remove(key, list);
        announcedLimits.remove(key);
      }
    });
    Promise<Channel> usable = loop.newPromise();
    usable.addListener(f -> {
      if (f.isSuccess()) {
        // Only now: the connection preface must not reach a backend that did not agree to h2.
        connect.channel().pipeline()
            .addLast("h2", codec)
            .addLast("multiplex", new Http2MultiplexHandler(RefuseServerStreams.INSTANCE))
            .addLast("idle", new IdleTimeout(idleNanos))
            .addLast("connection", connection.handler());
        connection.markReady();
      } else {
        connection.fail(f.cause());
      }
    });
    Handshakes.whenUsable(connect, key.tls() == null ? null : ApplicationProtocolNames.HTTP_2, usable);
    return connection;
  }

  /** Connections open to {@code key} (tests and metrics). */
  public int connectionCount(UpstreamKey key) {
    List<H2Connection> list = connections.get(key);
    return list == null ? 0 : list.size();
  }

  /** Closes the connections that carry no stream; the others close when the loop stops. */
  public void closeIdle() {
    for (List<H2Connection> list : List.copyOf(connections.values())) {
      for (H2Connection c : List.copyOf(list)) {
        c.closeIfUnused();
      }
    }
  }

  /** Backends must not open streams towards us (push is disabled in our SETTINGS). */
  @Sharable
  private static final class RefuseServerStreams extends ChannelInboundHandlerAdapter {
    static final ChannelHandler INSTANCE = new RefuseServerStreams();

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      io.netty.util.ReferenceCountUtil.release(msg);
    }
  }
}
