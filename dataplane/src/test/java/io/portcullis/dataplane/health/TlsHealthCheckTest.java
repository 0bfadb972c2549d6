package io.portcullis.dataplane.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.portcullis.dataplane.testing.TestBackend.Mode;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.dataplane.tls.TestPki;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.HealthCheck;
import io.portcullis.snapshot.ClusterPolicy.UpstreamTls;
import io.portcullis.snapshot.TlsCertificate;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Health checks of a cluster with upstream TLS go over TLS and verify the endpoint's name. */
class TlsHealthCheckTest {
  private final TestPki pki = new TestPki();
  private final ProxyHarness harness = new ProxyHarness();
  private TestBackend backend;
  private String caPem;

  @BeforeEach
  void start() throws Exception {
    // The cluster default/app:80 stands for Service app in namespace default.
    TlsCertificate cert = pki.issue("default/app", "app.default.svc");
    SslContext server =
        SslContextBuilder.forServer(
                new ByteArrayInputStream(cert.certificateChain().getBytes(StandardCharsets.US_ASCII)),
                new ByteArrayInputStream(cert.privateKey().getBytes(StandardCharsets.US_ASCII)))
            .build();
    backend = new TestBackend("tls", Mode.OK).withTls(server).answeringItsNameOnly();
    backend.start();
    caPem = "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder().encodeToString(pki.ca().getEncoded())
        + "\n-----END CERTIFICATE-----\n";
  }

  @AfterEach
  void stop() {
    harness.close();
    if (backend != null) {
      backend.close();
    }
  }

  private static ClusterPolicy tls(UpstreamTls tls) {
    return new ClusterPolicy(
        null, tls, null, 0,
        new HealthCheck(TestBackend.HEALTH_PATH, null, 50, 1_000, 1, 1, List.of()),
        null, null, 0, null);
  }

  @Test
  void anEndpointWithACertificateForTheServiceNamePassesItsChecksOverTls() {
    harness.serve(tls(new UpstreamTls(null, caPem, false)), 0, backend.port());
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.endpoint(backend.port()).activeHealthy());
    assertEquals(0, harness.health.checkFailures(harness.endpoint(backend.port())));
  }

  @Test
  void aCertificateForAnotherNameFailsTheCheck() {
    harness.serve(tls(new UpstreamTls("other.example", caPem, false)), 0, backend.port());
    await().atMost(Duration.ofSeconds(10))
        .until(() -> harness.health.checkFailures(harness.endpoint(backend.port())) >= 2);
    assertFalse(harness.endpoint(backend.port()).activeHealthy());
    assertEquals(0, backend.healthChecks.get(), "no request went out before verification");
  }
}
