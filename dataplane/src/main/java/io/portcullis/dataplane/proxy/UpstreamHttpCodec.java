package io.portcullis.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

/**
 * The HTTP/1.1 codec of a backend connection, like Netty's {@code HttpClientCodec} but watching
 * the response framing of RFC 9112 §6.3: a response to HEAD, a 1xx, a 204 and a 304 end at their
 * head whatever the backend claims. A backend that sends bytes after the end of a response, or
 * frames a body on a response that cannot have one, has lost step with us: whatever it sends next
 * would be read as the answer to the next request on the connection (a response-splitting vector).
 * Such a connection is marked {@linkplain #framingIntact() broken} and never pooled again.
 */
final class UpstreamHttpCodec
    extends CombinedChannelDuplexHandler<UpstreamHttpCodec.Decoder, UpstreamHttpCodec.Encoder> {

  /** The methods of the requests sent and not yet answered, oldest first. */
  private final Queue<HttpMethod> methods = new ArrayDeque<>(2);
  private boolean broken;

  UpstreamHttpCodec(int maxInitialLine, int maxHeaderSize, int maxChunkSize) {
    init(
        new Decoder(
            new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLine)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(maxChunkSize)),
        new Encoder());
  }

  /** False once the backend broke response framing: the connection must not carry another request. */
  boolean framingIntact() {
    return !broken;
  }

  private void broke() {
    broken = true;
  }

  /** Remembers each request's method: a response to HEAD has no body whatever its headers say. */
  final class Encoder extends HttpRequestEncoder {
    @Override
    protected void encodeInitialLine(ByteBuf buf, HttpRequest request) throws Exception {
      methods.offer(request.method());
      super.encodeInitialLine(buf, request);
    }
  }

  /** Decodes responses, ending bodyless ones at the head and noticing bytes past a response's end. */
  final class Decoder extends HttpResponseDecoder {
    /** The response being decoded is interim (1xx but 101): a final one follows on its own. */
    private boolean interim;
    /** The response being decoded switches protocols: raw bytes may follow it at once. */
    private boolean switching;

    Decoder(HttpDecoderConfig config) {
      super(config);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
      int code = ((HttpResponse) msg).status().code();
      if (code >= 100 && code < 200 && code != 101) {
        return true; // an interim response answers no request: the method stays queued
      }
      HttpMethod method = methods.poll();
      return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
    }

    /** Between a response's head and its end. */
    private boolean inResponse;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
      if (!inResponse && !switching && methods.isEmpty() && in.isReadable()) {
        // Bytes nobody asked for (after a response's end, or on an idle pooled connection, even
        // when they do not make a whole line yet): the connection is done.
        broke();
        in.skipBytes(in.readableBytes());
        ctx.close();
        return;
      }
      int from = out.size();
      super.decode(ctx, in, out);
      for (int i = from; i < out.size(); i++) {
        Object msg = out.get(i);
        if (msg instanceof HttpResponse response) {
          inResponse = true;
          onHead(response);
        } else if (msg instanceof LastHttpContent) {
          inResponse = false;
          if (!interim && !switching && in.isReadable()) {
            // HTTP/1.1 without pipelining: nothing may follow a final response before our next
            // request. Whatever did is either garbage or a smuggled response.
            broke();
          }
        }
      }
    }

    private void onHead(HttpResponse response) {
      int code = response.status().code();
      interim = code >= 100 && code < 200 && code != 101;
      switching = code == 101;
      if (response.decoderResult().isFailure()) {
        broke();
        return;
      }
      var headers = response.headers();
      // RFC 9110 §8.6 and RFC 9112 §6.1: no Content-Length and no Transfer-Encoding on a 1xx or a
      // 204. The decoder ends such a response at its head; a body the backend meant to send
      // would follow as the next "response".
      boolean cannotFrame = (code >= 100 && code < 200) || code == 204;
      if (cannotFrame
          && (headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
              || (headers.contains(HttpHeaderNames.CONTENT_LENGTH)
                  && !"0".equals(headers.get(HttpHeaderNames.CONTENT_LENGTH).trim())))) {
        broke();
      }
    }
  }
}
