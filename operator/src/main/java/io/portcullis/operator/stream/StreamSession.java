package io.portcullis.operator.stream;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.StreamMessage;
import io.portcullis.snapshot.StreamMessage.Ack;
import io.portcullis.snapshot.StreamMessage.Hello;
import io.portcullis.snapshot.StreamMessage.Nack;
import io.portcullis.transport.MessageStreamHandler;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dataplane's stream: one HTTP/2 stream channel, one instance, every method on that channel's
 * event loop. After the dataplane's hello it sends the current version (nothing when the dataplane
 * already has it), then one message per change, waiting for the answer to each before sending the
 * next: versions published meanwhile are coalesced into the newest one, never queued.
 */
final class StreamSession extends MessageStreamHandler {
  private static final Logger log = LoggerFactory.getLogger(StreamSession.class);

  private final SnapshotStore store;
  private final SharedFrames frames;
  private final Supplier<String> nonces;
  private final Runnable onClose;

  private final long helloTimeoutMillis;
  private volatile ChannelHandlerContext ctx;
  private boolean accepted;
  private String nodeId;
  private long sessionId;
  /** The version the dataplane serves: from its hello, then from each ack. */
  private String heldVersion;
  /** Nonce of the message awaiting an answer, or null when nothing is in flight. */
  private String inFlightNonce;
  private String inFlightVersion;
  private boolean inFlightIsDelta;
  /** The shared encoding of the message in flight, released when its answer comes. */
  private SharedFrames.Use inFlightFrame;
  /** When the message in flight was sent (System.nanoTime), for the log line of a full snapshot. */
  private long inFlightSince;
  /** A version the dataplane NACKed: not resent until something newer is published. */
  private String rejectedVersion;
  /** After a NACKed delta the base may be wrong: the next message is a full snapshot. */
  private boolean forceFull;
  /** Set once the stream is being reset: nothing more is read or sent. */
  private boolean resetting;

  StreamSession(
      SnapshotStore store, SharedFrames frames, Supplier<String> nonces, int maxInboundFrameBytes,
      long helloTimeoutMillis, Runnable onClose) {
    super(maxInboundFrameBytes);
    this.store = store;
    this.frames = frames;
    this.helloTimeoutMillis = helloTimeoutMillis;
    this.nonces = nonces;
    this.onClose = onClose;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    // A stream that never says hello would hold a slot forever.
    ctx.executor().schedule(() -> {
      if (nodeId == null && !resetting && ctx.channel().isActive()) {
        reset("no hello within " + helloTimeoutMillis + " ms");
      }
    }, helloTimeoutMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  protected void onReset(ChannelHandlerContext ctx, long errorCode) {
    log.debug("dataplane {} reset its stream: error {}", nodeId, errorCode);
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    answered();
    if (nodeId != null) {
      store.disconnected(nodeId, sessionId);
      log.info("dataplane {} disconnected", nodeId);
    }
    onClose.run();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.warn("stream of dataplane {} failed: {}", nodeId == null ? "?" : nodeId, cause.toString());
    ctx.close();
  }

  /** A new version was published. Safe from any thread. */
  void published() {
    ChannelHandlerContext context = ctx;
    if (context == null) {
      return;
    }
    try {
      context.executor().execute(this::sendIfNeeded);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // The server is shutting down; the dataplane gets the version from the next operator.
    }
  }

  @Override
  protected void onHeaders(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
    if (accepted) {
      // Trailers: the dataplane is done sending. It must not be, on a stream that lives forever.
      if (frame.isEndStream()) {
        ctx.close();
      }
      return;
    }
    Http2Headers headers = frame.headers();
    String path = headers.path() == null ? "" : headers.path().toString();
    int query = path.indexOf('?');
    if (!(query < 0 ? path : path.substring(0, query)).equals(PATH)) {
      respondAndClose(HttpResponseStatus.NOT_FOUND);
      return;
    }
    if (headers.method() == null || !HttpMethod.POST.asciiName().contentEquals(headers.method())) {
      respondAndClose(HttpResponseStatus.METHOD_NOT_ALLOWED);
      return;
    }
    accepted = true;
    Http2Headers response = new DefaultHttp2Headers()
        .status(HttpResponseStatus.OK.codeAsText())
        .set("content-type", CONTENT_TYPE);
    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(response, false));
    if (frame.isEndStream()) {
      ctx.close();
    }
  }

  private void respondAndClose(HttpResponseStatus status) {
    Http2Headers response = new DefaultHttp2Headers().status(status.codeAsText());
    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(response, true))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  protected boolean readingMessages(ChannelHandlerContext ctx) {
    return accepted && !resetting;
  }

  @Override
  protected void onUnreadable(ChannelHandlerContext ctx, String why) {
    reset("unreadable message: " + why);
  }

  @Override
  protected void onEndStream(ChannelHandlerContext ctx) {
    ctx.close();
  }

  @Override
  protected void onMessage(ChannelHandlerContext ctx, StreamMessage message) {
    if (nodeId == null) {
      if (message instanceof Hello hello) {
        onHello(hello);
      } else {
        reset("first message must be hello, got " + message.getClass().getSimpleName());
      }
      return;
    }
    if (message instanceof Ack ack) {
      onAck(ack);
    } else if (message instanceof Nack nack) {
      onNack(nack);
    } else if (message instanceof Hello) {
      reset("second hello from " + nodeId);
    } else {
      reset("dataplane sent an operator message: " + message.getClass().getSimpleName());
    }
  }

  private void onHello(Hello hello) {
    if (hello.protocol() != StreamMessage.PROTOCOL_VERSION) {
      reset("protocol " + hello.protocol() + " from " + hello.nodeId() + " is not supported");
      return;
    }
    nodeId = hello.nodeId();
    heldVersion = hello.version();
    sessionId = store.connected(nodeId, heldVersion);
    log.info("dataplane {} connected from {} holding version {}",
        nodeId, remote(), heldVersion == null ? "none" : heldVersion);
    sendIfNeeded();
  }

  private void onAck(Ack ack) {
    if (!ack.nonce().equals(inFlightNonce)) {
      log.debug("ignoring stale ack {} from {}", ack.nonce(), nodeId);
      return;
    }
    inFlightNonce = null;
    answered();
    if (!inFlightIsDelta) {
      // Rare (a connect, or after a NACK) and slow at scale: worth a line at INFO.
      log.info("dataplane {} applied full snapshot {} ({} ms after it was sent)",
          nodeId, ack.version(), (System.nanoTime() - inFlightSince) / 1_000_000);
    }
    heldVersion = ack.version();
    rejectedVersion = null;
    store.recordAck(nodeId, ack.version());
    sendIfNeeded();
  }

  private void onNack(Nack nack) {
    if (!nack.nonce().equals(inFlightNonce)) {
      log.debug("ignoring stale nack {} from {}", nack.nonce(), nodeId);
      return;
    }
    inFlightNonce = null;
    answered();
    rejectedVersion = inFlightVersion;
    forceFull = inFlightIsDelta;
    store.recordNack(nodeId, inFlightVersion, nack.error(), nack.resources());
    sendIfNeeded();
  }

  /** Sends the newest version unless the dataplane has it, rejected it, or an answer is due. */
  private void sendIfNeeded() {
    if (nodeId == null || inFlightNonce != null || resetting || !ctx.channel().isActive()
        || !store.hasPublished()) {
      return;
    }
    Snapshot target = store.current();
    if (target.version().equals(heldVersion) || target.version().equals(rejectedVersion)) {
      return;
    }
    String nonce = nonces.get();
    Optional<Snapshot> base = forceFull ? Optional.empty() : store.recent(heldVersion);
    // Every dataplane at the same version gets the same bytes but its own nonce: one encoding.
    SharedFrames.Use frame = base.map(b -> frames.delta(b, target)).orElseGet(() -> frames.snapshot(target));
    inFlightNonce = nonce;
    inFlightVersion = target.version();
    inFlightIsDelta = base.isPresent();
    inFlightFrame = frame;
    inFlightSince = System.nanoTime();
    forceFull = false;
    // One message in flight bounds the flow controller's queue to one snapshot.
    ctx.writeAndFlush(new DefaultHttp2DataFrame(
            Unpooled.wrappedBuffer(frame.frame().frame(nonce).toArray(byte[][]::new)), false))
        .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    log.debug("sent {} {} to {}", inFlightIsDelta ? "delta" : "snapshot", target.version(), nodeId);
  }

  /** The message in flight was answered (or never will be): its shared encoding may go. */
  private void answered() {
    if (inFlightFrame != null) {
      frames.release(inFlightFrame);
      inFlightFrame = null;
    }
  }

  /** The dataplane's address, for logs (a stream channel's parent is the connection). */
  private Object remote() {
    io.netty.channel.Channel connection = ctx.channel().parent();
    return connection == null ? ctx.channel().remoteAddress() : connection.remoteAddress();
  }

  private void reset(String why) {
    resetting = true;
    log.warn("resetting stream of dataplane {} from {}: {}",
        nodeId == null ? "?" : nodeId, remote(), why);
    ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
