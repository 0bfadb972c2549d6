package io.portcullis.dataplane.proxy;

import static io.portcullis.dataplane.proxy.EmbeddedProxy.get;
import static io.portcullis.dataplane.proxy.EmbeddedProxy.readOutbound;
import static io.portcullis.dataplane.proxy.EmbeddedProxy.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filter.ResponseAction;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The response relay on EmbeddedChannels: framing for the client, replaced responses. */
class ResponseRelayEmbeddedTest {
  private final EmbeddedProxy proxy = new EmbeddedProxy();

  @AfterEach
  void finish() {
    proxy.finish();
  }

  private static HttpResponse head(int status) {
    return new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
  }

  private static HttpContent part(String text) {
    return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
  }

  private static LastHttpContent last(String text) {
    return new DefaultLastHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
  }

  private String drainBody() {
    StringBuilder body = new StringBuilder();
    Object msg;
    while ((msg = proxy.client.readOutbound()) != null) {
      HttpContent c = (HttpContent) msg;
      body.append(c.content().toString(StandardCharsets.UTF_8));
      c.release();
    }
    return body.toString();
  }

  @Test
  @DisplayName("a body delimited by the backend closing is re-framed as chunked for an HTTP/1.1 client")
  void closeDelimitedBecomesChunked() {
    proxy.forward();
    proxy.client.writeInbound(get("/"));
    proxy.takeRequest(0);
    proxy.connection(0).writeInbound(head(200), part("ab"), last("cd"));
    HttpResponse out = readOutbound(proxy.client, HttpResponse.class);
    assertTrue(HttpUtil.isTransferEncodingChunked(out));
    assertEquals("abcd", drainBody());
  }

  @Test
  @DisplayName("an HTTP/1.0 client gets a close-delimited body and the connection closes after it")
  void http10CloseDelimited() {
    proxy.forward();
    FullHttpRequest request = get("/");
    request.setProtocolVersion(HttpVersion.HTTP_1_0);
    request.headers().set("connection", "keep-alive");
    proxy.client.writeInbound(request);
    proxy.takeRequest(0);
    proxy.connection(0).writeInbound(head(200), last("body"));
    FullHttpResponse out = readOutbound(proxy.client, FullHttpResponse.class);
    assertFalse(HttpUtil.isTransferEncodingChunked(out));
    assertEquals("close", out.headers().get("connection"));
    out.release();
    assertFalse(proxy.client.isActive());
  }

  @Test
  @DisplayName("a 204 ends at its head: no body, no chunked framing")
  void noContent() {
    proxy.forward();
    proxy.client.writeInbound(get("/"));
    proxy.takeRequest(0);
    proxy.connection(0).writeInbound(head(204), LastHttpContent.EMPTY_LAST_CONTENT);
    FullHttpResponse out = readOutbound(proxy.client, FullHttpResponse.class);
    assertEquals(204, out.status().code());
    assertFalse(HttpUtil.isTransferEncodingChunked(out));
    assertEquals(0, out.content().readableBytes());
    out.release();
  }

  @Test
  @DisplayName("a filter replaces the backend's response: the replacement goes out, the backend body is drained and the connection pooled")
  void replaced() {
    HttpFilter replace = new HttpFilter() {
      @Override
      public ResponseAction onResponse(FilterContext ctx, HttpResponse response) {
        return response.status().code() == 304
            ? ResponseAction.replace(LocalResponse.text(200, "stored copy"))
            : ResponseAction.proceed();
      }
    };
    proxy.forward(replace);
    proxy.client.writeInbound(get("/"));
    proxy.takeRequest(0);
    HttpResponse notModified = head(304);
    notModified.headers().set("etag", "\"v1\"");
    proxy.connection(0).writeInbound(notModified);
    FullHttpResponse out = readOutbound(proxy.client, FullHttpResponse.class);
    assertEquals(200, out.status().code());
    assertEquals("stored copy", out.content().toString(StandardCharsets.UTF_8));
    assertNull(out.headers().get("etag"));
    out.release();
    assertTrue(proxy.released.isEmpty(), "the backend's response has not ended yet");
    proxy.connection(0).writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
    assertEquals(1, proxy.released.size());
  }

  @Test
  @DisplayName("the response head waits for its first body part, so a small response is one write")
  void headHeldForBody() {
    proxy.forward();
    proxy.client.writeInbound(get("/"));
    proxy.takeRequest(0);
    proxy.connection(0).writeInbound(response(200, "tiny"));
    FullHttpResponse out = readOutbound(proxy.client, FullHttpResponse.class);
    assertEquals("tiny", out.content().toString(StandardCharsets.UTF_8));
    out.release();
    assertNull(proxy.client.readOutbound());
  }
}
