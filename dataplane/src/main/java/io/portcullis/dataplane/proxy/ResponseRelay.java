package io.portcullis.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.portcullis.dataplane.filter.BodyTransform;
import io.portcullis.dataplane.filter.ChainRun;
import io.portcullis.dataplane.resilience.Overflow;
import io.portcullis.snapshot.HeaderRewrite;

/**
 * Streams an accepted backend response to the client: the head with hop-by-hop headers out and
 * the proxy's own in, through the filters' response phases, framed for the client (chunked when
 * the length is unknown or a filter transforms the body; close-delimited for HTTP/1.0); then the
 * body part by part, through the filters' body transform. The head is held back until its first
 * body part or the end of the backend read, so a small response leaves as one write. A 101 turns
 * both connections into a raw tunnel.
 */
final class ResponseRelay {
  private final Exchange ex;
  private final Forwarding fwd;
  private final ChannelHandlerContext ctx;
  private final boolean upstreamReusable;
  private int status;
  private boolean closeAfterResponse;
  private HttpResponse heldHead;
  private BodyTransform transform;

  ResponseRelay(Exchange ex, Forwarding fwd, boolean upstreamReusable) {
    this.ex = ex;
    this.fwd = fwd;
    this.ctx = ex.ctx;
    this.upstreamReusable = upstreamReusable;
  }

  /** The backend's head; returns true when it was consumed (replaced, or a protocol switch). */
  boolean begin(HttpResponse response) {
    status = response.status().code();
    boolean switching = status == 101;
    boolean upstreamChunked = HttpUtil.isTransferEncodingChunked(response);
    HttpResponse out =
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status(), response.headers());
    HeaderPolicy.downstreamResponseHeaders(
        out.headers(), ex.requestId, HeaderRewrite.NONE, switching);
    if (ex.overflowed != null) {
      out.headers().set(Overflow.HEADER, ex.overflowed.value());
    }
    if (fwd.affinityCookie() != null) {
      out.headers().add(HttpHeaderNames.SET_COOKIE, fwd.affinityCookie());
    }
    ChainRun.ResponseOutcome outcome = ex.filterResponse(out);
    if (outcome != null && outcome.later() != null) {
      fwd.discardReplaced(response, upstreamReusable);
      fwd.end();
      ex.awaitReplacement(outcome.later(), status);
      return true;
    }
    if (outcome != null && outcome.replacement() != null) {
      fwd.discardReplaced(response, upstreamReusable);
      fwd.end();
      ex.completed(outcome.head().status().code(), status);
      ex.writeLocal(outcome.head(), outcome.replacement(), outcome.transform());
      return true;
    }
    if (outcome != null) {
      out = outcome.head();
      transform = outcome.transform();
    }
    ex.phase(ExchangePhase.RELAYING);
    if (switching) {
      abortTransform(); // a tunnel has no body to transform
      ex.completed(status, status);
      ctx.write(out);
      // Whether or not the client codec emits an empty end after a 101, the head is the switch.
      switchToTunnel();
      return true;
    }
    frame(out, upstreamChunked);
    ex.completed(status, status);
    heldHead = out;
    return false;
  }

  private void frame(HttpResponse out, boolean upstreamChunked) {
    boolean bodyless =
        HttpMethod.HEAD.equals(ex.request.method()) || status == 204 || status == 304;
    if (transform != null && bodyless) {
      abortTransform();
    }
    if (status == 204) {
      // RFC 9110 §8.6, RFC 9112 §6.1: a 204 has no body and says nothing about one; whatever
      // framing the backend claimed goes (its connection is not reused: UpstreamHttpCodec).
      out.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
      out.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
      upstreamChunked = false;
    } else if (status == 304) {
      out.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
      upstreamChunked = false;
    }
    boolean sameLength = transform == null || transform.preservesLength();
    if (!sameLength) {
      out.headers().remove(HttpHeaderNames.CONTENT_LENGTH); // the transform changes the length
    }
    boolean hasLength = out.headers().contains(HttpHeaderNames.CONTENT_LENGTH);
    if (upstreamChunked && sameLength) {
      HttpUtil.setTransferEncodingChunked(out, true);
    } else if (!hasLength && !bodyless) {
      // Body delimited by the backend closing, or transformed: re-frame for HTTP/1.1 clients.
      if (ex.request.protocolVersion().minorVersion() >= 1) {
        HttpUtil.setTransferEncodingChunked(out, true);
      } else {
        closeAfterResponse = true;
      }
    }
    if (!ex.keepAlive || ex.down.draining() || closeAfterResponse) {
      out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (ex.request.protocolVersion().minorVersion() == 0) {
      out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
  }

  /** One part of the backend's body. */
  void content(HttpContent content, boolean last) {
    if (transform != null) {
      content = transformed(content, last);
    }
    if (!last) {
      writeHeldHead();
      ctx.write(content, ctx.voidPromise());
      if (!ctx.channel().isWritable()) {
        fwd.upstreamAutoRead(false);
      }
      return;
    }
    ex.responseEnded();
    fwd.responseEnded(status, upstreamReusable);
    boolean close =
        !ex.keepAlive || ex.down.draining() || closeAfterResponse || !ex.requestComplete;
    ChannelFuture written;
    if (heldHead != null) {
      HttpResponse head = heldHead;
      heldHead = null;
      written = ctx.writeAndFlush(new DefaultFullHttpResponse(head.protocolVersion(),
          head.status(), content.content(), head.headers(),
          ((LastHttpContent) content).trailingHeaders()));
    } else {
      written = ctx.writeAndFlush(content);
    }
    if (close) {
      written.addListener(ChannelFutureListener.CLOSE);
    } else {
      written.addListener(f -> {
        if (f.isSuccess()) {
          ex.down.finished(ex);
        } else {
          ctx.close();
        }
      });
    }
  }

  /** The body part as the filters' transform turns it (the transform owns the original). */
  private HttpContent transformed(HttpContent content, boolean last) {
    ByteBuf data = transform.onData(content.content());
    if (!last) {
      return new DefaultHttpContent(data);
    }
    ByteBuf end = transform.onEnd();
    transform = null;
    ByteBuf all;
    if (!end.isReadable()) {
      end.release();
      all = data;
    } else if (!data.isReadable()) {
      data.release();
      all = end;
    } else {
      all = Unpooled.wrappedBuffer(data, end);
    }
    return new DefaultLastHttpContent(all, ((LastHttpContent) content).trailingHeaders());
  }

  /** The end of a backend read: what is written goes out. */
  void flush() {
    writeHeldHead();
    ctx.flush();
  }

  private void writeHeldHead() {
    if (heldHead != null) {
      HttpResponse head = heldHead;
      heldHead = null;
      ctx.write(head, ctx.voidPromise());
    }
  }

  /** The response breaks off: the transform lets go; a held head still goes (with the close). */
  void abort() {
    abortTransform();
    if (ctx.channel().isActive()) {
      writeHeldHead();
    }
    heldHead = null;
  }

  private void abortTransform() {
    if (transform != null) {
      transform.onAbort();
      transform = null;
    }
  }

  /**
   * The backend agreed to switch protocols: both codecs go, and bytes flow raw both ways. The 101
   * head was already written downstream (by the codec, before it is removed).
   */
  private void switchToTunnel() {
    ex.responseEnded();
    ex.phase(ExchangePhase.TUNNEL);
    ex.down.tunnelled(ex);
    Channel up = fwd.handOverUpstream();
    Channel down = ctx.channel();
    ctx.flush();
    var downstream = down.pipeline();
    downstream.addLast("tunnel", new TunnelHandler(up, ex.services.metrics()::connectionClosed));
    if (downstream.get(ProxyChannelInitializer.HEADER_TIMEOUT) != null) {
      downstream.remove(ProxyChannelInitializer.HEADER_TIMEOUT);
    }
    downstream.remove(ProxyChannelInitializer.VALIDATION);
    if (downstream.get(ProxyChannelInitializer.FRAMING_GUARD) != null) {
      downstream.remove(ProxyChannelInitializer.FRAMING_GUARD);
    }
    downstream.remove(ProxyHandler.class);
    downstream.remove(ProxyChannelInitializer.HTTP_CODEC);
    var upstreamPipeline = up.pipeline();
    upstreamPipeline.addLast("tunnel", new TunnelHandler(down, () -> {}));
    upstreamPipeline.remove(UpstreamHandler.class);
    upstreamPipeline.remove("http-codec");
    down.config().setAutoRead(true);
    up.config().setAutoRead(true);
  }
}
