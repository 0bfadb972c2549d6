package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.compile;
import static io.portcullis.operator.compile.Fixtures.ingress;
import static io.portcullis.operator.compile.Fixtures.service;
import static io.portcullis.operator.compile.Fixtures.slice;

import com.sun.net.httpserver.HttpExchange;
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
 * ours to choose), and real backends that tell what reached them.
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
    Compiled c = compile(COMPAT, objects);
    config.apply(c.snapshot());
    return c;
  }

  // ------------------------------------------------------------------ backends

  /**
   * A backend that answers {@code "NAME PATH?QUERY"} with the request's headers echoed back as
   * {@code x-echo-NAME}. {@code /slow} answers after 3 s, {@code /hold} waits for {@link
   * Backend#release()}, {@code /status/NNN} answers NNN; {@code status} (when not 200) is every
   * other path's answer.
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

  private Backend start(Backend backend) {
    ExecutorService executor = Executors.newCachedThreadPool();
    backend.server.setExecutor(executor);
    backend.server.createContext("/", backend::handle);
    backend.server.start();
    closing.add(() -> {
      backend.release();
      backend.server.stop(0);
      executor.shutdownNow();
    });
    return backend;
  }

  static final class Backend {
    final String name;
    final HttpServer server;
    private final int status;
    private final AtomicInteger requests = new AtomicInteger();
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
        in.transferTo(OutputStream.nullOutputStream());
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

  Response get(String pathAndQuery) throws IOException {
    return request(HOST, "GET", pathAndQuery, Map.of());
  }

  Response get(String host, String pathAndQuery, Map<String, String> headers) throws IOException {
    return request(host, "GET", pathAndQuery, headers);
  }

  /** One HTTP/1.1 request on its own connection. */
  Response request(String host, String method, String pathAndQuery, Map<String, String> headers)
      throws IOException {
    return requestFrom(InetAddress.getLoopbackAddress(), host, method, pathAndQuery, headers);
  }

  /** The same from a chosen client address (any 127/8 address on Linux loopback). */
  Response requestFrom(InetAddress client, String host, String method, String pathAndQuery,
      Map<String, String> headers) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxyPort, client, 0)) {
      return exchange(socket, host, method, pathAndQuery, headers);
    }
  }

  private static Response exchange(Socket socket, String host, String method, String pathAndQuery,
      Map<String, String> headers) throws IOException {
    socket.setSoTimeout(20_000);
    StringBuilder head =
        new StringBuilder(method + " " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("Connection: close\r\n\r\n");
    socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    socket.getInputStream().transferTo(all);
    return Response.parse(all.toString(StandardCharsets.ISO_8859_1));
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
      return exchange(socket, host, method, pathAndQuery, headers);
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

  static String basic(String user, String password) {
    return "Basic " + java.util.Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
