package io.portcullis.dataplane.proxy;

import static io.portcullis.dataplane.proxy.EmbeddedProxy.get;
import static io.portcullis.dataplane.proxy.EmbeddedProxy.readOutbound;
import static io.portcullis.dataplane.proxy.EmbeddedProxy.requestFilter;
import static io.portcullis.dataplane.proxy.EmbeddedProxy.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.portcullis.dataplane.filter.BodyTransform;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filter.ResponseAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The proxy handler and exchange on EmbeddedChannels: routing, filters, forwarding, pipelining. */
class ExchangeEmbeddedTest {
  private final EmbeddedProxy proxy = new EmbeddedProxy();

  @AfterEach
  void finish() {
    proxy.finish();
  }

  @Test
  @DisplayName("a request goes upstream with the proxy's headers; the response comes back; the connection is pooled")
  void forwardsAndPools() {
    proxy.forward();
    proxy.client.writeInbound(get("/a?q=1"));
    HttpRequest up = readOutbound(proxy.connection(0), HttpRequest.class);
    assertEquals("/upstream", up.uri());
    assertEquals("http", up.headers().get("x-forwarded-proto"));
    assertTrue(up.headers().contains("x-request-id"));
    readOutbound(proxy.connection(0), LastHttpContent.class).release();
    proxy.connection(0).writeInbound(response(200, "hello"));
    FullHttpResponse down = readOutbound(proxy.client, FullHttpResponse.class);
    assertEquals(200, down.status().code());
    assertEquals("hello", down.content().toString(StandardCharsets.UTF_8));
    down.release();
    assertEquals(1, proxy.released.size(), "the keep-alive connection went back to the pool");
  }

  @Test
  @DisplayName("pipelined requests are forwarded one at a time and answered in order")
  void pipelined() {
    proxy.forward();
    proxy.client.writeInbound(get("/1"), get("/2"));
    assertEquals(1, proxy.connections.size(), "the second waits for the first response");
    readOutbound(proxy.connection(0), HttpRequest.class);
    readOutbound(proxy.connection(0), LastHttpContent.class).release();
    proxy.connection(0).writeInbound(response(200, "one"));
    FullHttpResponse first = readOutbound(proxy.client, FullHttpResponse.class);
    assertEquals("one", first.content().toString(StandardCharsets.UTF_8));
    first.release();
    assertEquals(2, proxy.connections.size(), "now the second went out");
    readOutbound(proxy.connection(1), HttpRequest.class);
    readOutbound(proxy.connection(1), LastHttpContent.class).release();
    proxy.connection(1).writeInbound(response(200, "two"));
    FullHttpResponse second = readOutbound(proxy.client, FullHttpResponse.class);
    assertEquals("two", second.content().toString(StandardCharsets.UTF_8));
    second.release();
  }

  @Test
  @DisplayName("a filter that answers keeps the request from the backend; filters before it see the answer")
  void filterAnswers() {
    HttpFilter stamp = new HttpFilter() {
      @Override
      public ResponseAction onResponse(FilterContext ctx, HttpResponse response) {
        response.headers().set("x-stamp", "1");
        return ResponseAction.proceed();
      }
    };
    HttpFilter deny = requestFilter(ctx -> FilterAction.respond(LocalResponse.text(403, "no\n")));
    proxy.forward(stamp, deny);
    proxy.client.writeInbound(get("/"));
    FullHttpResponse down = readOutbound(proxy.client, FullHttpResponse.class);
    assertEquals(403, down.status().code());
    assertEquals("1", down.headers().get("x-stamp"));
    assertEquals("3", down.headers().get("content-length"));
    down.release();
    assertTrue(proxy.connections.isEmpty());
  }

  @Test
  @DisplayName("a paused filter holds the request until its future completes, without blocking")
  void pausedFilter() {
    CompletableFuture<FilterAction> decision = new CompletableFuture<>();
    proxy.forward(requestFilter(ctx -> FilterAction.pause(decision)));
    proxy.client.writeInbound(get("/"));
    assertTrue(proxy.connections.isEmpty());
    decision.complete(FilterAction.proceed());
    proxy.client.runPendingTasks();
    assertEquals(1, proxy.connections.size());
    readOutbound(proxy.connection(0), HttpRequest.class);
    readOutbound(proxy.connection(0), LastHttpContent.class).release();
  }

  @Test
  @DisplayName("a body transform rewrites the streamed body; the response is re-framed as chunked")
  void bodyTransform() {
    HttpFilter upper = new HttpFilter() {
      @Override
      public ResponseAction onResponse(FilterContext ctx, HttpResponse response) {
        return ResponseAction.transform(new BodyTransform() {
          @Override
          public ByteBuf onData(ByteBuf part) {
            String s = part.toString(StandardCharsets.UTF_8).toUpperCase();
            part.release();
            return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
          }

          @Override
          public ByteBuf onEnd() {
            return Unpooled.copiedBuffer("!", StandardCharsets.UTF_8);
          }
        });
      }
    };
    proxy.forward(upper);
    proxy.client.writeInbound(get("/"));
    readOutbound(proxy.connection(0), HttpRequest.class);
    readOutbound(proxy.connection(0), LastHttpContent.class).release();
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().setInt("content-length", 9);
    proxy.connection(0).writeInbound(head,
        new DefaultHttpContent(Unpooled.copiedBuffer("abcd", StandardCharsets.UTF_8)),
        new io.netty.handler.codec.http.DefaultLastHttpContent(
            Unpooled.copiedBuffer("efghi", StandardCharsets.UTF_8)));
    HttpResponse out = readOutbound(proxy.client, HttpResponse.class);
    assertNull(out.headers().get("content-length"));
    assertTrue(HttpUtil.isTransferEncodingChunked(out));
    StringBuilder body = new StringBuilder();
    Object msg;
    while ((msg = proxy.client.readOutbound()) != null) {
      HttpContent c = (HttpContent) msg;
      body.append(c.content().toString(StandardCharsets.UTF_8));
      c.release();
    }
    assertEquals("ABCDEFGHI!", body.toString());
  }

  @Test
  @DisplayName("the client closing mid-exchange closes the backend connection and holds nothing")
  void clientGoesAway() {
    proxy.forward();
    proxy.client.writeInbound(get("/"));
    readOutbound(proxy.connection(0), HttpRequest.class);
    readOutbound(proxy.connection(0), LastHttpContent.class).release();
    proxy.client.close();
    assertFalse(proxy.connection(0).isActive());
    assertTrue(proxy.released.isEmpty());
  }
}
