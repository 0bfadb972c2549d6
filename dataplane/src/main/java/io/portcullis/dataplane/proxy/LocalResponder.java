package io.portcullis.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.stream.ChunkedInput;
import io.portcullis.dataplane.filter.BodyTransform;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filter.LocalResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a response the proxy answers itself ({@link LocalResponse}): the head, then the body in
 * memory or streamed part by part while the client connection is writable (the exchange calls
 * {@link #resume} when it becomes writable again), through the response's body transform when a
 * filter set one. Frames it for the client: {@code Content-Length} when the length is known and
 * unchanged, else chunked (or, for an HTTP/1.0 client, delimited by closing the connection); no
 * body for HEAD requests and for statuses without one.
 */
final class LocalResponder {
  private static final Logger log = LoggerFactory.getLogger(LocalResponder.class);

  private final ChannelHandlerContext ctx;
  private final ChannelPromise done;
  private ChunkedInput<ByteBuf> input;
  private BodyTransform transform;
  private boolean closeAfter;

  private LocalResponder(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.done = ctx.newPromise();
  }

  /**
   * Starts writing.
   *
   * @param bodyless no body goes out (a HEAD request, or a status that has none); the head keeps
   *     the length a GET would have had when it is known
   * @param close the connection closes after this response
   * @param http10 the client speaks HTTP/1.0 (no chunked encoding)
   */
  static LocalResponder start(ChannelHandlerContext ctx, HttpResponse head, LocalResponse.Body body,
      BodyTransform transform, boolean bodyless, boolean close, boolean http10) {
    LocalResponder responder = new LocalResponder(ctx);
    responder.closeAfter = close;
    responder.begin(head, body, transform, bodyless, http10);
    return responder;
  }

  /** Completes when the last part of the response is written (fails if writing failed). */
  ChannelFuture done() {
    return done;
  }

  /** Whether the connection must close after the response (also when framing requires it). */
  boolean closeAfter() {
    return closeAfter;
  }

  private void begin(HttpResponse head, LocalResponse.Body body, BodyTransform transform,
      boolean bodyless, boolean http10) {
    HttpHeaders headers = head.headers();
    int status = head.status().code();
    long length = length(body);
    if (bodyless) {
      if (transform != null) {
        transform.onAbort();
      }
      LocalResponses.release(body);
      if (status != 204 && status != 304 && length >= 0 && transform == null
          && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
        headers.set(HttpHeaderNames.CONTENT_LENGTH, length);
      }
      finishWith(new DefaultFullHttpResponse(head.protocolVersion(), head.status(),
          Unpooled.EMPTY_BUFFER, frame(headers), EmptyHttpHeaders.INSTANCE));
      return;
    }
    headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    if (transform == null && length >= 0) {
      headers.set(HttpHeaderNames.CONTENT_LENGTH, length);
    } else {
      headers.remove(HttpHeaderNames.CONTENT_LENGTH);
      if (http10) {
        closeAfter = true;
      } else {
        HttpUtil.setTransferEncodingChunked(head, true);
      }
    }
    frame(headers);
    if (body instanceof LocalResponse.Body.Streamed streamed) {
      this.input = streamed.input();
      this.transform = transform;
      ctx.write(head, ctx.voidPromise());
      resume();
      return;
    }
    ByteBuf content = body instanceof LocalResponse.Body.Bytes bytes
        ? bytes.content() : Unpooled.EMPTY_BUFFER;
    if (transform == null) {
      finishWith(new DefaultFullHttpResponse(head.protocolVersion(), head.status(), content,
          headers, EmptyHttpHeaders.INSTANCE));
      return;
    }
    ctx.write(head, ctx.voidPromise());
    ByteBuf out = transform.onData(content);
    writeContent(out);
    finishWith(new DefaultLastHttpContent(transform.onEnd()));
  }

  /** Writes body parts while the client takes them; called again when it is writable. */
  void resume() {
    if (input == null) {
      return;
    }
    try {
      while (ctx.channel().isWritable()) {
        if (input.isEndOfInput()) {
          endStream();
          return;
        }
        ByteBuf chunk = input.readChunk(ctx.alloc());
        if (chunk == null) {
          break; // the input has nothing ready now; in-memory and file inputs always do
        }
        writeContent(transform == null ? chunk : transform.onData(chunk));
      }
      ctx.flush();
    } catch (Exception e) {
      log.debug("local response body failed: {}", e.toString());
      abort();
      done.tryFailure(e);
      ctx.close(); // the head is out: closing is the only way to say the body is incomplete
    }
  }

  private void endStream() throws Exception {
    ChunkedInput<ByteBuf> in = input;
    input = null;
    in.close();
    ByteBuf last = transform == null ? Unpooled.EMPTY_BUFFER : transform.onEnd();
    transform = null;
    finishWith(new DefaultLastHttpContent(last));
  }

  /** The exchange broke off: release the body and the transform's state. */
  void abort() {
    if (input != null) {
      try {
        input.close();
      } catch (Exception ignored) {
        // nothing more to release
      }
      input = null;
    }
    if (transform != null) {
      transform.onAbort();
      transform = null;
    }
  }

  private void writeContent(ByteBuf part) {
    if (part.isReadable()) {
      ctx.write(new DefaultHttpContent(part), ctx.voidPromise());
    } else {
      part.release();
    }
  }

  private void finishWith(Object last) {
    ctx.writeAndFlush(last).addListener(f -> {
      if (f.isSuccess()) {
        done.trySuccess();
      } else {
        done.tryFailure(f.cause());
      }
    });
  }

  private HttpHeaders frame(HttpHeaders headers) {
    if (closeAfter) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return headers;
  }

  private static long length(LocalResponse.Body body) {
    if (body instanceof LocalResponse.Body.Bytes bytes) {
      return bytes.content().readableBytes();
    }
    if (body instanceof LocalResponse.Body.Streamed streamed) {
      return streamed.length();
    }
    return 0;
  }
}
