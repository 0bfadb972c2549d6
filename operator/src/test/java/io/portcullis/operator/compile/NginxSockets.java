package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.compile;
import static io.portcullis.operator.compile.Fixtures.ingress;
import static io.portcullis.operator.compile.Fixtures.service;
import static io.portcullis.operator.compile.Fixtures.slice;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.proxy.ProxyServer;
import io.portcullis.dataplane.proxy.ProxySettings;
import io.portcullis.dataplane.tls.CertificateStore;
import io.portcullis.operator.compile.CompilerSettings.IngressNginx;
import io.portcullis.operator.compile.Fixtures.Compiled;
import io.portcullis.operator.compile.Fixtures.IngressFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The in-process end to end rig for ingress-nginx annotations: Ingresses through the real
 * compiler with {@code --ingress-nginx-compat}, the snapshot applied to a real dataplane proxy on
 * loopback, HTTP/1.1 requests written on sockets (so the Host header and every other header are
 * ours to choose), HTTP/2 requests with nghttp and curl, and real backends that tell what reached
 * them.
 */
final class NginxSockets implements AutoCloseable {
  static final String P = "nginx.ingress.kubernetes.io/";
  static final String HOST = "shop.example.com";
  static final CompilerSettings COMPAT =
      CompilerSettings.defaults().withIngressNginx(IngressNginx.SERVED);

  private final List<AutoCloseable> closing = new ArrayList<>();
  private final LiveConfig config = new LiveConfig();
  private final CertificateStore certificates = new CertificateStore();
  private final ProxyServer proxy;
  private final int proxyPort;
  private int httpsPort = -1;

  NginxSockets() {
    certificates.attachTo(config);
    // A connect timeout far beyond the clients' 20 s read timeout: only an annotation's shorter
    // one can answer a connect that hangs.
    proxy = new ProxyServer(ProxySettings.builder().bindAddress("127.0.0.1").port(0)
        .upstreamConnectTimeout(java.time.Duration.ofSeconds(120)).build(),
        config, new ProxyMetrics());
    proxyPort = proxy.start();
  }

  int proxyPort() {
    return proxyPort;
  }

  /** Registers something to close with the rig (a gRPC server, a channel, a socket). */
  <T extends AutoCloseable> T closing(T resource) {
    closing.add(resource);
    return resource;
  }

  @Override
  public void close() {
    for (int i = closing.size() - 1; i >= 0; i--) {
      try {
        closing.get(i).close();
      } catch (Exception ignored) {
        // best effort: the next one still closes
      }
    }
    proxy.close();
    certificates.close();
  }

  /** The HTTPS listener's port, started on first use; certificates come from the TLS Secrets served. */
  synchronized int httpsPort() {
    if (httpsPort < 0) {
      httpsPort = proxy.startHttps(0, certificates);
    }
    return httpsPort;
  }

  static IngressFixture nginx(String name) {
    return ingress("default", name).className("nginx");
  }

  /** A Service with one port whose endpoints are {@code addresses} on that port. */
  static List<Object> service(String name, int port, String... addresses) {
    String[] on = addresses.length == 0 ? new String[] {"127.0.0.1"} : addresses;
    return List.of(Fixtures.service("default", name).port(null, port).build(),
        slice("default", name).port(null, port).ready(on).build());
  }

  Compiled serve(Object... objects) {
    return serve(COMPAT, objects);
  }

  /** The same compiled with other settings (an operator's --default-backend, say). */
  Compiled serve(CompilerSettings settings, Object... objects) {
    Compiled c = compile(settings, objects);
    config.apply(c.snapshot());
    return c;
  }

  // ------------------------------------------------------------------ backends

  /**
   * A backend that answers {@code "NAME PATH?QUERY"} with the request's headers echoed back as
   * {@code x-echo-NAME}, after reading the whole body. {@code /slow} answers after 3 s, {@code
   * /hold} waits for {@link Backend#release()}, {@code /status/NNN} answers NNN; {@code status}
   * (when not 200) is every other path's answer.
   */
  Backend backend(String name) throws IOException {
    return backend(name, InetAddress.getLoopbackAddress(), 0, 200);
  }

  Backend backend(String name, InetAddress address, int port, int status) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 64);
    return start(new Backend(name, server, status));
  }

  /** The same over TLS with a self-signed certificate nobody trusts (as most in-cluster ones). */
  Backend tlsBackend(String name) throws Exception {
    TestCertificates.Issued cert = TestCertificates.issueNow("backend.internal");
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("key", cert.keys().getPrivate(), new char[0],
        new Certificate[] {cert.certificate()});
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, new char[0]);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keys.getKeyManagers(), null, null);
    HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    return start(new Backend(name, server, 200));
  }

  /**
   * A loopback server of the test's own, for answers an echo cannot give: {@code handler} answers
   * {@code path} and below. Stopped with the rig; returns its port.
   */
  int server(String path, HttpHandler handler) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    return start(server, path, handler).getAddress().getPort();
  }

  private HttpServer start(HttpServer server, String path, HttpHandler handler) {
    ExecutorService executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.createContext(path, handler);
    server.start();
    closing.add(() -> {
      server.stop(0);
      executor.shutdownNow();
    });
    return server;
  }

  private Backend start(Backend backend) {
    start(backend.server, "/", backend::handle);
    // Closed before the server stops (the rig closes in reverse): held requests end first.
    closing.add(backend::release);
    return backend;
  }

  static final class Backend {
    final String name;
    final HttpServer server;
    private final int status;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicLong bodyBytes = new AtomicLong();
    private final CountDownLatch held = new CountDownLatch(1);
    private final AtomicInteger holding = new AtomicInteger();
    private volatile boolean holdAll;

    Backend(String name, HttpServer server, int status) {
      this.name = name;
      this.server = server;
      this.status = status;
    }

    int port() {
      return server.getAddress().getPort();
    }

    /** Requests that reached this backend. */
    int requests() {
      return requests.get();
    }

    /** Request body bytes this backend read, over all its requests. */
    long bodyBytes() {
      return bodyBytes.get();
    }

    /** Requests waiting in {@code /hold}. */
    int holding() {
      return holding.get();
    }

    /** Every request waits as {@code /hold} does: an endpoint that accepts and never answers. */
    Backend holdAll() {
      holdAll = true;
      return this;
    }

    void release() {
      held.countDown();
    }

    private void handle(HttpExchange exchange) throws IOException {
      requests.incrementAndGet();
      String path = exchange.getRequestURI().getRawPath();
      try {
        if (path.equals("/slow")) {
          Thread.sleep(3000);
        } else if (holdAll || path.equals("/hold")) {
          holding.incrementAndGet();
          held.await(30, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try (InputStream in = exchange.getRequestBody()) {
        bodyBytes.addAndGet(in.transferTo(OutputStream.nullOutputStream()));
      }
      int code = status;
      if (path.startsWith("/status/")) {
        code = Integer.parseInt(path.substring("/status/".length()));
      }
      String query = exchange.getRequestURI().getRawQuery();
      byte[] body = (name + " " + path + (query == null ? "" : "?" + query))
          .getBytes(StandardCharsets.UTF_8);
      exchange.getRequestHeaders().forEach((k, v) ->
          exchange.getResponseHeaders().set("x-echo-" + k.toLowerCase(Locale.ROOT), String.join(",", v)));
      exchange.sendResponseHeaders(code, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  // ------------------------------------------------------------------ requests

  /**
   * A GET for {@link #HOST} on its own connection; {@code headerLines} go out as written ({@code
   * "name: value"}), so a name may come more than once.
   */
  Response get(String pathAndQuery, String... headerLines) throws IOException {
    return get(HOST, pathAndQuery, List.of(headerLines));
  }

  Response get(String host, String pathAndQuery, Map<String, String> headers) throws IOException {
    return request(host, "GET", pathAndQuery, headers);
  }

  Response get(String host, String pathAndQuery, List<String> headerLines) throws IOException {
    return exchange(InetAddress.getLoopbackAddress(), host, "GET", pathAndQuery, headerLines,
        new byte[0]);
  }

  /**
   * A POST with {@code body} sent as it is: the header lines frame it ({@code content-length: N}
   * or {@code transfer-encoding: chunked} with {@link #chunked}), truly or not.
   */
  Response post(String host, String pathAndQuery, List<String> headerLines, byte[] body)
      throws IOException {
    return exchange(InetAddress.getLoopbackAddress(), host, "POST", pathAndQuery, headerLines, body);
  }

  /** One HTTP/1.1 request on its own connection. */
  Response request(String host, String method, String pathAndQuery, Map<String, String> headers)
      throws IOException {
    return requestFrom(InetAddress.getLoopbackAddress(), host, method, pathAndQuery, headers);
  }

  /** The same from a chosen client address (any 127/8 address on Linux loopback). */
  Response requestFrom(InetAddress client, String host, String method, String pathAndQuery,
      Map<String, String> headers) throws IOException {
    return exchange(client, host, method, pathAndQuery, lines(headers), new byte[0]);
  }

  /** One HTTP/1.1 request on its own connection from {@code client}, read to the end. */
  private Response exchange(InetAddress client, String host, String method, String pathAndQuery,
      List<String> headerLines, byte[] body) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxyPort, client, 0)) {
      return exchange(socket, host, method, pathAndQuery, headerLines, body);
    }
  }

  /**
   * Sends a GET for {@link #HOST} from {@code client} and leaves the connection open, unread: a
   * request in progress until the caller reads or closes it.
   */
  Socket send(InetAddress client, String pathAndQuery) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxyPort, client, 0);
    socket.setSoTimeout(20_000);
    socket.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + HOST
        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    return socket;
  }

  private static List<String> lines(Map<String, String> headers) {
    List<String> lines = new ArrayList<>();
    headers.forEach((k, v) -> lines.add(k + ": " + v));
    return lines;
  }

  private static Response exchange(Socket socket, String host, String method, String pathAndQuery,
      List<String> headerLines, byte[] body) throws IOException {
    socket.setSoTimeout(20_000);
    StringBuilder head =
        new StringBuilder(method + " " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\n");
    headerLines.forEach(line -> head.append(line).append("\r\n"));
    head.append("Connection: close\r\n\r\n");
    OutputStream out = socket.getOutputStream();
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (body.length == 0) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(all);
      return Response.parse(all.toString(StandardCharsets.ISO_8859_1));
    }
    try {
      out.write(body);
      out.flush();
    } catch (IOException e) {
      // the proxy answered early and closed: read its answer
    }
    // A proxy that answers before it read the whole body closes on unread bytes, which the
    // kernel turns into a reset: the answer before it still counts.
    return Response.parse(readToEnd(socket.getInputStream()));
  }

  /** One HTTP/1.1 request over TLS (SNI {@code host}, any certificate accepted) on its own connection. */
  Response httpsRequest(String host, String method, String pathAndQuery, Map<String, String> headers)
      throws Exception {
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

      @Override
      public java.security.cert.X509Certificate[] getAcceptedIssuers() {
        return new java.security.cert.X509Certificate[0];
      }
    }}, null);
    Socket raw = new Socket(InetAddress.getLoopbackAddress(), httpsPort());
    try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(raw, host, httpsPort(), true)) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setServerNames(List.of(new SNIHostName(host)));
      socket.setSSLParameters(parameters);
      return exchange(socket, host, method, pathAndQuery, lines(headers), new byte[0]);
    }
  }

  record Response(int status, Map<String, List<String>> headers, String body) {
    static Response parse(String raw) {
      int end = raw.indexOf("\r\n\r\n");
      if (end < 0) {
        throw new IllegalStateException("no complete response head: " + raw);
      }
      String[] lines = raw.substring(0, end).split("\r\n");
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
      }
      String body = raw.substring(end + 4);
      if (headers.containsKey("transfer-encoding")
          && "chunked".equalsIgnoreCase(headers.get("transfer-encoding").get(0))) {
        body = dechunk(body);
      }
      return new Response(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
    }

    /** The first value of a header, or null. */
    String header(String name) {
      List<String> values = headers.get(name);
      return values == null ? null : values.get(0);
    }

    /** The backend that answered: the first word of an echo body. */
    String backend() {
      int space = body.indexOf(' ');
      return space < 0 ? body : body.substring(0, space);
    }

    private static String dechunk(String body) {
      StringBuilder out = new StringBuilder();
      int at = 0;
      while (true) {
        int eol = body.indexOf("\r\n", at);
        int size = Integer.parseInt(body.substring(at, eol).split(";")[0].trim(), 16);
        if (size == 0) {
          return out.toString();
        }
        out.append(body, eol + 2, eol + 2 + size);
        at = eol + 2 + size + 2;
      }
    }
  }

  // ------------------------------------------------------------------ bodies on the wire

  /** A chunked body of {@code parts}, one chunk each, with the last chunk that ends it. */
  static byte[] chunked(byte[]... parts) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.write(chunk(part));
    }
    out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }

  /** One chunk of a chunked body. */
  static byte[] chunk(byte[] part) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write((Integer.toHexString(part.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.write(part);
    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }

  /** Reads to the end of the stream; a reset after some bytes ends it too. */
  static String readToEnd(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        all.write(buffer, 0, n);
      }
    } catch (SocketException e) {
      // a reset: what arrived before it counts
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  /** Reads until {@code marker} has arrived (or the stream ended), and no further. */
  static String readUntil(InputStream in, String marker) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    while (!all.toString(StandardCharsets.ISO_8859_1).contains(marker)) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      all.write(b);
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  // ------------------------------------------------------------------ HTTP/2

  /**
   * nghttp (HTTP/2 without TLS) started for {@link #HOST}'s {@code pathAndQuery}; {@code options}
   * go before the URL, e.g. {@code "-m", "3"}, or {@code "-H", "cookie: a=b"} for a header field of
   * its own. Prints the bodies; output and errors together.
   */
  Process startNghttp(String pathAndQuery, String... options) throws IOException {
    List<String> command = new ArrayList<>(List.of("nghttp", "-H", ":authority: " + HOST));
    command.addAll(List.of(options));
    command.add("http://127.0.0.1:" + proxyPort + pathAndQuery);
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /** The same run to its end (30 s at most); returns what it printed. */
  String nghttp(String pathAndQuery, String... options) throws Exception {
    Process p = startNghttp(pathAndQuery, options);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          "nghttp did not finish: " + String.join(" ", options) + " " + pathAndQuery);
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  /**
   * curl over HTTP/2 without TLS, streaming {@code size} bytes from stdin to {@link #HOST}'s {@code
   * /up} (DATA frames without content-length); returns the status.
   */
  String http2Upload(int size) throws Exception {
    Process p = new ProcessBuilder("curl", "-sS", "-m", "20", "--http2-prior-knowledge",
        "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: " + HOST, "-T", "-",
        "http://127.0.0.1:" + proxyPort + "/up").redirectErrorStream(false).start();
    try (OutputStream stdin = p.getOutputStream()) {
      stdin.write(new byte[size]);
    }
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("curl did not finish");
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
  }

  static String basic(String user, String password) {
    return "Basic " + java.util.Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
