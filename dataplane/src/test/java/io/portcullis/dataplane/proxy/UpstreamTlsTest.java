package io.portcullis.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.dataplane.tls.TestPki;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.UpstreamTls;
import io.portcullis.snapshot.Endpoint;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Backends over TLS, with real handshakes: verification, SNI, host names, opting out. */
class UpstreamTlsTest {
  private final TestPki backendCa = new TestPki();
  private final TestPki otherCa = new TestPki();
  private final TestBackend backend =
      new TestBackend().withTls(TestPki.serverContext(backendCa.issue("test/backend", "web.default.svc", "backend.internal")));
  private int backendPort;
  private ClusterProxy proxy;

  @BeforeEach
  void start() {
    backendPort = backend.start();
  }

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    backend.close();
  }

  private HttpResponse<String> getVia(UpstreamTls tls, String path) throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    proxy = new ClusterProxy(new Cluster("default/web:443",
        List.of(new Endpoint("127.0.0.1", backendPort)), ClusterPolicy.DEFAULT.withTls(tls)), 1);
    return proxy.get(path);
  }

  @Test
  @DisplayName("a backend whose certificate chains to the cluster's CA serves, and gets the SNI name")
  void verifiedBackend() throws Exception {
    HttpResponse<String> r = getVia(new UpstreamTls("backend.internal", backendCa.caPem(), false), "/a");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("GET /a ", r.body());
    assertEquals(List.of("backend.internal"), backend.sniNames);
    // Keep-alive works over TLS: the second request reuses the connection.
    assertEquals(200, proxy.get("/b").statusCode());
    assertEquals(1, backend.connections.get());
  }

  @Test
  @DisplayName("without a server name the Service's DNS name is sent and verified")
  void serviceNameByDefault() throws Exception {
    HttpResponse<String> r = getVia(new UpstreamTls(null, backendCa.caPem(), false), "/");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(List.of("web.default.svc"), backend.sniNames);
  }

  @Test
  @DisplayName("a backend certificate from another CA is refused with 502")
  void wrongCa() throws Exception {
    HttpResponse<String> r = getVia(new UpstreamTls("backend.internal", otherCa.caPem(), false), "/");
    assertEquals(502, r.statusCode());
    assertTrue(backend.requests.isEmpty());
  }

  @Test
  @DisplayName("a backend certificate for another name is refused with 502, though its CA is trusted")
  void wrongName() throws Exception {
    HttpResponse<String> r = getVia(new UpstreamTls("db.internal", backendCa.caPem(), false), "/");
    assertEquals(502, r.statusCode());
    // The default retry policy tries a failed connect (a failed handshake is one) once more.
    assertFalse(backend.sniNames.isEmpty());
    assertTrue(backend.sniNames.stream().allMatch("db.internal"::equals), backend.sniNames.toString());
    assertTrue(backend.requests.isEmpty());
  }

  @Test
  @DisplayName("without a CA bundle the JDK trust store applies, which does not know a private CA")
  void defaultTrustStore() throws Exception {
    assertEquals(502, getVia(new UpstreamTls("backend.internal", null, false), "/").statusCode());
  }

  @Test
  @DisplayName("insecureSkipVerify accepts a certificate nobody vouches for, for any name")
  void insecureSkipVerify() throws Exception {
    HttpResponse<String> r = getVia(new UpstreamTls("anything.example", null, true), "/x");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("GET /x ", r.body());
  }

  @Test
  @DisplayName("a CA bundle that is not PEM gets 502, not a crash")
  void garbageCa() throws Exception {
    HttpResponse<String> r = getVia(
        new UpstreamTls("backend.internal", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", false), "/");
    assertEquals(502, r.statusCode());
    assertEquals(200, getVia(new UpstreamTls("backend.internal", backendCa.caPem(), false), "/").statusCode());
  }
}
