package io.portcullis.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick start, driven the way the README tells a user to: run {@code run-local.sh} on a copy
 * of {@code examples/quickstart}, curl the routes, edit a manifest, see routing change, press
 * Ctrl-C (SIGTERM here) and find nothing left running. Uses the jars {@code mvn package} built;
 * ports are free ones so it can run beside anything else.
 */
class LocalModeLauncherIT {
  private static final Duration START_DEADLINE = Duration.ofSeconds(150);
  private static final Duration CHANGE_DEADLINE = Duration.ofSeconds(20);
  private static final Duration STOP_DEADLINE = Duration.ofSeconds(40);

  @TempDir Path temp;

  private final Path root = Path.of(System.getProperty("portcullis.root", "..")).toAbsolutePath().normalize();
  private Path manifests;
  private Path launcherOutput;
  private Path logs;
  private Process launcher;
  private int httpPort;
  private int adminPort;
  private int httpsPort;

  @BeforeEach
  void startLauncher() throws Exception {
    for (String jar :
        List.of("operator/target/portcullis-operator.jar", "dataplane/target/portcullis-dataplane.jar")) {
      assertTrue(
          Files.isRegularFile(root.resolve(jar)),
          jar + " is missing: this test runs in `mvn verify`, after `package` built it");
    }
    int[] ports = freePorts(7);
    httpPort = ports[0];
    adminPort = ports[1];
    httpsPort = ports[6];
    int snapshotPort = ports[2];
    int metricsPort = ports[3];
    int helloPort = ports[4];
    int echoPort = ports[5];

    manifests = temp.resolve("manifests");
    copyDirectory(root.resolve("examples/quickstart"), manifests);
    // The quick start's EndpointSlices point at the default backend ports; move them with us.
    Path backends = manifests.resolve("10-backends.yaml");
    String yaml = Files.readString(backends);
    assertTrue(yaml.contains("19001") && yaml.contains("19002"), "quick start backends moved?");
    Files.writeString(
        backends,
        yaml.replace("19001", Integer.toString(helloPort)).replace("19002", Integer.toString(echoPort)));

    logs = temp.resolve("logs");
    launcherOutput = temp.resolve("launcher.out");
    ProcessBuilder builder =
        new ProcessBuilder(
                "bash",
                root.resolve("run-local.sh").toString(),
                "--no-build",
                "--http-port", Integer.toString(httpPort),
                "--admin-port", Integer.toString(adminPort),
                "--snapshot-port", Integer.toString(snapshotPort),
                "--metrics-port", Integer.toString(metricsPort),
                "--hello-port", Integer.toString(helloPort),
                "--echo-port", Integer.toString(echoPort),
                "--https-port", Integer.toString(httpsPort),
                "--ready-timeout", Long.toString(START_DEADLINE.toSeconds() - 10),
                manifests.toString())
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(launcherOutput.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    builder.environment().put("PORTCULLIS_LOCAL_LOG_DIR", logs.toString());
    builder.environment().put("JAVA_OPTS", "-Xmx256m");
    launcher = builder.start();

    await("the launcher to say Portcullis is ready")
        .atMost(START_DEADLINE)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              if (!launcher.isAlive()) {
                fail("run-local.sh exited with " + launcher.exitValue() + "\n" + diagnostics());
              }
              return output().contains("Portcullis is ready");
            });
  }

  @AfterEach
  void stopLauncher() throws Exception {
    if (launcher != null && launcher.isAlive()) {
      List<ProcessHandle> children = launcher.descendants().toList();
      launcher.destroy();
      if (!launcher.waitFor(STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
        launcher.destroyForcibly();
      }
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  @DisplayName("the quick start serves its routes, follows a manifest edit, and stops cleanly")
  void quickStartServesFollowsEditsAndStopsCleanly() throws Exception {
    // The Ingress: / goes to hello, /echo to echo, which echoes the body back.
    Response root = get("localhost", "/", Map.of());
    assertEquals(200, root.status(), root.toString());
    assertTrue(root.body().contains("backend: hello"), root.toString());
    assertTrue(root.body().contains("x-forwarded-for: 127.0.0.1"), root.toString());

    Response echo = request("POST", "localhost", "/echo/things", Map.of(), "ping from the test");
    assertEquals(200, echo.status(), echo.toString());
    assertTrue(echo.body().contains("backend: echo"), echo.toString());
    assertTrue(echo.body().contains("path: /echo/things"), echo.toString());
    assertTrue(echo.body().contains("ping from the test"), echo.toString());

    // Prefix matches whole path elements: /echoes is not under /echo.
    assertTrue(get("localhost", "/echoes", Map.of()).body().contains("backend: hello"));

    // The ProxyRoute on demo.localhost.
    Response canary = get("demo.localhost", "/", Map.of("x-canary", "1"));
    assertTrue(canary.body().contains("backend: echo"), canary.toString());

    Response split = get("demo.localhost", "/anything", Map.of("x-debug", "yes"));
    assertEquals(200, split.status(), split.toString());
    assertTrue(split.body().contains("x-demo: proxyroute"), split.toString());
    assertTrue(!split.body().contains("x-debug"), split.toString());
    assertEquals("portcullis", split.header("x-served-by"), split.toString());

    Response api = get("demo.localhost", "/api/users", Map.of());
    assertTrue(api.body().contains("path: /v1/users"), api.toString());

    Response moved = get("demo.localhost", "/old/page", Map.of());
    assertEquals(301, moved.status(), moved.toString());
    assertTrue(moved.header("location").endsWith("/new"), moved.toString());

    Response maintenance = get("demo.localhost", "/maintenance", Map.of());
    assertEquals(503, maintenance.status(), maintenance.toString());
    assertEquals("down for maintenance\n", maintenance.body());

    // secure.localhost: HTTPS with the certificate run-local.sh generated, chosen by SNI (the
    // operator's own default certificate is for another name, so verification would fail).
    Path certificate = manifests.resolve("generated/secure-localhost.crt");
    assertTrue(Files.isRegularFile(certificate), "no generated certificate\n" + diagnostics());
    assertTrue(
        Files.readString(manifests.resolve("generated/secure-localhost-tls.yaml"))
            .contains("type: kubernetes.io/tls"));
    Https secure = https("secure.localhost", "/hello-over-tls", certificate);
    assertEquals(200, secure.status(), secure.toString());
    assertTrue(secure.subject().contains("CN=secure.localhost") || secure.subject().contains("CN = secure.localhost"),
        secure.toString());
    assertTrue(secure.body().contains("backend: hello"), secure.toString());
    assertTrue(secure.body().contains("path: /hello-over-tls"), secure.toString());
    // h2c with prior knowledge on the plain port, as the README shows.
    if (hasCurl()) {
      Process h2c = new ProcessBuilder("curl", "-sS", "-m", "10", "--http2-prior-knowledge",
          "-w", "\nversion=%{http_version}", "http://localhost:" + httpPort + "/h2c")
          .redirectErrorStream(true).start();
      String h2cOut = new String(h2c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(h2c.waitFor(20, TimeUnit.SECONDS) && h2c.exitValue() == 0, h2cOut);
      assertTrue(h2cOut.contains("backend: hello") && h2cOut.endsWith("version=2"), h2cOut);
    }
    // Plain HTTP to a TLS host is redirected to https://, keeping the path.
    Response plain = get("secure.localhost", "/page?x=1", Map.of());
    assertEquals(308, plain.status(), plain.toString());
    assertTrue(plain.header("location").startsWith("https://secure.localhost"), plain.toString());
    assertTrue(plain.header("location").endsWith("/page?x=1"), plain.toString());

    // The launcher printed a curl for every route of the directory it serves.
    String banner = output();
    assertTrue(banner.contains("-H 'Host: demo.localhost' -H 'x-canary: 1' http://localhost:" + httpPort + "/"), banner);
    assertTrue(banner.contains("answers 503"), banner);
    assertTrue(banner.contains("https://secure.localhost:" + httpsPort + "/"), banner);

    // Every command of the README's quick start, as written (ports moved to this test's).
    runQuickStartCommands();

    // A typo in a manifest: the launcher's terminal says where and what; the last good version
    // keeps serving; the fix is picked up.
    Path proxyRoute = manifests.resolve("30-proxyroute.yaml");
    String good = Files.readString(proxyRoute);
    assertTrue(good.contains("rewrite: {pathPrefix: /v1}"), "the quick start's rewrite moved?");
    Files.writeString(proxyRoute, good.replace("rewrite: {pathPrefix: /v1}", "rewrite: {pathPrefx: /v1}"));
    int typoLine = lineOf(good, "rewrite: {pathPrefix: /v1}");
    await("the typo to be reported on the terminal")
        .atMost(CHANGE_DEADLINE)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> output().contains("manifests: 30-proxyroute.yaml:" + typoLine
            + ": ProxyRoute default/demo: spec.routes[2].rewrite.pathPrefx: unknown field (did you mean pathPrefix?)"));
    assertTrue(get("demo.localhost", "/api/users", Map.of()).body().contains("path: /v1/users"),
        "the last good ProxyRoute keeps serving");
    Files.writeString(proxyRoute, good);

    // A user edits the Ingress: /echo now goes to hello. No restart, routing follows.
    Path ingress = manifests.resolve("20-ingress.yaml");
    String edited = Files.readString(ingress).replace("name: echo", "name: hello");
    assertTrue(!edited.contains("name: echo"), "the edit must change the /echo backend");
    Files.writeString(ingress, edited);
    await("routing to follow the edited manifest")
        .atMost(CHANGE_DEADLINE)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> get("localhost", "/echo", Map.of()).body().contains("backend: hello"));

    // Ctrl-C: everything the launcher started goes away with it.
    List<ProcessHandle> children = launcher.descendants().toList();
    assertTrue(children.size() >= 4, "expected backends, operator and dataplane: " + children);
    launcher.destroy();
    assertTrue(
        launcher.waitFor(STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS),
        "run-local.sh did not stop on SIGTERM\n" + diagnostics());
    await("every child to be gone")
        .atMost(Duration.ofSeconds(5))
        .until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
    assertTrue(!accepts(httpPort), "the dataplane port is still open");
    assertTrue(!accepts(adminPort), "the admin port is still open");
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Runs every shell command of the README's quick start section: the curls as written (ports
   * moved to this test's, {@code examples/quickstart/} to its copy), each expected to answer the
   * status its comment names (else 200). {@code ./run-local.sh} is what this test started and
   * {@code mvn -B verify} is what runs it; any other command must be added here.
   */
  private void runQuickStartCommands() throws Exception {
    String readme = Files.readString(root.resolve("README.md"));
    int start = readme.indexOf("\n## Quick start");
    int end = readme.indexOf("\n## ", start + 1);
    assertTrue(start >= 0 && end > start, "README has a Quick start section");
    java.util.regex.Matcher block = java.util.regex.Pattern.compile("(?ms)^```(\\w*)\\n(.*?)^```").matcher(
        readme.substring(start, end));
    List<String> commands = new ArrayList<>();
    while (block.find()) {
      if (!block.group(1).isEmpty() && !block.group(1).equals("sh") && !block.group(1).equals("console")) {
        continue;
      }
      commands.addAll(List.of(block.group(2).replaceAll("\\\\\n\\s*", " ").split("\n")));
    }
    int ran = 0;
    for (String line : commands) {
      String command = line.strip();
      if (command.isEmpty() || command.equals("./run-local.sh") || command.equals("mvn -B verify")) {
        continue;
      }
      assertTrue(command.startsWith("curl "), "a quick-start command this test does not run yet: " + command);
      int hash = command.indexOf(" # ");
      String comment = hash < 0 ? "" : command.substring(hash + 3);
      String curl = (hash < 0 ? command : command.substring(0, hash)).strip()
          .replaceAll("\\b8080\\b", Integer.toString(httpPort))
          .replaceAll("\\b8443\\b", Integer.toString(httpsPort))
          .replaceAll("\\b9901\\b", Integer.toString(adminPort))
          .replace("examples/quickstart/", manifests + "/");
      java.util.regex.Matcher code = java.util.regex.Pattern.compile("\\b([1-5]\\d\\d)\\b").matcher(comment);
      String expected = code.find() ? code.group(1) : "200";
      Process p = new ProcessBuilder("bash", "-c", curl + " -sS -m 10 -o /dev/null -w '%{http_code}'")
          .directory(root.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), curl);
      assertEquals(expected, out.strip(), "README quick start: " + command + "\n(ran: " + curl + ")");
      ran++;
    }
    assertTrue(ran >= 8, "quick-start curls run: " + ran);
  }

  private static int lineOf(String text, String needle) {
    int offset = text.indexOf(needle);
    return (int) text.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
  }

  record Response(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
    }
  }

  record Https(int status, String subject, String body) {}

  /**
   * GET over TLS to 127.0.0.1 with SNI {@code host}, trusting only {@code certificate}: with curl
   * ({@code --resolve}, {@code --cacert}) as the README shows, else with the JDK's SSLSocket.
   */
  private Https https(String host, String path, Path certificate) throws Exception {
    if (!hasCurl()) {
      return jdkHttps(host, path, certificate);
    }
    Path bodyFile = Files.createTempFile(temp, "body", ".txt");
    List<String> command =
        List.of(
            "curl", "-sS", "-v", "-m", "10", "--http2", "--cacert", certificate.toString(),
            "--resolve", host + ":" + httpsPort + ":127.0.0.1",
            "-o", bodyFile.toString(), "-w", "status=%{http_code}\nversion=%{http_version}\n",
            "https://" + host + ":" + httpsPort + path);
    Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!curl.waitFor(20, TimeUnit.SECONDS) || curl.exitValue() != 0) {
      throw new IOException("curl " + String.join(" ", command) + " failed: " + out);
    }
    String subject = "";
    int status = -1;
    for (String line : out.split("\n")) {
      if (line.startsWith("version=") && !line.trim().equals("version=2")) {
        throw new IOException("curl --http2 did not get HTTP/2 (ALPN h2): " + out);
      }
      if (line.contains("subject:")) {
        subject = line.substring(line.indexOf("subject:") + "subject:".length()).trim();
      } else if (line.startsWith("status=")) {
        status = Integer.parseInt(line.substring("status=".length()).trim());
      }
    }
    return new Https(status, subject, Files.readString(bodyFile));
  }

  private Https jdkHttps(String host, String path, Path certificate) throws Exception {
    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    java.security.cert.X509Certificate cert;
    try (var in = Files.newInputStream(certificate)) {
      cert = (java.security.cert.X509Certificate)
          java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    trust.setCertificateEntry("quickstart", cert);
    javax.net.ssl.TrustManagerFactory tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    try (javax.net.ssl.SSLSocket socket =
        (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", httpsPort), 5000);
      socket.setSoTimeout(10_000);
      javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
      parameters.setServerNames(List.of(new javax.net.ssl.SNIHostName(host)));
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      String subject =
          ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0])
              .getSubjectX500Principal().getName();
      socket.getOutputStream().write(
          ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(response.split(" ", 3)[1]);
      return new Https(status, subject, response.substring(response.indexOf("\r\n\r\n") + 4));
    }
  }

  private Response get(String host, String path, Map<String, String> headers) {
    return request("GET", host, path, headers, null);
  }

  /** One request through the dataplane, with curl as a user would, or the JDK's client without it. */
  private Response request(
      String method, String host, String path, Map<String, String> headers, String body) {
    try {
      return hasCurl()
          ? curl(method, host, path, headers, body)
          : jdk(method, host, path, headers, body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Response curl(
      String method, String host, String path, Map<String, String> headers, String body)
      throws IOException, InterruptedException {
    Path headerFile = Files.createTempFile(temp, "headers", ".txt");
    Path bodyFile = Files.createTempFile(temp, "body", ".txt");
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "-m", "10", "-X", method));
    command.addAll(List.of("-H", "Host: " + host, "-D", headerFile.toString(), "-o", bodyFile.toString()));
    headers.forEach((name, value) -> command.addAll(List.of("-H", name + ": " + value)));
    if (body != null) {
      command.addAll(List.of("--data-binary", body));
    }
    command.add("http://127.0.0.1:" + httpPort + path);
    Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!curl.waitFor(20, TimeUnit.SECONDS) || curl.exitValue() != 0) {
      throw new IOException("curl " + String.join(" ", command) + " failed: " + out);
    }
    List<String> lines = Files.readAllLines(headerFile, StandardCharsets.ISO_8859_1);
    int status = Integer.parseInt(lines.get(0).split(" ")[1]);
    Map<String, String> parsed = new LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        parsed.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
    }
    return new Response(status, parsed, Files.readString(bodyFile));
  }

  private Response jdk(
      String method, String host, String path, Map<String, String> headers, String body)
      throws IOException, InterruptedException {
    // Host is a restricted header in the JDK client unless allowed before its first use.
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
            .timeout(Duration.ofSeconds(10))
            .header("Host", host)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(builder::header);
    HttpResponse<String> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    Map<String, String> parsed = new LinkedHashMap<>();
    response.headers().map().forEach((k, v) -> parsed.put(k.toLowerCase(Locale.ROOT), v.get(0)));
    return new Response(response.statusCode(), parsed, response.body());
  }

  private static boolean hasCurl() {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, "curl")));
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Ports free right now; the launcher binds them moments later (it fails clearly if one was taken). */
  private static int[] freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  private static void copyDirectory(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(file.getFileName()));
      }
    }
  }

  private String output() throws IOException {
    return Files.exists(launcherOutput) ? Files.readString(launcherOutput) : "";
  }

  private String diagnostics() {
    StringBuilder text = new StringBuilder();
    try {
      text.append("--- run-local.sh output ---\n").append(output());
      if (Files.isDirectory(logs)) {
        try (Stream<Path> files = Files.list(logs)) {
          for (Path log : files.sorted().toList()) {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            text.append("--- ").append(log.getFileName()).append(" (last 30 lines) ---\n");
            lines.subList(Math.max(0, lines.size() - 30), lines.size())
                .forEach(l -> text.append(l).append('\n'));
          }
        }
      }
    } catch (IOException | UncheckedIOException e) {
      text.append("(cannot read logs: ").append(e).append(")\n");
    }
    return text.toString();
  }
}
