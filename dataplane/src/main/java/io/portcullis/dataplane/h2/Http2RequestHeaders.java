package io.portcullis.dataplane.h2;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
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
 *       from the validation (RFC 9113 8.3.1: such a request is malformed);
 *   <li>a request that ended with its HEADERS frame arrives as one {@link FullHttpRequest}; it is
 *       split into head and end, as the HTTP/1.1 decoder delivers it: the proxy forwards the head
 *       and streams the rest, and an object that is both would be encoded upstream twice.
 * </ul>
 */
@Sharable
public final class Http2RequestHeaders extends ChannelInboundHandlerAdapter {
  public static final Http2RequestHeaders INSTANCE = new Http2RequestHeaders();

  private Http2RequestHeaders() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest full) {
      HttpRequest head =
          new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
      head.setDecoderResult(full.decoderResult());
      normalize(head.headers());
      LastHttpContent end;
      if (full.content().isReadable() || !full.trailingHeaders().isEmpty()) {
        end = new DefaultLastHttpContent(full.content(), full.trailingHeaders());
      } else {
        full.release();
        end = LastHttpContent.EMPTY_LAST_CONTENT;
      }
      ctx.fireChannelRead(head);
      ctx.fireChannelRead(end);
      return;
    }
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
