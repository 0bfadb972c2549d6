package io.portcullis.dataplane.stream;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.ConfigRejectedException;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.config.RuntimeConfig;
import io.portcullis.snapshot.MessageFraming;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.StreamMessage;
import io.portcullis.snapshot.StreamMessage.Ack;
import io.portcullis.snapshot.StreamMessage.DeltaMsg;
import io.portcullis.snapshot.StreamMessage.Hello;
import io.portcullis.snapshot.StreamMessage.Nack;
import io.portcullis.snapshot.StreamMessage.SnapshotMsg;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dataplane's side of one stream: sends the hello, applies every snapshot or delta and answers
 * each with an ack or a nack. Runs on the client's own event loop, so building a large config there
 * holds up no proxy traffic. Any protocol violation closes the connection; the client reconnects.
 */
final class ClientSession extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

  static final String PATH = "/v1/stream";

  private final String authority;
  private final String scheme;
  private final String nodeId;
  private final LiveConfig config;
  private final ConfigApplier applier;
  private final ProxyMetrics metrics;
  private final MessageFraming.Reader reader;
  private final Listener listener;
  private ChannelHandlerContext ctx;

  /** What the client learns from a session. Called on the event loop. */
  interface Listener {
    void accepted();

    /** {@code received} was applied or rejected, and answered. */
    void messageHandled(StreamMessage received);
  }

  ClientSession(String scheme, String authority, String nodeId, LiveConfig config,
      ConfigApplier applier, ProxyMetrics metrics, int maxMessageBytes, Listener listener) {
    this.scheme = scheme;
    this.authority = authority;
    this.nodeId = nodeId;
    this.config = config;
    this.applier = applier;
    this.metrics = metrics;
    this.reader = new MessageFraming.Reader(maxMessageBytes);
    this.listener = listener;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    Http2Headers headers = new DefaultHttp2Headers()
        .method("POST")
        .scheme(scheme)
        .authority(authority)
        .path(PATH)
        .set("content-type", "application/x-portcullis-stream");
    ctx.write(new DefaultHttp2HeadersFrame(headers, false));
    RuntimeConfig current = config.current();
    send(new Hello(nodeId, current == null ? null : current.version(), StreamMessage.PROTOCOL_VERSION));
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof Http2HeadersFrame headers) {
        onHeaders(headers);
      } else if (msg instanceof Http2DataFrame data) {
        onData(data);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    // The multiplexer hands a received RST_STREAM to the stream as an event, not a read.
    if (evt instanceof Http2ResetFrame reset) {
      log.warn("operator reset the stream: error {}", reset.errorCode());
      closeConnection();
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    // The stream is the connection's only purpose: without it, reconnect from scratch.
    closeConnection();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.warn("stream failed: {}", cause.toString());
    closeConnection();
  }

  private void onHeaders(Http2HeadersFrame frame) {
    CharSequence status = frame.headers().status();
    if (status != null && !"200".contentEquals(status)) {
      log.warn("operator answered {} to {} {}", status, "POST", PATH);
      closeConnection();
      return;
    }
    if (status != null) {
      listener.accepted();
    }
    if (frame.isEndStream()) {
      closeConnection();
    }
  }

  private void onData(Http2DataFrame frame) {
    List<StreamMessage> messages;
    try {
      messages = reader.read(frame.content().nioBuffer());
    } catch (IllegalArgumentException e) {
      log.warn("unreadable message from operator, reconnecting: {}", e.getMessage());
      closeConnection();
      return;
    }
    for (StreamMessage message : messages) {
      if (!ctx.channel().isActive()) {
        return;
      }
      handle(message);
    }
    if (frame.isEndStream()) {
      closeConnection();
    }
  }

  private void handle(StreamMessage message) {
    StreamMessage answer;
    if (message instanceof SnapshotMsg msg) {
      answer = apply(msg.nonce(), msg.version(), () -> msg.snapshot(), List.of());
    } else if (message instanceof DeltaMsg msg) {
      answer = apply(msg.nonce(), msg.version(), () -> {
        RuntimeConfig current = config.current();
        if (current == null) {
          throw new IllegalArgumentException(
              "delta against " + msg.delta().baseVersion() + " but no config is applied yet");
        }
        return msg.delta().applyTo(current.snapshot());
      }, msg.delta().resourceNames());
    } else {
      log.warn("operator sent a dataplane message ({}), reconnecting",
          message.getClass().getSimpleName());
      closeConnection();
      return;
    }
    send(answer);
    listener.messageHandled(message);
  }

  private StreamMessage apply(String nonce, String version,
      java.util.function.Supplier<Snapshot> snapshot, List<String> deltaResources) {
    try {
      Snapshot next = snapshot.get();
      applier.apply(next);
      metrics.snapshotApplied(version);
      log.info("applied version {}", version);
      return new Ack(version, nonce);
    } catch (ConfigRejectedException e) {
      return reject(version, nonce, e.getMessage(), e.resources());
    } catch (IllegalArgumentException e) {
      return reject(version, nonce, e.getMessage(), deltaResources);
    } catch (RuntimeException e) {
      // A bug in building the config must not become a reconnect loop that re-sends the same
      // snapshot forever: reject it like any other and keep serving.
      log.error("building version {} failed", version, e);
      return reject(version, nonce, "internal error: " + e, deltaResources);
    }
  }

  private Nack reject(String version, String nonce, String error, List<String> resources) {
    metrics.snapshotRejected();
    RuntimeConfig kept = config.current();
    log.warn("rejected version {}, keeping {}: {}", version,
        kept == null ? "no config" : kept.version(), error);
    return new Nack(version, nonce, error, resources);
  }

  private void send(StreamMessage message) {
    ctx.writeAndFlush(new DefaultHttp2DataFrame(
            Unpooled.wrappedBuffer(MessageFraming.encode(message)), false))
        .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
  }

  private void closeConnection() {
    if (ctx != null) {
      ctx.channel().parent().close();
    }
  }
}
