package io.portcullis.dataplane.upstream;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.HttpConversionUtil;

/**
 * Sits behind the HTTP/2-to-HTTP/1 object codec of an upstream stream and fixes what the
 * translation gets wrong for a proxy: the codec labels every response with its own
 * {@code x-http2-stream-id} header, which must not reach the client; and {@code TE: trailers},
 * which the HTTP/1 side strips as hop-by-hop, is what gRPC servers expect on every call (it is the
 * one TE value HTTP/2 allows).
 */
@Sharable
final class H2StreamAdapter extends ChannelDuplexHandler {
  static final H2StreamAdapter INSTANCE = new H2StreamAdapter();

  private H2StreamAdapter() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpResponse response) {
      response.headers().remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpRequest request) {
      String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
      if (type != null && type.regionMatches(true, 0, "application/grpc", 0, 16)) {
        request.headers().set(HttpHeaderNames.TE, "trailers");
      }
    }
    ctx.write(msg, promise);
  }
}
