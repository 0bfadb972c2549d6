package io.portcullis.dataplane.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The proxy's own answers: short {@code text/plain} bodies, never internals. */
final class Responses {
  private Responses() {}

  static FullHttpResponse text(ByteBufAllocator alloc, int status, String body, boolean close) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(status),
            alloc.buffer(bytes.length).writeBytes(bytes));
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    if (close) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return r;
  }

  /** The short body for one of the proxy's own error statuses. */
  static String reason(int status) {
    return switch (status) {
      case 400 -> "bad request\n";
      case 404 -> "no route\n";
      case 405 -> "method not allowed\n";
      case 408 -> "request timeout\n";
      case 413 -> "request body too large\n";
      case 414 -> "request line too long\n";
      case 431 -> "request headers too large\n";
      case 501 -> "transfer coding not implemented\n";
      case 502 -> "bad gateway\n";
      case 503 -> "no backend available\n";
      case 504 -> "gateway timeout\n";
      default -> HttpResponseStatus.valueOf(status).reasonPhrase() + "\n";
    };
  }
}
