package io.portcullis.dataplane.h2;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames;
import java.util.List;

/**
 * On a stream channel, behind {@code Http2StreamFrameToHttpObjectCodec}: makes the converted
 * request look like what an HTTP/1.1 client would have sent.
 *
 * <ul>
 *   <li>removes the {@code x-http2-*} headers the conversion adds (stream id, scheme): they are
 *       Netty's bookkeeping, not the client's, and must not reach a backend;
 *   <li>{@code :authority} became {@code Host}; a client that sent a {@code Host} header as well
 *       now has two: the same name twice collapses to one, different names stay two and so get 400
 *       from the validation (RFC 9113 8.3.1: such a request is malformed).
 * </ul>
 */
@Sharable
public final class Http2RequestHeaders extends ChannelInboundHandlerAdapter {
  public static final Http2RequestHeaders INSTANCE = new Http2RequestHeaders();

  private Http2RequestHeaders() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      normalize(request.headers());
    }
    ctx.fireChannelRead(msg);
  }

  static void normalize(HttpHeaders headers) {
    for (ExtensionHeaderNames name : ExtensionHeaderNames.values()) {
      headers.remove(name.text());
    }
    List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1 && hosts.stream().allMatch(h -> h.equalsIgnoreCase(hosts.get(0)))) {
      headers.set(HttpHeaderNames.HOST, hosts.get(0));
    }
  }
}
