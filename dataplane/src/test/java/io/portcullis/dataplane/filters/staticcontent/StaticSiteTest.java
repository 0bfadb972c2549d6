package io.portcullis.dataplane.filters.staticcontent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.stream.ChunkedInput;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filter.LocalResponses;
import io.portcullis.dataplane.testing.FakeFilterContext;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.StaticBlob;
import io.portcullis.snapshot.StaticFile;
import io.portcullis.snapshot.StaticSource;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticSiteTest {
  private static final long MODIFIED = 1_700_000_000L;
  private static final String INDEX = "<!doctype html><h1>home</h1>";
  private static final String APP = "console.log('0123456789');";
  /** A ConfigMap-style site under prefix {@code /site}. */
  private static StaticSite memorySite(boolean spa, Map<String, byte[]> files) {
    Map<String, StaticBlob> blobs = new HashMap<>();
    List<StaticFile> list = files.entrySet().stream().map(e -> {
      StaticBlob b = StaticBlob.of(e.getValue());
      blobs.put(b.digest(), b);
      return new StaticFile(e.getKey(), b.digest(), e.getValue().length);
    }).toList();
    Route route = Route.of("r", RouteMatch.path(new PathMatch.Prefix("/site")),
        new RouteAction.Static(new StaticSource.Files(list, MODIFIED), null, spa));
    return StaticSite.of(route, blobs);
  }

  private static StaticSite defaultSite() {
    return memorySite(false, Map.of(
        "index.html", bytes(INDEX),
        "app.js", bytes(APP),
        "app.js.br", bytes("BROTLI"),
        "app.js.gz", bytes("GZIP"),
        "docs/index.html", bytes("docs")));
  }

  private static LocalResponse get(StaticSite site, String uri, String... headers) {
    return call(site, HttpMethod.GET, uri, headers);
  }

  private static LocalResponse call(StaticSite site, HttpMethod method, String uri, String... headers) {
    FakeFilterContext ctx = request(method.name(), uri, headers);
    try {
      return site.respond(ctx).toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** A request with header name/value pairs. */
  static FakeFilterContext request(String method, String uri, String... headers) {
    FakeFilterContext ctx = FakeFilterContext.of("http", method, "test.example", uri);
    for (int i = 0; i < headers.length; i += 2) {
      ctx.header(headers[i], headers[i + 1]);
    }
    return ctx;
  }

  @Test
  void servesFilesWithTypeValidatorsAndRangeSupport() {
    LocalResponse r = get(defaultSite(), "/site/app.js");
    assertEquals(200, r.status());
    assertEquals("text/javascript; charset=utf-8", r.headers().get("content-type"));
    assertEquals("Tue, 14 Nov 2023 22:13:20 GMT", r.headers().get("last-modified"));
    assertTrue(r.headers().get("etag").matches("\"[0-9a-f]{32}\""), r.headers().get("etag"));
    assertEquals("bytes", r.headers().get("accept-ranges"));
    assertEquals("Accept-Encoding", r.headers().get("vary"));
    assertNull(r.headers().get("content-encoding"));
    assertEquals(APP, text(r));
  }

  @Test
  void indexForTheRootAndForDirectoriesAndARedirectToAddTheSlash() {
    StaticSite site = defaultSite();
    assertEquals(INDEX, text(get(site, "/site")));
    assertEquals(INDEX, text(get(site, "/site/")));
    assertEquals("docs", text(get(site, "/site/docs/")));
    LocalResponse redirect = get(site, "/site/docs?x=1");
    assertEquals(301, redirect.status());
    assertEquals("/site/docs/?x=1", redirect.headers().get("location"));
    assertEquals("text/html; charset=utf-8", get(site, "/site/").headers().get("content-type"));
  }

  @Test
  void missingFilesAreNotFoundUnlessTheSiteIsASinglePageApp() {
    assertEquals(404, get(defaultSite(), "/site/nope.html").status());
    assertEquals(404, get(defaultSite(), "/site/../etc/passwd").status());
    assertEquals(404, get(defaultSite(), "/site/%2e%2e/%2e%2e/etc/passwd").status());
    assertEquals(404, get(defaultSite(), "/site/bad%zz").status());
    StaticSite spa = memorySite(true, Map.of("index.html", bytes(INDEX)));
    LocalResponse r = get(spa, "/site/orders/42");
    assertEquals(200, r.status());
    assertEquals(INDEX, text(r));
  }

  @Test
  void onlyGetAndHeadAreAnswered() {
    LocalResponse r = call(defaultSite(), HttpMethod.POST, "/site/app.js");
    assertEquals(405, r.status());
    assertEquals("GET, HEAD", r.headers().get("allow"));
    LocalResponses.release(r.body());
    LocalResponse head = call(defaultSite(), HttpMethod.HEAD, "/site/app.js");
    assertEquals(200, head.status());
    assertEquals(APP, text(head)); // the responder drops it; the length comes from it
  }

  @Test
  void precompressedVariantsFollowAcceptEncoding() {
    LocalResponse br = get(defaultSite(), "/site/app.js", "accept-encoding", "gzip, br");
    assertEquals("br", br.headers().get("content-encoding"));
    assertEquals("text/javascript; charset=utf-8", br.headers().get("content-type"));
    assertEquals("BROTLI", text(br));
    LocalResponse gz = get(defaultSite(), "/site/app.js", "accept-encoding", "gzip, br;q=0");
    assertEquals("gzip", gz.headers().get("content-encoding"));
    assertEquals("GZIP", text(gz));
    String identityTag = get(defaultSite(), "/site/app.js").headers().get("etag");
    assertFalse(identityTag.equals(gz.headers().get("etag")), "each variant has its own tag");
  }

  @Test
  void conditionalRequests() {
    StaticSite site = defaultSite();
    String etag = get(site, "/site/app.js").headers().get("etag");
    LocalResponse notModified = get(site, "/site/app.js", "if-none-match", "\"x\", W/" + etag);
    assertEquals(304, notModified.status());
    assertEquals(etag, notModified.headers().get("etag"));
    assertInstanceOf(LocalResponse.Body.Empty.class, notModified.body());
    assertEquals(200, status(get(site, "/site/app.js", "if-none-match", "\"other\"")));
    assertEquals(304, status(get(site, "/site/app.js",
        "if-modified-since", "Tue, 14 Nov 2023 22:13:20 GMT")));
    assertEquals(200, status(get(site, "/site/app.js",
        "if-modified-since", "Tue, 14 Nov 2023 22:13:19 GMT")));
    assertEquals(412, status(get(site, "/site/app.js", "if-match", "\"other\"")));
    assertEquals(412, status(get(site, "/site/app.js", "if-match", "W/" + etag)));
    assertEquals(200, status(get(site, "/site/app.js", "if-match", etag)));
    assertEquals(412, status(get(site, "/site/app.js",
        "if-unmodified-since", "Tue, 14 Nov 2023 22:00:00 GMT")));
    // If-None-Match wins over If-Modified-Since (RFC 9110 section 13.2.2).
    assertEquals(200, status(get(site, "/site/app.js", "if-none-match", "\"other\"",
        "if-modified-since", "Tue, 14 Nov 2023 22:13:20 GMT")));
  }

  @Test
  void singleMultipleAndUnsatisfiableRanges() {
    StaticSite site = defaultSite();
    LocalResponse one = get(site, "/site/app.js", "range", "bytes=0-6");
    assertEquals(206, one.status());
    assertEquals("bytes 0-6/" + APP.length(), one.headers().get("content-range"));
    assertEquals("console", text(one));
    assertEquals(");", text(get(site, "/site/app.js", "range", "bytes=-2")));

    LocalResponse many = get(site, "/site/app.js", "range", "bytes=0-6,8-10");
    assertEquals(206, many.status());
    String type = many.headers().get("content-type");
    assertTrue(type.startsWith("multipart/byteranges; boundary="), type);
    String boundary = type.substring(type.indexOf('=') + 1);
    String body = text(many);
    assertEquals("\r\n--" + boundary + "\r\nContent-Type: text/javascript; charset=utf-8\r\n"
        + "Content-Range: bytes 0-6/" + APP.length() + "\r\n\r\nconsole"
        + "\r\n--" + boundary + "\r\nContent-Type: text/javascript; charset=utf-8\r\n"
        + "Content-Range: bytes 8-10/" + APP.length() + "\r\n\r\nlog"
        + "\r\n--" + boundary + "--\r\n", body);

    LocalResponse unsatisfiable = get(site, "/site/app.js", "range", "bytes=500-");
    assertEquals(416, unsatisfiable.status());
    assertEquals("bytes */" + APP.length(), unsatisfiable.headers().get("content-range"));
    assertEquals(200, status(get(site, "/site/app.js", "range", "bytes=0-5,3-8")));
    assertEquals(200, status(get(site, "/site/app.js", "range", "lines=1-2")));
  }

  @Test
  void ifRangeHonoursTheRangeOnlyForTheCurrentRepresentation() {
    StaticSite site = defaultSite();
    String etag = get(site, "/site/app.js").headers().get("etag");
    assertEquals(206, status(get(site, "/site/app.js", "range", "bytes=0-1", "if-range", etag)));
    assertEquals(200, status(get(site, "/site/app.js", "range", "bytes=0-1", "if-range", "\"old\"")));
    assertEquals(206, status(get(site, "/site/app.js", "range", "bytes=0-1",
        "if-range", "Tue, 14 Nov 2023 22:13:20 GMT")));
  }

  @Test
  void aMountedDirectoryIsServedOffTheEventLoopAndLargeFilesStream(@TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("index.html"), INDEX);
    Files.createDirectories(dir.resolve("assets"));
    byte[] big = new byte[300_000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) ('a' + i % 26);
    }
    Files.write(dir.resolve("assets/big.txt"), big);
    Files.setLastModifiedTime(dir.resolve("assets/big.txt"), FileTime.fromMillis(MODIFIED * 1000));
    Files.writeString(dir.getParent().resolve("secret-" + dir.getFileName()), "secret");
    Route route = Route.of("d", RouteMatch.path(new PathMatch.Prefix("/")),
        new RouteAction.Static(new StaticSource.Directory(dir.toString()), null, false));
    StaticSite site = StaticSite.of(route, Map.of());

    assertEquals(INDEX, text(get(site, "/")));
    assertEquals(301, status(get(site, "/assets")));
    assertEquals(404, status(get(site, "/assets/")));
    assertEquals(404, status(get(site, "/../secret-" + dir.getFileName())));

    LocalResponse whole = get(site, "/assets/big.txt");
    assertEquals(200, whole.status());
    LocalResponse.Body.Streamed streamed = assertInstanceOf(LocalResponse.Body.Streamed.class, whole.body());
    assertEquals(big.length, streamed.length());
    assertEquals(new String(big, StandardCharsets.US_ASCII), text(whole));
    assertEquals("Tue, 14 Nov 2023 22:13:20 GMT", whole.headers().get("last-modified"));

    LocalResponse tail = get(site, "/assets/big.txt", "range", "bytes=299990-");
    assertEquals(206, tail.status());
    assertEquals(new String(big, 299_990, 10, StandardCharsets.US_ASCII), text(tail));

    String etag = whole.headers().get("etag");
    assertEquals(304, status(get(site, "/assets/big.txt", "if-none-match", etag)));
    assertEquals(206, status(get(site, "/assets/big.txt", "range", "bytes=0-1,5-6")));
  }

  private static int status(LocalResponse r) {
    LocalResponses.release(r.body());
    return r.status();
  }

  /** The whole body, released. */
  private static String text(LocalResponse r) {
    try {
      if (r.body() instanceof LocalResponse.Body.Bytes b) {
        return b.content().toString(StandardCharsets.UTF_8);
      }
      if (r.body() instanceof LocalResponse.Body.Streamed s) {
        ChunkedInput<ByteBuf> in = s.input();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (!in.isEndOfInput()) {
          ByteBuf chunk = in.readChunk(io.netty.buffer.PooledByteBufAllocator.DEFAULT);
          if (chunk != null) {
            byte[] bytes = new byte[chunk.readableBytes()];
            chunk.readBytes(bytes);
            chunk.release();
            out.writeBytes(bytes);
          }
        }
        return out.toString(StandardCharsets.UTF_8);
      }
      return "";
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      LocalResponses.release(r.body());
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
