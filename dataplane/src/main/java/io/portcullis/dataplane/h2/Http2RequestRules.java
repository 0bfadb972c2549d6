package io.portcullis.dataplane.h2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.dataplane.http.HttpAuthority;

/**
 * Holds one HTTP/2 request stream to RFC 9113 §8.1 and §8.3 before it is mapped to an HTTP/1.1
 * request: a malformed request is a stream error of type PROTOCOL_ERROR (RST_STREAM), not a 400,
 * because the client's framing, not its request, is wrong.
 *
 * <ul>
 *   <li>the request head has {@code :method}, {@code :scheme} and a non-empty {@code :path} (only
 *       CONNECT goes without the last two), each once, and a valid {@code :authority};
 *   <li>a second HEADERS frame is a trailer section: it ends the stream and carries no
 *       pseudo-header; a third is never allowed;
 *   <li>the DATA received adds up to {@code content-length} when the request declares one.
 * </ul>
 */
public final class Http2RequestRules extends ChannelInboundHandlerAdapter {
  private boolean headSeen;
  private boolean ended;
  private long declaredLength = -1;
  private long received;
  private boolean broken;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (broken) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (ended) {
      // Netty stops frames after END_STREAM itself; this only guards the mapping behind us.
      fail(ctx, msg, Http2Error.STREAM_CLOSED);
      return;
    }
    if (msg instanceof Http2HeadersFrame frame) {
      boolean ok = headSeen ? validTrailers(frame) : validHead(frame.headers());
      if (!ok) {
        fail(ctx, msg, Http2Error.PROTOCOL_ERROR);
        return;
      }
      headSeen = true;
      if (frame.isEndStream() && !lengthMatches()) {
        fail(ctx, msg, Http2Error.PROTOCOL_ERROR);
        return;
      }
      ended = frame.isEndStream();
    } else if (msg instanceof Http2DataFrame data) {
      received += data.content().readableBytes();
      if ((declaredLength >= 0 && received > declaredLength)
          || (data.isEndStream() && !lengthMatches())) {
        fail(ctx, msg, Http2Error.PROTOCOL_ERROR);
        return;
      }
      ended = data.isEndStream();
    }
    ctx.fireChannelRead(msg);
  }

  private boolean lengthMatches() {
    return declaredLength < 0 || declaredLength == received;
  }

  private boolean validHead(Http2Headers headers) {
    CharSequence method = headers.method();
    if (method == null || headers.getAll(Http2Headers.PseudoHeaderName.METHOD.value()).size() != 1) {
      return false;
    }
    boolean connect = "CONNECT".contentEquals(method);
    CharSequence scheme = headers.scheme();
    CharSequence path = headers.path();
    if (!connect) {
      if (scheme == null || path == null || path.length() == 0) {
        return false;
      }
      if (headers.getAll(Http2Headers.PseudoHeaderName.SCHEME.value()).size() != 1
          || headers.getAll(Http2Headers.PseudoHeaderName.PATH.value()).size() != 1) {
        return false;
      }
    }
    CharSequence authority = headers.authority();
    if (authority != null
        && (headers.getAll(Http2Headers.PseudoHeaderName.AUTHORITY.value()).size() != 1
            || !HttpAuthority.valid(authority.toString()))) {
      return false;
    }
    var lengths = headers.getAll("content-length");
    if (lengths.size() > 1) {
      return false;
    }
    if (lengths.size() == 1) {
      try {
        declaredLength = Long.parseLong(lengths.get(0).toString());
      } catch (NumberFormatException e) {
        return false;
      }
      if (declaredLength < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean validTrailers(Http2HeadersFrame frame) {
    if (!frame.isEndStream()) {
      return false; // RFC 9113 §8.1: a trailer section ends the stream
    }
    for (var field : frame.headers()) {
      if (field.getKey().length() > 0 && field.getKey().charAt(0) == ':') {
        return false;
      }
    }
    return true;
  }

  private void fail(ChannelHandlerContext ctx, Object msg, Http2Error error) {
    broken = true;
    ReferenceCountUtil.release(msg);
    Http2StreamErrors.reset(ctx, error);
  }
}
