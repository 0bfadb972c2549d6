package io.portcullis.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.dataplane.admin.ProxyMetrics;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestValidationHandlerTest {

  private static EmbeddedChannel channel() {
    return new EmbeddedChannel(
        new HttpServerCodec(
            new io.netty.handler.codec.http.HttpDecoderConfig()
                .setMaxInitialLineLength(256)
                .setMaxHeaderSize(512)
                .setUseRfc9112TransferEncoding(true)),
        new RequestValidationHandler(100, new ProxyMetrics()));
  }

  private static String outbound(EmbeddedChannel ch) {
    StringBuilder sb = new StringBuilder();
    Object o;
    while ((o = ch.readOutbound()) != null) {
      ByteBuf b = (ByteBuf) o;
      sb.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return sb.toString();
  }

  private static void releaseInbound(EmbeddedChannel ch) {
    Object o;
    while ((o = ch.readInbound()) != null) {
      ReferenceCountUtil.release(o);
    }
  }

  private static String reject(String raw) {
    EmbeddedChannel ch = channel();
    ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    assertNull(ch.readInbound(), "nothing of a rejected request may pass");
    String out = outbound(ch);
    ch.runPendingTasks();
    ch.finishAndReleaseAll();
    return out;
  }

  @Test
  void validRequestPassesUntouched() {
    EmbeddedChannel ch = channel();
    ch.writeInbound(
        Unpooled.copiedBuffer(
            "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", StandardCharsets.US_ASCII));
    HttpObject head = ch.readInbound();
    assertTrue(head instanceof HttpRequest);
    releaseInbound(ch);
    assertEquals("", outbound(ch));
    assertTrue(ch.isActive());
    assertFalse(ch.finish());
  }

  @Test
  void headerNameWithSpaceIs400AndTheConnectionIsShutDown() {
    String out = reject("GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n");
    assertTrue(out.startsWith("HTTP/1.1 400 Bad Request"), out);
    assertTrue(out.toLowerCase().contains("connection: close"), out);
    assertFalse(out.contains("Exception"), out);
  }

  @Test
  void longRequestLineIs414() {
    assertTrue(reject("GET /" + "a".repeat(400) + " HTTP/1.1\r\nHost: a\r\n\r\n").startsWith("HTTP/1.1 414"));
  }

  @Test
  void largeHeadersAre431() {
    assertTrue(reject("GET / HTTP/1.1\r\nHost: a\r\nX: " + "b".repeat(600) + "\r\n\r\n").startsWith("HTTP/1.1 431"));
  }

  @Test
  void contentLengthWithTransferEncodingIs400() {
    assertTrue(
        reject("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n")
            .startsWith("HTTP/1.1 400"));
  }

  @Test
  void chunkedNotLastIs400AndUnknownCodingIs501() {
    assertTrue(
        reject("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n").startsWith("HTTP/1.1 400"));
    assertTrue(
        reject("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").startsWith("HTTP/1.1 501"));
  }

  @Test
  void missingHostOnHttp11Is400ButHttp10MayOmitIt() {
    assertTrue(reject("GET / HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 400"));
    EmbeddedChannel ch = channel();
    ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.0\r\n\r\n", StandardCharsets.US_ASCII));
    assertTrue(ch.readInbound() instanceof HttpRequest);
    releaseInbound(ch);
    ch.finishAndReleaseAll();
  }

  @Test
  void contentLengthAboveTheLimitIs413() {
    assertTrue(reject("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n").startsWith("HTTP/1.1 413"));
  }

  @Test
  void connectIs405AndAsteriskFormIs400() {
    assertTrue(reject("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n").startsWith("HTTP/1.1 405"));
    assertTrue(reject("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").startsWith("HTTP/1.1 400"));
    assertTrue(reject("GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n").startsWith("HTTP/1.1 400"));
  }

  @Test
  void absoluteFormIsMappedToOriginFormWithItsAuthorityAsHost() {
    EmbeddedChannel ch = channel();
    ch.writeInbound(
        Unpooled.copiedBuffer(
            "GET http://b.example:8080?q=1 HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.US_ASCII));
    HttpRequest head = ch.readInbound();
    assertEquals("/?q=1", head.uri());
    assertEquals("b.example:8080", head.headers().get("host"));
    releaseInbound(ch);
    assertFalse(ch.finish());
  }

  @Test
  void badPipelinedRequestIsAnsweredAfterTheResponseBeforeIt() {
    EmbeddedChannel ch = channel();
    ch.writeInbound(
        Unpooled.copiedBuffer(
            "GET /ok HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
            StandardCharsets.US_ASCII));
    assertTrue(ch.readInbound() instanceof HttpRequest);
    releaseInbound(ch);
    assertEquals("", outbound(ch), "the rejection must wait for the first response");
    FullHttpResponse ok =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
    ok.headers().setInt("content-length", 0);
    ch.writeOutbound(ok);
    String out = outbound(ch);
    assertTrue(out.startsWith("HTTP/1.1 200"), out);
    assertTrue(out.contains("HTTP/1.1 400"), out);
    ch.finishAndReleaseAll();
  }
}
