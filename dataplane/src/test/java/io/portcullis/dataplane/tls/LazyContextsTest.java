package io.portcullis.dataplane.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.SslContext;
import io.portcullis.dataplane.config.ConfigRejectedException;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.testing.LoopbackServer;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.SnapshotCodec;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.TlsPolicy;
import io.portcullis.snapshot.TlsPolicy.ClientValidation;
import io.portcullis.snapshot.VirtualHost;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Server contexts are built on their first handshake (or by the background pre-build), not when a
 * config is applied: counted through the store's context factory, over real TLS handshakes
 * against the HTTPS listener's SNI handler, which asks the store asynchronously.
 */
class LazyContextsTest {
  private static final TestPki PKI = new TestPki();
  private static final int HOSTS = 60;
  /** One certificate per host, each with content of its own (as a cluster of cert-manager Secrets). */
  private static final List<TlsCertificate> CERTIFICATES = new ArrayList<>();
  private static final TlsCertificate FALLBACK = PKI.issue("ops/default", "localhost");

  static {
    for (int i = 0; i < HOSTS; i++) {
      CERTIFICATES.add(PKI.issue("team-" + i + "/tls", host(i)));
    }
  }

  /** Builds per certificate name. */
  private final Map<String, AtomicInteger> builds = new ConcurrentHashMap<>();
  /** The threads builds ran on. */
  private final java.util.Set<String> buildThreads = ConcurrentHashMap.newKeySet();
  /** Builds of this certificate name wait here until the test lets them go. */
  private volatile String heldName;
  private final CountDownLatch release = new CountDownLatch(1);
  private final HeldTasks prebuild = new HeldTasks();
  private final CertificateStore store = new CertificateStore(TlsProvider.get(), (certificate, validation) -> {
    builds.computeIfAbsent(certificate.name(), n -> new AtomicInteger()).incrementAndGet();
    buildThreads.add(Thread.currentThread().getName());
    if (certificate.name().equals(heldName)) {
      release.await(30, TimeUnit.SECONDS);
    }
    return ServerContexts.build(certificate, validation, TlsProvider.get());
  }, prebuild);
  private final LiveConfig config = new LiveConfig();
  private final LoopbackServer server;
  private final ExecutorService clients = Executors.newCachedThreadPool();

  LazyContextsTest() {
    store.attachTo(config);
    server = LoopbackServer.start(ch -> ch.pipeline().addLast(
        new ClientCertificateSniHandler(store, 64 * 1024, 10_000)));
  }

  @AfterEach
  void close() {
    release.countDown();
    clients.shutdownNow();
    server.close();
    store.close();
  }

  /** Tasks held until the test runs them: the background pre-build, under the test's control. */
  private static final class HeldTasks implements java.util.concurrent.Executor {
    private final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      Runnable task;
      while ((task = next()) != null) {
        task.run();
      }
    }

    private synchronized Runnable next() {
      return tasks.poll();
    }
  }

  private static String host(int i) {
    return "app-" + i + ".example.com";
  }

  private static VirtualHost tlsHost(String name, String certificate, ClientValidation clients) {
    return new VirtualHost(name, List.of(Route.of("r/" + name,
        RouteMatch.path(new PathMatch.Prefix("/")), new RouteAction.DirectResponse(200, "ok"))),
        new TlsPolicy(certificate, true, null, clients));
  }

  private static Snapshot snapshot(List<TlsCertificate> certificates) {
    List<VirtualHost> hosts = new ArrayList<>();
    for (int i = 0; i < HOSTS; i++) {
      hosts.add(tlsHost(host(i), certificates.get(i).name(), null));
    }
    List<TlsCertificate> all = new ArrayList<>(certificates);
    all.add(FALLBACK);
    return Snapshot.of(hosts, List.of(), null, all, FALLBACK.name());
  }

  private int totalBuilds() {
    return builds.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  private int builds(TlsCertificate certificate) {
    AtomicInteger n = builds.get(certificate.name());
    return n == null ? 0 : n.get();
  }

  /** Applies {@code to} as the stream client does: the delta over the wire, then the result. */
  private void receive(Snapshot to) {
    Snapshot from = config.current().snapshot();
    Delta delta = SnapshotCodec.fromJson(SnapshotCodec.toJson(Delta.between(from, to)), Delta.class);
    config.apply(delta.applyTo(from), delta);
  }

  private SSLSocket handshake(SSLContext client, String sniName, String... alpn) throws IOException {
    SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", server.port());
    socket.setSoTimeout(20_000);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setServerNames(List.of(new SNIHostName(sniName)));
    if (alpn.length > 0) {
      parameters.setApplicationProtocols(alpn);
    }
    socket.setSSLParameters(parameters);
    socket.startHandshake();
    return socket;
  }

  /** The serial number of the leaf a real handshake with {@code sniName} is shown. */
  private String served(String sniName) throws IOException {
    try (SSLSocket socket = handshake(PKI.clientContext(), sniName)) {
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber().toString();
    }
  }

  private static String serial(TlsCertificate certificate) throws Exception {
    X509Certificate leaf = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
        new ByteArrayInputStream(certificate.certificateChain().getBytes(StandardCharsets.US_ASCII)));
    return leaf.getSerialNumber().toString();
  }

  @Test
  @DisplayName("a config with many certificates applies without building a single server context")
  void applyBuildsNothing() {
    config.apply(snapshot(CERTIFICATES));
    assertEquals(0, totalBuilds());
    assertEquals(HOSTS + 1, ((SniTable) config.current().certificates()).size());
  }

  @Test
  @DisplayName("the first handshake for a host builds its context and is shown its certificate; later ones reuse it")
  void firstHandshakeBuilds() throws Exception {
    config.apply(snapshot(CERTIFICATES));
    TlsCertificate seventeen = CERTIFICATES.get(17);
    assertEquals(serial(seventeen), served(host(17)));
    assertEquals(serial(seventeen), served(host(17)));
    assertEquals(1, builds(seventeen));
    assertEquals(1, totalBuilds());
    assertEquals(serial(FALLBACK), served("unknown.example.org"));
    assertEquals(2, totalBuilds());
    // Built off the event loop, which only waited.
    assertEquals(java.util.Set.of("tls-context-build"), buildThreads);
  }

  @Test
  @DisplayName("handshakes that come while their context is being built wait for that one build and succeed")
  void handshakesWaitForTheBuild() throws Exception {
    config.apply(snapshot(CERTIFICATES));
    TlsCertificate three = CERTIFICATES.get(3);
    heldName = three.name();
    List<Future<String>> waiting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      waiting.add(clients.submit(() -> served(host(3))));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> builds(three) == 1);
    // Another host's handshake is not held up by it.
    assertEquals(serial(CERTIFICATES.get(4)), served(host(4)));
    assertTrue(waiting.stream().noneMatch(Future::isDone));
    release.countDown();
    for (Future<String> handshake : waiting) {
      assertEquals(serial(three), handshake.get(20, TimeUnit.SECONDS));
    }
    assertEquals(1, builds(three));
  }

  @Test
  @DisplayName("once applied, the background pre-build builds every new context once; handshakes then build nothing")
  void backgroundPrebuild() throws Exception {
    config.apply(snapshot(CERTIFICATES));
    assertEquals(serial(CERTIFICATES.get(5)), served(host(5)));
    prebuild.runAll();
    assertEquals(HOSTS + 1, totalBuilds());
    assertTrue(builds.values().stream().allMatch(n -> n.get() == 1));
    for (int i = 0; i < HOSTS; i += 7) {
      assertEquals(serial(CERTIFICATES.get(i)), served(host(i)));
    }
    assertEquals(HOSTS + 1, totalBuilds());
  }

  @Test
  @DisplayName("a renewed certificate arriving in a delta is read, not built, and the next handshake is shown it")
  void renewedCertificate() throws Exception {
    config.apply(snapshot(CERTIFICATES));
    prebuild.runAll();
    int before = totalBuilds();
    List<TlsCertificate> renewed = new ArrayList<>(CERTIFICATES);
    TlsCertificate fresh = PKI.issue(CERTIFICATES.get(9).name(), host(9));
    renewed.set(9, fresh);
    receive(snapshot(renewed));
    assertEquals(before, totalBuilds());
    assertEquals(serial(fresh), served(host(9)));
    assertEquals(before + 1, totalBuilds());
    assertEquals(serial(CERTIFICATES.get(8)), served(host(8)));
    assertEquals(before + 1, totalBuilds());
  }

  @Test
  @DisplayName("a lazily built context still offers h2 over ALPN")
  void alpn() throws Exception {
    config.apply(snapshot(CERTIFICATES));
    try (SSLSocket socket = handshake(PKI.clientContext(), host(21), "h2", "http/1.1")) {
      assertEquals("h2", socket.getApplicationProtocol());
    }
    try (SSLSocket socket = handshake(PKI.clientContext(), host(22), "http/1.1")) {
      assertEquals("http/1.1", socket.getApplicationProtocol());
    }
  }

  @Test
  @DisplayName("a host that requires a client certificate, built lazily, refuses a client without one and admits one with it")
  void clientCertificates() throws Exception {
    List<VirtualHost> hosts = new ArrayList<>(snapshot(CERTIFICATES).virtualHosts());
    hosts.add(tlsHost("secure.example.com", CERTIFICATES.get(0).name(),
        new ClientValidation(PKI.caPem(), false)));
    Snapshot withMtls = Snapshot.of(hosts, List.of(), null, snapshot(CERTIFICATES).certificates(),
        FALLBACK.name());
    config.apply(withMtls);
    assertEquals(0, totalBuilds());

    assertThrows(IOException.class, () -> {
      try (SSLSocket socket = handshake(PKI.clientContext(), "secure.example.com")) {
        socket.getOutputStream().write('x'); // TLS 1.3: the server's refusal comes after the client's Finished
        socket.getOutputStream().flush();
        socket.getInputStream().read();
      }
    });
    SSLContext alice = PKI.clientContext(PKI.issueClient("CN=alice", null));
    try (SSLSocket socket = handshake(alice, "secure.example.com")) {
      assertTrue(socket.getSession().getPeerCertificates().length > 0);
      assertFalse(socket.isClosed());
    }
    // The plain context of the same certificate is another build: it asks for no certificate.
    assertEquals(serial(CERTIFICATES.get(0)), served(host(0)));
    assertEquals(2, builds(CERTIFICATES.get(0)));
  }

  @Test
  @DisplayName("a certificate that cannot be read is still rejected at apply, with the message a build gave")
  void unreadableCertificateRejectedAtApply() {
    List<TlsCertificate> broken = new ArrayList<>(CERTIFICATES);
    broken.set(2, new TlsCertificate(CERTIFICATES.get(2).name(),
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", CERTIFICATES.get(2).privateKey()));
    broken.set(4, new TlsCertificate(CERTIFICATES.get(4).name(), CERTIFICATES.get(4).certificateChain(),
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
    ConfigRejectedException e = assertThrows(ConfigRejectedException.class,
        () -> config.apply(snapshot(broken)));
    assertEquals(List.of("certificate/team-2/tls", "certificate/team-4/tls"), e.resources());
    assertEquals("certificate team-2/tls cannot be loaded: Input stream not contain valid certificates.",
        e.getMessage());
    assertEquals(0, totalBuilds());
  }
}
