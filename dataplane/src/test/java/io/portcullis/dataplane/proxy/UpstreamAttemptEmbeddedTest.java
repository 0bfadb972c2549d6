package io.portcullis.dataplane.proxy;

import static io.portcullis.dataplane.proxy.EmbeddedProxy.get;
import static io.portcullis.dataplane.proxy.EmbeddedProxy.readOutbound;
import static io.portcullis.dataplane.proxy.EmbeddedProxy.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.portcullis.dataplane.resilience.Overflow;
import io.portcullis.dataplane.resilience.OverflowException;
import io.portcullis.snapshot.RetryPolicy;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Upstream tries and the retry loop on EmbeddedChannels: connects, retries, a broken backend. */
class UpstreamAttemptEmbeddedTest {
  private final EmbeddedProxy proxy = new EmbeddedProxy();

  @AfterEach
  void finish() {
    proxy.finish();
  }

  @Test
  @DisplayName("a refused connect is retried after the back-off, on the endpoint not tried yet")
  void refusedConnectRetried() {
    proxy.forward();
    proxy.failNext.add(new ConnectException("refused"));
    proxy.client.writeInbound(get("/"));
    // No assertion that nothing happened yet: the back-off is full jitter, 0 to 25 ms here, and
    // 0 (one draw in 26) retries at once (RetryDecisionTest covers the back-off's range).
    proxy.advance(1_000);
    assertEquals(2, proxy.asked.size());
    assertNotEquals(proxy.asked.get(0), proxy.asked.get(1));
    proxy.takeRequest(0);
    proxy.connection(0).writeInbound(response(200, "ok"));
    FullHttpResponse r = readOutbound(proxy.client, FullHttpResponse.class);
    assertEquals(200, r.status().code());
    r.release();
  }

  @Test
  @DisplayName("a retriable 503 is drained (never sent) and the request tried again")
  void retriableStatus() {
    proxy.forwardWith(new RetryPolicy(1, List.of("503"), false, 0, 25, 250));
    proxy.client.writeInbound(get("/"));
    proxy.takeRequest(0);
    proxy.connection(0).writeInbound(response(503, "busy"));
    assertNull(proxy.client.readOutbound(), "the 503 is not sent");
    assertEquals(1, proxy.released.size(), "the drained connection is pooled again");
    proxy.advance(1_000);
    proxy.takeRequest(1);
    proxy.connection(1).writeInbound(response(200, "ok"));
    FullHttpResponse r = readOutbound(proxy.client, FullHttpResponse.class);
    assertEquals("ok", r.content().toString(StandardCharsets.UTF_8));
    r.release();
  }

  @Test
  @DisplayName("a pooled connection the backend closed while idle: a GET is sent once more on a fresh one")
  void keepAliveRace() {
    proxy.forward();
    proxy.pooled = true;
    proxy.client.writeInbound(get("/"));
    proxy.takeRequest(0);
    proxy.pooled = false;
    proxy.connection(0).close();
    assertEquals(2, proxy.connections.size());
    proxy.takeRequest(1);
  }

  @Test
  @DisplayName("an open circuit breaker answers 503 at once, naming the limit")
  void circuitBreaker() {
    proxy.forward();
    proxy.failNext.add(new OverflowException(Overflow.MAX_CONNECTIONS));
    proxy.client.writeInbound(get("/"));
    FullHttpResponse r = readOutbound(proxy.client, FullHttpResponse.class);
    assertEquals(503, r.status().code());
    assertEquals(Overflow.MAX_CONNECTIONS.value(), r.headers().get(Overflow.HEADER));
    r.release();
  }

  @Test
  @DisplayName("a backend that breaks after the response head: no retry, the client connection closes")
  void brokenAfterHead() {
    proxy.forwardWith(new RetryPolicy(2, List.of("reset"), false, 0, 25, 250));
    proxy.client.writeInbound(get("/"));
    proxy.takeRequest(0);
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set("transfer-encoding", "chunked");
    proxy.connection(0).writeInbound(head,
        new DefaultHttpContent(Unpooled.copiedBuffer("part", StandardCharsets.UTF_8)));
    proxy.connection(0).close();
    assertFalse(proxy.client.isActive());
    assertEquals(1, proxy.connections.size());
  }
}
