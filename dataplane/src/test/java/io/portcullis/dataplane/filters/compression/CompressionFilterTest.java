package io.portcullis.dataplane.filters.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aayushatharva.brotli4j.decoder.Decoder;
import com.aayushatharva.brotli4j.decoder.DecoderJNI;
import com.aayushatharva.brotli4j.decoder.DirectDecompress;
import com.github.luben.zstd.ZstdInputStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.portcullis.dataplane.filter.BodyTransform;
import io.portcullis.dataplane.filter.ResponseAction;
import io.portcullis.dataplane.testing.FakeFilterContext;
import io.portcullis.snapshot.filter.CompressionPolicy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class CompressionFilterTest {
  private static final byte[] TEXT = text(200_000);

  private final CompressionFilter filter = new CompressionFilter(CompressionPolicy.defaults());

  /** A request with header name/value pairs. */
  static FakeFilterContext request(String method, String uri, String... headers) {
    FakeFilterContext ctx = FakeFilterContext.of("http", method, "test.example", uri);
    for (int i = 0; i < headers.length; i += 2) {
      ctx.header(headers[i], headers[i + 1]);
    }
    return ctx;
  }

  @Test
  void eachCodingRoundTripsAPartedBody() throws Exception {
    for (String coding : List.of("gzip", "br", "zstd")) {
      FakeFilterContext ctx = request("GET", "/", "accept-encoding", coding);
      filter.onRequest(ctx);
      HttpResponse response = response(200, "text/html; charset=utf-8", TEXT.length);
      response.headers().set("etag", "\"v1\"");
      ResponseAction action = filter.onResponse(ctx, response);
      BodyTransform body = assertInstanceOf(ResponseAction.Transform.class, action).transform();
      byte[] compressed = run(body, TEXT, 7_000);
      assertEquals(coding, response.headers().get("content-encoding"));
      assertFalse(response.headers().contains("content-length"));
      assertEquals("Accept-Encoding", response.headers().get("vary"), coding);
      assertEquals("W/\"v1\"", response.headers().get("etag"));
      assertTrue(compressed.length < TEXT.length / 3, coding + " compressed " + compressed.length);
      assertArrayEquals(TEXT, decode(coding, compressed), coding);
    }
  }

  @Test
  void qualityBeatsServerPreferenceAndServerPreferenceBreaksTies() {
    List<ContentCoding> pref = List.of(ContentCoding.BROTLI, ContentCoding.ZSTD, ContentCoding.GZIP);
    assertSame(ContentCoding.BROTLI, AcceptEncoding.choose("gzip, deflate, br, zstd", pref));
    assertSame(ContentCoding.GZIP, AcceptEncoding.choose("gzip;q=1, br;q=0.5", pref));
    assertSame(ContentCoding.ZSTD, AcceptEncoding.choose("br;q=0, *", pref));
    assertSame(ContentCoding.GZIP, AcceptEncoding.choose("x-gzip", pref));
    assertNull(AcceptEncoding.choose("identity", pref));
    assertNull(AcceptEncoding.choose("*;q=0", pref));
    assertNull(AcceptEncoding.choose("gzip;q=0, br;q=0.000", pref));
    assertNull(AcceptEncoding.choose("gzip;q=banana", pref));
    assertNull(AcceptEncoding.choose(null, pref));
    assertSame(ContentCoding.GZIP,
        AcceptEncoding.choose("br, gzip", List.of(ContentCoding.GZIP)));
  }

  @Test
  void responsesThatMustStayAsTheyAreAreLeftAlone() {
    assertUntouched(response(200, "text/html", TEXT.length), "content-encoding", "br");
    assertUntouched(response(206, "text/html", 100), "content-range", "bytes 0-99/1000");
    assertUntouched(response(200, "text/html", TEXT.length), "cache-control", "public, no-transform");
    assertUntouched(response(200, "text/html", 100), "x-small", "yes");
    assertUntouched(response(200, "image/png", TEXT.length), "x-type", "binary");
    assertUntouched(response(200, null, TEXT.length), "x-type", "none");
    assertUntouched(response(304, "text/html", -1), "etag", "\"a\"");
  }

  @Test
  void varyIsSetEvenWhenThisClientGetsIdentity() {
    FakeFilterContext ctx = request("GET", "/");
    filter.onRequest(ctx);
    HttpResponse response = response(200, "application/json", TEXT.length);
    response.headers().set("vary", "Origin");
    assertSame(ResponseAction.proceed(), filter.onResponse(ctx, response));
    assertEquals(List.of("Origin", "Accept-Encoding"), response.headers().getAll("vary"));
    assertEquals(String.valueOf(TEXT.length), response.headers().get("content-length"));
  }

  @Test
  void headRequestsGetIdentityHeaders() {
    FakeFilterContext ctx = request("HEAD", "/", "accept-encoding", "gzip");
    filter.onRequest(ctx);
    HttpResponse response = response(200, "text/plain", TEXT.length);
    assertSame(ResponseAction.proceed(), filter.onResponse(ctx, response));
    assertFalse(response.headers().contains("content-encoding"));
  }

  @Test
  void aBodyOfUnknownLengthIsCompressedAndConfiguredTypesReplaceTheDefaults() throws Exception {
    CompressionFilter onlyCsv = new CompressionFilter(
        new CompressionPolicy(List.of("gzip"), 10, List.of("text/csv"), 1, 0, 0));
    FakeFilterContext ctx = request("GET", "/", "accept-encoding", "br, gzip");
    onlyCsv.onRequest(ctx);
    HttpResponse csv = response(200, "text/csv", -1);
    BodyTransform body = assertInstanceOf(ResponseAction.Transform.class,
        onlyCsv.onResponse(ctx, csv)).transform();
    assertEquals("gzip", csv.headers().get("content-encoding"));
    assertArrayEquals(TEXT, decode("gzip", run(body, TEXT, 1000)));

    FakeFilterContext html = request("GET", "/", "accept-encoding", "gzip");
    onlyCsv.onRequest(html);
    assertSame(ResponseAction.proceed(),
        onlyCsv.onResponse(html, response(200, "text/html", TEXT.length)));
  }

  @Test
  void anAbortedBodyReleasesTheEncoder() {
    FakeFilterContext ctx = request("GET", "/", "accept-encoding", "gzip");
    filter.onRequest(ctx);
    BodyTransform body = assertInstanceOf(ResponseAction.Transform.class,
        filter.onResponse(ctx, response(200, "text/plain", -1))).transform();
    ByteBuf out = body.onData(PooledByteBufAllocator.DEFAULT.buffer().writeBytes(TEXT, 0, 5000));
    out.release();
    body.onAbort();
  }

  private void assertUntouched(HttpResponse response, String header, String value) {
    response.headers().set(header, value);
    FakeFilterContext ctx = request("GET", "/", "accept-encoding", "gzip, br");
    filter.onRequest(ctx);
    assertSame(ResponseAction.proceed(), filter.onResponse(ctx, response), header + ": " + value);
    assertEquals(value, response.headers().get(header));
    assertFalse(response.headers().contains("vary"), header);
  }

  static HttpResponse response(int status, String type, long length) {
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    if (type != null) {
      r.headers().set("content-type", type);
    }
    if (length >= 0) {
      r.headers().set("content-length", length);
    }
    return r;
  }

  /** Streams {@code input} through {@code body} in parts of {@code partSize}, collecting output. */
  static byte[] run(BodyTransform body, byte[] input, int partSize) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < input.length; i += partSize) {
      int n = Math.min(partSize, input.length - i);
      ByteBuf part = PooledByteBufAllocator.DEFAULT.directBuffer(n).writeBytes(input, i, n);
      drain(body.onData(part), out);
    }
    drain(body.onEnd(), out);
    return out.toByteArray();
  }

  private static void drain(ByteBuf buf, ByteArrayOutputStream out) {
    try {
      byte[] bytes = new byte[buf.readableBytes()];
      buf.readBytes(bytes);
      out.writeBytes(bytes);
    } finally {
      buf.release();
    }
  }

  static byte[] decode(String coding, byte[] data) throws IOException {
    return switch (coding) {
      case "gzip" -> readAll(new GZIPInputStream(new ByteArrayInputStream(data)));
      case "zstd" -> readAll(new ZstdInputStream(new ByteArrayInputStream(data)));
      case "br" -> {
        DirectDecompress d = Decoder.decompress(data);
        assertEquals(DecoderJNI.Status.DONE, d.getResultStatus());
        yield d.getDecompressedData();
      }
      default -> throw new IllegalArgumentException(coding);
    };
  }

  private static byte[] readAll(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }

  /** Mixed HTML and JSON, repetitive like real pages but not trivially so. */
  static byte[] text(int size) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (sb.length() < size) {
      sb.append("<li class=\"item\" data-id=\"").append(i * 7919 % 100_003).append("\">")
          .append("{\"name\":\"product ").append(i).append("\",\"price\":").append(i % 97)
          .append(".99,\"tags\":[\"a").append(i % 13).append("\",\"b").append(i % 7)
          .append("\"]}</li>\n");
      i++;
    }
    return sb.substring(0, size).getBytes(StandardCharsets.UTF_8);
  }
}
