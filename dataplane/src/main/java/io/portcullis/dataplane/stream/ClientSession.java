package io.portcullis.dataplane.stream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.ConfigRejectedException;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.config.RuntimeConfig;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.StreamMessage;
import io.portcullis.snapshot.StreamMessage.Ack;
import io.portcullis.snapshot.StreamMessage.DeltaMsg;
import io.portcullis.snapshot.StreamMessage.Hello;
import io.portcullis.snapshot.StreamMessage.Nack;
import io.portcullis.snapshot.StreamMessage.SnapshotMsg;
import io.portcullis.transport.MessageStreamHandler;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dataplane's side of one stream: sends the hello, applies every snapshot or delta and answers
 * each with an ack or a nack. Runs on the client's own event loop, so building a large config there
 * holds up no proxy traffic. Any protocol violation closes the connection; the client reconnects.
 */
final class ClientSession extends MessageStreamHandler {
  private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

  private final String authority;
  private final String scheme;
  private final String nodeId;
  private final LiveConfig config;
  private final ConfigApplier applier;
  private final ProxyMetrics metrics;
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
    super(maxMessageBytes);
    this.scheme = scheme;
    this.authority = authority;
    this.nodeId = nodeId;
    this.config = config;
    this.applier = applier;
    this.metrics = metrics;
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
        .set("content-type", CONTENT_TYPE);
    ctx.write(new DefaultHttp2HeadersFrame(headers, false));
    RuntimeConfig current = config.current();
    send(ctx, new Hello(nodeId, current == null ? null : current.version(), StreamMessage.PROTOCOL_VERSION));
    ctx.fireChannelActive();
  }

  @Override
  protected void onReset(ChannelHandlerContext ctx, long errorCode) {
    log.warn("operator reset the stream: error {}", errorCode);
    closeConnection();
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

  @Override
  protected void onHeaders(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
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

  @Override
  protected void onUnreadable(ChannelHandlerContext ctx, String why) {
    log.warn("unreadable message from operator, reconnecting: {}", why);
    closeConnection();
  }

  @Override
  protected void onEndStream(ChannelHandlerContext ctx) {
    closeConnection();
  }

  @Override
  protected void onMessage(ChannelHandlerContext ctx, StreamMessage message) {
    StreamMessage answer;
    if (message instanceof SnapshotMsg msg) {
      answer = apply(msg.nonce(), msg.version(), () -> msg.snapshot(), null, List.of());
    } else if (message instanceof DeltaMsg msg) {
      answer = apply(msg.nonce(), msg.version(), () -> {
        RuntimeConfig current = config.current();
        if (current == null) {
          throw new IllegalArgumentException(
              "delta against " + msg.delta().baseVersion() + " but no config is applied yet");
        }
        return msg.delta().applyTo(current.snapshot());
      }, msg.delta(), msg.delta().resourceNames());
    } else {
      log.warn("operator sent a dataplane message ({}), reconnecting",
          message.getClass().getSimpleName());
      closeConnection();
      return;
    }
    send(ctx, answer);
    if (message instanceof SnapshotMsg whole && answer instanceof Ack) {
      // Once the ack is on its way, while the stream is idle: what the first delta against this
      // snapshot needs (every part's digest, the hosts' index) and would otherwise compute on the
      // critical path.
      ctx.executor().execute(() -> whole.snapshot().prepareForDeltas());
    }
    listener.messageHandled(message);
  }

  /** Applies what {@code snapshot} makes ({@code delta}'s result when it is one; else null). */
  private StreamMessage apply(String nonce, String version,
      java.util.function.Supplier<Snapshot> snapshot, Delta delta, List<String> deltaResources) {
    try {
      Snapshot next = snapshot.get();
      if (delta == null) {
        applier.apply(next);
      } else {
        applier.apply(next, delta);
      }
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

  private void closeConnection() {
    if (ctx != null) {
      ctx.channel().parent().close();
    }
  }
}
