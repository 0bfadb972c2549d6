package io.portcullis.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.h2.Http2RequestRules;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the HTTP/1.1 front end ({@link Http1FramingGuard}, Netty's decoder as
 * configured for clients, {@link RequestValidationHandler}) and of the HTTP/2 request rules
 * ({@link Http2RequestRules}). Invariants: no exception ever reaches the end of the pipeline; no
 * request passes with both Content-Length and Transfer-Encoding; never more requests pass than
 * the input has request lines; every request that passes has a valid Host; a body passes only
 * within its request.
 *
 * <p>In a plain test run only the corpus under {@code src/test/resources} runs (regression mode);
 * the {@code fuzz} surefire execution fuzzes for a bounded time (see the dataplane pom).
 */
class HostileInputFuzzTest {

  @FuzzTest(maxDuration = "45s")
  void frontEnd(FuzzedDataProvider data) {
    if (data.consumeBoolean()) {
      http1(data.consumeRemainingAsBytes());
    } else {
      http2(data);
    }
  }

  private static void http1(byte[] input) {
    List<Object> passed = new ArrayList<>();
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new Http1FramingGuard(8192 + 32768),
            new HttpServerCodec(
                new HttpDecoderConfig()
                    .setMaxInitialLineLength(8192)
                    .setMaxHeaderSize(32768)
                    .setValidateHeaders(true)
                    .setStrictLineParsing(true)
                    .setUseRfc9112TransferEncoding(true)
                    .setAllowDuplicateContentLengths(false)),
            new RequestValidationHandler(1L << 32, new ProxyMetrics()),
            new Recorder(passed));
    try {
      // In two parts: a split inside the scanner's or the decoder's state must not matter.
      int half = input.length / 2;
      ch.writeInbound(Unpooled.wrappedBuffer(input, 0, half));
      if (ch.isOpen()) { // a rejection closes the connection: the rest is never read
        ch.writeInbound(Unpooled.wrappedBuffer(input, half, input.length - half));
      }
      ch.checkException();
    } finally {
      ch.finishAndReleaseAll();
    }
    String text = new String(input, StandardCharsets.ISO_8859_1);
    int requestLines = count(text, " HTTP/");
    int requests = 0;
    boolean inBody = false;
    for (Object o : passed) {
      if (o instanceof HttpRequest r) {
        requests++;
        assertFalse(
            r.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
                && r.headers().contains(HttpHeaderNames.TRANSFER_ENCODING),
            "a request with both Content-Length and Transfer-Encoding passed");
        String host = r.headers().get(HttpHeaderNames.HOST);
        assertTrue(
            host == null || io.portcullis.dataplane.http.HttpAuthority.valid(host),
            "an invalid Host passed: " + host);
        assertFalse(inBody, "a request started inside the body of another");
        inBody = !(o instanceof LastHttpContent);
      } else if (o instanceof HttpContent) {
        assertTrue(inBody, "body bytes passed outside any request");
        inBody = !(o instanceof LastHttpContent);
      }
    }
    assertTrue(requests <= requestLines, "more requests passed than there are request lines");
  }

  private static void http2(FuzzedDataProvider data) {
    EmbeddedChannel ch = new EmbeddedChannel(new Http2RequestRules(), new Recorder(new ArrayList<>()));
    try {
      Http2Headers headers = new DefaultHttp2Headers(false);
      int fields = data.consumeInt(0, 8);
      for (int i = 0; i < fields; i++) {
        String name = data.pickValue(new String[] {":method", ":scheme", ":path", ":authority",
            "content-length", "host", "x-" + data.consumeAsciiString(4)});
        headers.add(name, data.consumeAsciiString(16));
      }
      ch.writeInbound(new DefaultHttp2HeadersFrame(headers, data.consumeBoolean()));
      int frames = data.consumeInt(0, 4);
      for (int i = 0; i < frames && ch.isOpen(); i++) { // a reset closes the stream
        if (data.consumeBoolean()) {
          ch.writeInbound(
              new DefaultHttp2DataFrame(
                  Unpooled.wrappedBuffer(data.consumeBytes(data.consumeInt(0, 64))),
                  data.consumeBoolean()));
        } else {
          Http2Headers trailers = new DefaultHttp2Headers(false);
          trailers.add(data.pickValue(new String[] {":path", "x-t", "content-length"}), "1");
          ch.writeInbound(new DefaultHttp2HeadersFrame(trailers, data.consumeBoolean()));
        }
      }
      ch.checkException();
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  /** The proxy's place: keeps what passed (released) and what kind it was. */
  private static final class Recorder extends ChannelInboundHandlerAdapter {
    private final List<Object> passed;

    Recorder(List<Object> passed) {
      this.passed = passed;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      passed.add(msg instanceof HttpRequest r ? r : msg instanceof LastHttpContent
          ? LastHttpContent.EMPTY_LAST_CONTENT : msg instanceof HttpContent ? new io.netty.handler.codec.http.DefaultHttpContent(Unpooled.EMPTY_BUFFER) : msg.getClass());
      ReferenceCountUtil.release(msg);
    }
  }
}
