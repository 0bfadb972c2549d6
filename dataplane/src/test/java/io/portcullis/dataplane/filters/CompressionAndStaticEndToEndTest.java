package io.portcullis.dataplane.filters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aayushatharva.brotli4j.decoder.BrotliInputStream;
import com.github.luben.zstd.ZstdInputStream;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.proxy.ProxyServer;
import io.portcullis.dataplane.proxy.ProxySettings;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.StaticBlob;
import io.portcullis.snapshot.StaticFile;
import io.portcullis.snapshot.StaticSource;
import io.portcullis.snapshot.VirtualHost;
import io.portcullis.snapshot.filter.CompressionPolicy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compression and static sites on the filter chain through a real proxy, a real backend (the
 * JDK's HTTP server), the JDK HTTP client over HTTP/1.1 and curl over HTTP/2.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CompressionAndStaticEndToEndTest {
  private static final String HOST = "app.example.com";
  private static final byte[] PAGE = page(200_000);
  private static final String APP = "console.log('hello from a ConfigMap');\n".repeat(40);

  @TempDir
  Path dir;

  private final LiveConfig config = new LiveConfig();
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final CountDownLatch releaseStream = new CountDownLatch(1);
  private final AtomicBoolean streamFinished = new AtomicBoolean();
  private HttpServer backend;
  private ProxyServer proxy;
  private int port;
  private byte[] bigFile;

  @BeforeEach
  void start() throws IOException {
    backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/text", ex -> answer(ex, "text/html; charset=utf-8", PAGE, "\"v1\""));
    backend.createContext("/png", ex -> answer(ex, "image/png", PAGE, null));
    backend.createContext("/stream", this::stream);
    backend.start();

    bigFile = page(300_000);
    Files.write(dir.resolve("big.txt"), bigFile);
    StaticBlob index = StaticBlob.ofText("<!doctype html><title>site</title>" + "<p>hello</p>".repeat(200));
    StaticBlob app = StaticBlob.ofText(APP);
    CompressionPolicy anyLength = new CompressionPolicy(List.of(), 100, List.of(), 0, 0, 0);
    VirtualHost vhost = new VirtualHost(HOST, List.of(
        Route.of("site", RouteMatch.path(new PathMatch.Prefix("/site")),
            new RouteAction.Static(new StaticSource.Files(List.of(
                new StaticFile("index.html", index.digest(), index.bytes().length),
                new StaticFile("app.js", app.digest(), APP.length())), 1_700_000_000L), null, false))
            .withFilters(List.of(anyLength)),
        Route.of("dir", RouteMatch.path(new PathMatch.Prefix("/dir")),
            new RouteAction.Static(new StaticSource.Directory(dir.toString()), null, false))
            .withFilters(List.of(CompressionPolicy.defaults())),
        Route.of("app", RouteMatch.path(new PathMatch.Prefix("/")), RouteAction.Forward.to("c"))
            .withFilters(List.of(CompressionPolicy.defaults()))));
    config.apply(Snapshot.of(List.of(vhost),
        List.of(new Cluster("c", List.of(new Endpoint("127.0.0.1", backend.getAddress().getPort())))),
        null, List.of(), null, List.of(index, app)));
    proxy = new ProxyServer(
        ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(1).build(),
        config, new ProxyMetrics());
    port = proxy.start();
  }

  @AfterEach
  void stop() {
    releaseStream.countDown();
    proxy.close();
    backend.stop(0);
  }

  private static void answer(HttpExchange ex, String type, byte[] body, String etag) throws IOException {
    ex.getResponseHeaders().set("content-type", type);
    if (etag != null) {
      ex.getResponseHeaders().set("etag", etag);
    }
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  /** 64 KiB now, then the rest once the test has seen the first part decompressed. */
  private void stream(HttpExchange ex) throws IOException {
    ex.getResponseHeaders().set("content-type", "text/plain");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(PAGE, 0, 65_536);
      out.flush();
      try {
        releaseStream.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      out.write(PAGE, 65_536, PAGE.length - 65_536);
    }
    streamFinished.set(true);
  }

  private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    return send("GET", path, headers);
  }

  private HttpResponse<byte[]> send(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Host", HOST).timeout(java.time.Duration.ofSeconds(20))
        .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static Optional<String> header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name);
  }

  @Test
  @DisplayName("a proxied text response is compressed in the coding the client prefers")
  void proxiedResponsesAreCompressed() throws Exception {
    for (String coding : List.of("br", "zstd", "gzip")) {
      var r = get("/text", "Accept-Encoding", coding + ", identity;q=0.5");
      assertEquals(200, r.statusCode());
      assertEquals(Optional.of(coding), header(r, "content-encoding"), coding);
      assertEquals(Optional.of("W/\"v1\""), header(r, "etag"));
      assertTrue(r.headers().allValues("vary").contains("Accept-Encoding"));
      assertFalse(header(r, "content-length").isPresent());
      assertTrue(r.body().length < PAGE.length / 4, coding + ": " + r.body().length);
      assertArrayEquals(PAGE, decode(coding, r.body()), coding);
    }
  }

  @Test
  @DisplayName("identity for clients that accept no coding, and for types not listed")
  void identityWhenNotAcceptedOrNotText() throws Exception {
    var none = get("/text");
    assertFalse(header(none, "content-encoding").isPresent());
    assertEquals(Optional.of("\"v1\""), header(none, "etag"));
    assertTrue(none.headers().allValues("vary").contains("Accept-Encoding"));
    assertArrayEquals(PAGE, none.body());
    var png = get("/png", "Accept-Encoding", "gzip");
    assertFalse(header(png, "content-encoding").isPresent());
    assertArrayEquals(PAGE, png.body());
  }

  @Test
  @DisplayName("compressed bytes reach the client before the backend has finished the body")
  void compressionStreams() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/stream"))
        .header("Host", HOST).header("Accept-Encoding", "gzip").build();
    HttpResponse<InputStream> r = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(Optional.of("gzip"), header(r, "content-encoding"));
    try (InputStream in = new GZIPInputStream(r.body())) {
      byte[] first = in.readNBytes(65_536);
      assertFalse(streamFinished.get(), "the backend finished before the client read");
      assertArrayEquals(java.util.Arrays.copyOf(PAGE, 65_536), first);
      releaseStream.countDown();
      byte[] rest = in.readAllBytes();
      assertEquals(PAGE.length - 65_536, rest.length);
    }
  }

  @Test
  @DisplayName("a static site from the snapshot: types, validators, ranges, 304, 405, HEAD")
  void staticSiteFromTheSnapshot() throws Exception {
    var r = get("/site/app.js");
    assertEquals(200, r.statusCode());
    assertEquals(Optional.of("text/javascript; charset=utf-8"), header(r, "content-type"));
    assertEquals(Optional.of("Tue, 14 Nov 2023 22:13:20 GMT"), header(r, "last-modified"));
    assertEquals(APP, new String(r.body(), StandardCharsets.UTF_8));
    String etag = header(r, "etag").orElseThrow();

    var notModified = get("/site/app.js", "If-None-Match", etag);
    assertEquals(304, notModified.statusCode());
    assertEquals(0, notModified.body().length);

    var range = get("/site/app.js", "Range", "bytes=0-6");
    assertEquals(206, range.statusCode());
    assertEquals(Optional.of("bytes 0-6/" + APP.length()), header(range, "content-range"));
    assertEquals("console", new String(range.body(), StandardCharsets.UTF_8));

    var multi = get("/site/app.js", "Range", "bytes=0-6,8-10");
    assertEquals(206, multi.statusCode());
    assertTrue(header(multi, "content-type").orElseThrow().startsWith("multipart/byteranges; boundary="));

    assertEquals(416, get("/site/app.js", "Range", "bytes=99999-").statusCode());
    var post = send("POST", "/site/app.js");
    assertEquals(405, post.statusCode());
    assertEquals(Optional.of("GET, HEAD"), header(post, "allow"));
    var head = send("HEAD", "/site/app.js");
    assertEquals(200, head.statusCode());
    assertEquals(Optional.of(String.valueOf(APP.length())), header(head, "content-length"));
    assertEquals(404, get("/site/missing.css").statusCode());
  }

  @Test
  @DisplayName("a static answer passes the route's compression filter like any response")
  void staticSiteIsCompressedByTheRoutesFilter() throws Exception {
    var r = get("/site/", "Accept-Encoding", "gzip");
    assertEquals(200, r.statusCode());
    assertEquals(Optional.of("gzip"), header(r, "content-encoding"));
    assertTrue(new String(decode("gzip", r.body()), StandardCharsets.UTF_8).startsWith("<!doctype html>"));
    var ranged = get("/site/app.js", "Accept-Encoding", "gzip", "Range", "bytes=0-6");
    assertEquals(206, ranged.statusCode());
    assertFalse(header(ranged, "content-encoding").isPresent(), "a range is never compressed");
    var missing = get("/site/missing.css", "Accept-Encoding", "gzip");
    assertEquals(404, missing.statusCode());
    assertFalse(header(missing, "content-encoding").isPresent(), "under minLength: as it is");
  }

  @Test
  @DisplayName("a large file from a mounted directory streams whole and by range")
  void directorySiteStreamsLargeFiles() throws Exception {
    var r = get("/dir/big.txt");
    assertEquals(200, r.statusCode());
    assertEquals(Optional.of(String.valueOf(bigFile.length)), header(r, "content-length"));
    assertArrayEquals(bigFile, r.body());
    var tail = get("/dir/big.txt", "Range", "bytes=-5");
    assertEquals(206, tail.statusCode());
    assertArrayEquals(java.util.Arrays.copyOfRange(bigFile, bigFile.length - 5, bigFile.length),
        tail.body());
  }

  @Test
  @DisplayName("over HTTP/2 (curl, prior knowledge): zstd from a backend, static files, a large one")
  void http2() throws Exception {
    assertEquals(new String(PAGE, StandardCharsets.UTF_8),
        curl("--http2-prior-knowledge", "-H", "Accept-Encoding: zstd", "--compressed",
            "-H", "Host: " + HOST, "http://127.0.0.1:" + port + "/text"));
    assertEquals("console",
        curl("--http2-prior-knowledge", "-r", "0-6", "-H", "Host: " + HOST,
            "http://127.0.0.1:" + port + "/site/app.js"));
    assertEquals(new String(bigFile, StandardCharsets.UTF_8),
        curl("--http2-prior-knowledge", "-H", "Host: " + HOST,
            "http://127.0.0.1:" + port + "/dir/big.txt"));
    assertEquals(new String(bigFile, StandardCharsets.UTF_8),
        curl("--http2-prior-knowledge", "-H", "Accept-Encoding: br", "--compressed",
            "-H", "Host: " + HOST, "http://127.0.0.1:" + port + "/dir/big.txt"));
  }

  private static String curl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--fail", "--max-time", "20"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
    byte[] out = p.getInputStream().readAllBytes();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), err);
    return new String(out, StandardCharsets.UTF_8);
  }

  private static byte[] decode(String coding, byte[] data) throws IOException {
    InputStream in = switch (coding) {
      case "gzip" -> new GZIPInputStream(new ByteArrayInputStream(data));
      case "zstd" -> new ZstdInputStream(new ByteArrayInputStream(data));
      case "br" -> new BrotliInputStream(new ByteArrayInputStream(data));
      default -> throw new IllegalArgumentException(coding);
    };
    try (in) {
      return in.readAllBytes();
    }
  }

  private static byte[] page(int size) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; sb.length() < size; i++) {
      sb.append("<tr><td>").append(i).append("</td><td>item ").append(i * 31 % 977)
          .append("</td><td>").append(i % 17 == 0 ? "sale" : "regular").append("</td></tr>\n");
    }
    return sb.substring(0, size).getBytes(StandardCharsets.UTF_8);
  }
}
