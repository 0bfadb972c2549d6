package io.portcullis.operator.pki;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.dataplane.Dataplane;
import io.portcullis.dataplane.DataplaneOptions;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.stream.ConfigApplier;
import io.portcullis.dataplane.stream.StreamClient;
import io.portcullis.dataplane.stream.StreamClientSettings;
import io.portcullis.operator.Main;
import io.portcullis.operator.OperatorOptions;
import io.portcullis.operator.StreamEndpoint;
import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.operator.stream.StreamServer;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.transport.ControlPlaneTls;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.operator.MockApiServerSettled;

/**
 * The operator's control channel PKI against the fabric8 mock API server (CRUD), serving a real
 * stream server, with a real dataplane stream client that reads its identity from the files of
 * the Secret the operator maintains.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
class ControlChannelPkiTest {
  KubernetesClient client;
  @TempDir Path mount;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final SnapshotStore store = new SnapshotStore();
  private final LiveConfig config = new LiveConfig();

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private static ControlChannelSettings settings(Duration validity, Duration check) {
    return ControlChannelSettings.defaults()
        .withExtraNames(List.of("localhost"))
        .withValidity(validity, check);
  }

  private ControlChannelPki startPki(ControlChannelSettings settings) {
    ControlChannelPki pki = new ControlChannelPki(client, settings, Clock.systemUTC());
    pki.start();
    toClose.add(pki);
    return pki;
  }

  private int serve(ControlChannelPki pki) {
    StreamServer server = StreamServer.withTls(store, new InetSocketAddress("127.0.0.1", 0),
        pki.serverContext(), StreamServer.DEFAULT_KEEPALIVE_MILLIS);
    toClose.add(server);
    return server.start();
  }

  private Secret dataplaneSecret() {
    NamespacedName ref = ControlChannelSettings.DEFAULT_DATAPLANE_SECRET;
    return client.secrets().inNamespace(ref.namespace()).withName(ref.name()).get();
  }

  private StreamClient dataplane(int port) throws Exception {
    TlsTestSupport.mount(dataplaneSecret(), mount);
    ControlPlaneTls tls = TlsTestSupport.dataplaneTls(mount, Duration.ofMinutes(1));
    toClose.add(tls);
    StreamClient dataplane = new StreamClient(URI.create("https://localhost:" + port), "node-a",
        config, new ProxyMetrics(),
        StreamClientSettings.defaults().withBackoff(Duration.ofMillis(10), Duration.ofMillis(100)).withTls(tls),
        ConfigApplier.of(config));
    toClose.add(dataplane);
    dataplane.start();
    return dataplane;
  }

  private static Snapshot snapshot(int port) {
    return Snapshot.of(List.of(), List.of(new Cluster("default/shop:80", List.of(new Endpoint("10.0.0.1", port)))), null);
  }

  @Test
  void aDataplaneMountingTheOperatorsSecretConnectsAndReceivesTheSnapshot() throws Exception {
    store.publish(snapshot(8080));
    ControlChannelPki pki = startPki(settings(Duration.ofDays(30), Duration.ofMinutes(1)));
    int port = serve(pki);

    StreamClient dataplane = dataplane(port);

    await().until(() -> store.isProgrammedEverywhere(store.current().version()));
    assertEquals(store.current(), config.current().snapshot());
    assertTrue(dataplane.isConnected());
    List<String> names = pki.servingCertificate().certificate().getSubjectAlternativeNames().stream()
        .map(n -> (String) n.get(1)).toList();
    assertEquals(List.of("portcullis-operator.portcullis-system.svc",
        "portcullis-operator.portcullis-system.svc.cluster.local",
        "portcullis-operator.portcullis-system", "portcullis-operator", "localhost"), names);
  }

  @Test
  void aSecondOperatorInstanceReusesTheCaAndServesTheSameDataplanes() throws Exception {
    store.publish(snapshot(8080));
    ControlChannelPki first = startPki(settings(Duration.ofDays(30), Duration.ofMinutes(1)));
    ControlChannelPki second = startPki(settings(Duration.ofDays(30), Duration.ofMinutes(1)));

    assertEquals(first.ca().certificate(), second.ca().certificate());
    assertNotEquals(first.servingCertificate().serial(), second.servingCertificate().serial(),
        "each instance has its own serving certificate");
    assertEquals(1, client.secrets().inNamespace("portcullis-system").list().getItems().stream()
        .filter(s -> s.getMetadata().getName().equals("portcullis-ca")).count());

    // The dataplane certificate the first instance wrote is accepted by the second.
    dataplane(serve(second));
    await().until(() -> store.isProgrammedEverywhere(store.current().version()));
  }

  @Test
  void theServingCertificateRotatesWhileTheStreamStaysUp() throws Exception {
    store.publish(snapshot(8080));
    // Renewed after two thirds of 3 s; the check runs every 100 ms.
    ControlChannelPki pki = startPki(settings(Duration.ofSeconds(3), Duration.ofMillis(100)));
    int port = serve(pki);
    StreamClient dataplane = dataplane(port);
    await().until(() -> store.isProgrammedEverywhere(store.current().version()));
    IssuedCertificate identity = new IssuedCertificate(
        Pem.parseEcPrivateKey(Files.readString(mount.resolve("tls.key"))),
        Pem.parseCertificate(Files.readString(mount.resolve("tls.crt"))));
    X509Certificate ca = pki.ca().certificate();
    BigInteger before = pki.servingCertificate().certificate().getSerialNumber();
    assertEquals(before, TlsTestSupport.peerCertificate(port, identity, ca).getSerialNumber());

    await().atMost(Duration.ofSeconds(10))
        .until(() -> !pki.servingCertificate().certificate().getSerialNumber().equals(before));

    // New connections see the new certificate ...
    BigInteger after = pki.servingCertificate().certificate().getSerialNumber();
    assertEquals(after, TlsTestSupport.peerCertificate(port, identity, ca).getSerialNumber());
    // ... while the open stream carries on: it still receives changes, without a reconnect.
    store.publish(snapshot(9090));
    await().until(() -> store.isProgrammedEverywhere(store.current().version()));
    assertEquals(store.current(), config.current().snapshot());
    assertEquals(1, dataplane.connectionsEstablished());
  }

  @Test
  void theDataplaneSecretIsRenewedBeforeItsCertificateExpires() throws Exception {
    startPki(settings(Duration.ofSeconds(3), Duration.ofMillis(100)));
    String first = SecretData.require(dataplaneSecret(), "tls.crt");

    await().atMost(Duration.ofSeconds(10))
        .until(() -> !SecretData.require(dataplaneSecret(), "tls.crt").equals(first));
  }

  @Test
  void inClusterModeABrokenCaSecretStopsTheStreamFromStartingWithOneLine() {
    NamespacedName ref = ControlChannelSettings.DEFAULT_CA_SECRET;
    client.secrets().inNamespace(ref.namespace())
        .resource(SecretData.build(ref, "Opaque", Map.of("unrelated", "data"))).create();
    StreamEndpoint endpoint = Main.tlsStreamServer(client, settings(Duration.ofDays(30), Duration.ofMinutes(1)),
        Clock.systemUTC()).create(store, new InetSocketAddress("127.0.0.1", 0));

    PkiException e = assertThrows(PkiException.class, endpoint::start);

    assertEquals("Secret portcullis-system/portcullis-ca has no key ca.crt", e.getMessage());
    endpoint.close();
  }

  @Test
  void clusterModeOptionsGiveTheOperatorAMutualTlsStream() throws Exception {
    store.publish(snapshot(8080));
    OperatorOptions options = OperatorOptions.parse(new String[] {
        "--snapshot-address", "127.0.0.1", "--snapshot-dns-names", "localhost"}, Map.of());
    StreamEndpoint endpoint = Main.streamServer(options, client)
        .create(store, new InetSocketAddress("127.0.0.1", 0));
    toClose.add(endpoint);

    dataplane(endpoint.start());

    await().until(() -> store.isProgrammedEverywhere(store.current().version()));
  }

  @Test
  void theDataplaneProgramStartedWithTheTlsFlagsReceivesTheSnapshot() throws Exception {
    store.publish(snapshot(8080));
    int port = serve(startPki(settings(Duration.ofDays(30), Duration.ofMinutes(1))));
    TlsTestSupport.mount(dataplaneSecret(), mount);

    Dataplane dataplane = Dataplane.start(DataplaneOptions.parse(new String[] {
        "--control-plane", "https://localhost:" + port,
        "--tls-cert", mount.resolve("tls.crt").toString(),
        "--tls-key", mount.resolve("tls.key").toString(),
        "--tls-ca", mount.resolve("ca.crt").toString(),
        "--http-port", "0", "--admin-port", "0", "--https-port", "0",
        "--bind-address", "127.0.0.1", "--node-id", "dp-1"}, Map.of()));
    toClose.add(dataplane);

    await().until(() -> store.isProgrammedEverywhere(store.current().version()));
    assertEquals(store.current(), dataplane.config().current().snapshot());
  }
}
