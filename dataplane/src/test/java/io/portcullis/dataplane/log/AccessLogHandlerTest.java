package io.portcullis.dataplane.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessLogHandlerTest {
  private final List<AccessLogEntry> entries = new ArrayList<>();
  private final EmbeddedChannel channel = new EmbeddedChannel(new AccessLogHandler(entries::add));

  private void request(String uri, String body) {
    DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
        HttpMethod.POST, uri, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    request.headers().set("host", "shop.example.com").set("user-agent", "t/1");
    channel.writeInbound(request);
    ReferenceCountUtil.release(channel.readInbound());
  }

  private void response(int status, String requestId, String body) {
    DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(status), Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    response.headers().set("x-request-id", requestId);
    channel.writeOutbound(response);
    ReferenceCountUtil.release(channel.readOutbound());
  }

  @Test
  void pipelinedRequestsAreLoggedInOrderWithWhatTheProxyDecidedForEach() {
    request("/a?token=1", "abc");
    request("/b", "");
    assertEquals(List.of(), entries, "nothing before a response is written");

    AccessLogHandler.routed(channel, "r1", "c1", "10.0.0.1:80", 201, 2_000_000, 1);
    response(201, "id-a", "hello");
    AccessLogHandler.routed(channel, "none", null, null, 0, 0, 0);
    response(404, "id-b", "");

    assertEquals(2, entries.size());
    AccessLogEntry a = entries.get(0);
    assertEquals("/a", a.path());
    assertEquals("id-a", a.requestId());
    assertEquals(201, a.status());
    assertEquals("r1", a.route());
    assertEquals("c1", a.cluster());
    assertEquals("10.0.0.1:80", a.endpoint());
    assertEquals(2.0, a.upstreamMillis());
    assertEquals(3, a.bytesIn());
    assertEquals(5, a.bytesOut());
    assertEquals(1, a.retries());
    assertEquals("shop.example.com", a.authority());
    assertEquals("t/1", a.userAgent());
    AccessLogEntry b = entries.get(1);
    assertEquals("/b", b.path());
    assertEquals(404, b.status());
    assertEquals("none", b.route());
    assertNull(b.cluster());
    assertFalse(channel.finish());
  }

  @Test
  void aConnectionClosedBeforeTheResponseIsLoggedWithStatusZero() {
    request("/slow", "");
    channel.close();
    assertEquals(1, entries.size());
    assertEquals(0, entries.get(0).status());
    assertEquals("none", entries.get(0).route());
    assertFalse(channel.finish());
  }

  /** An HTTP/2 stream as the access log sees it: a child channel behind the stream codec. */
  private static final class StreamChannel extends EmbeddedChannel
      implements io.netty.handler.codec.http2.Http2StreamChannel {
    StreamChannel(io.netty.channel.ChannelHandler handler) {
      super(handler);
    }

    @Override
    public io.netty.handler.codec.http2.Http2FrameStream stream() {
      return null;
    }
  }

  @Test
  void aRequestOnAnHttp2StreamIsLoggedAsHttp2EvenThoughTheStreamCodecSaysHttp11() {
    StreamChannel stream = new StreamChannel(new AccessLogHandler(entries::add));
    DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/h2");
    stream.writeInbound(request);
    ReferenceCountUtil.release(stream.readInbound());
    stream.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    ReferenceCountUtil.release(stream.readOutbound());
    assertEquals(1, entries.size());
    assertEquals("HTTP/2.0", entries.get(0).protocol());
    assertFalse(stream.finish());
  }
}
