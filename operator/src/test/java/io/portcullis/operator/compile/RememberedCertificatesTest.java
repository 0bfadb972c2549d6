package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.backendWithEndpoints;
import static io.portcullis.operator.compile.Fixtures.ingress;
import static io.portcullis.operator.compile.TestCertificates.NOW;
import static io.portcullis.operator.compile.TestCertificates.issue;
import static io.portcullis.operator.compile.TestCertificates.tlsSecret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.portcullis.operator.compile.TestCertificates.Issued;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One compiler over several compiles remembers what it parsed from TLS Secrets
 * ({@link ParsedCertificates}); the results must be those of a fresh compiler every time.
 */
class RememberedCertificatesTest {
  private static final String SHOP = "shop.example.com";
  private static final Issued CERT = issue(SHOP);

  private final Compiler compiler = new Compiler(CompilerSettings.defaults());

  private CompileResult compile(Secret secret, Instant now) {
    var backend = backendWithEndpoints("default", "web", 80, "10.0.0.1");
    return compiler.compile(new ClusterState(
        List.of(Fixtures.ourClass()),
        List.of(ingress("default", "shop").host(SHOP).prefix("/", "web", 80).tls("shop-tls", SHOP).build()),
        List.of(),
        List.of((Service) backend.get(0)),
        List.of((EndpointSlice) backend.get(1)),
        List.of(secret),
        now));
  }

  private static boolean served(CompileResult result) {
    return result.snapshot().certificatesByName().containsKey("default/shop-tls");
  }

  private static String reasons(CompileResult result) {
    return result.statuses().toString();
  }

  @Test
  @DisplayName("a remembered certificate still expires: expiry is judged at each compile's time")
  void expiryIsJudgedEveryCompile() {
    Secret secret = tlsSecret("default", "shop-tls", CERT);
    assertTrue(served(compile(secret, NOW)));
    CompileResult later = compile(secret, NOW.plusSeconds(400 * 86_400L));
    assertFalse(served(later));
    assertTrue(reasons(later).contains("expired"), reasons(later));
    assertTrue(served(compile(secret, NOW)), "valid again at the earlier time");
  }

  @Test
  @DisplayName("a Secret whose content changes is checked again: a key of another certificate is refused")
  void changedContentIsParsedAgain() {
    assertTrue(served(compile(tlsSecret("default", "shop-tls", CERT), NOW)));
    Issued other = issue(SHOP);
    Secret mismatched = tlsSecret("default", "shop-tls", CERT.certificatePem(), other.pkcs8KeyPem());
    CompileResult result = compile(mismatched, NOW);
    assertFalse(served(result));
    assertTrue(reasons(result).contains("does not belong"), reasons(result));
  }

  @Test
  @DisplayName("compiling the same state twice with one compiler gives the same version as a fresh compiler")
  void rememberingChangesNothing() {
    Secret secret = tlsSecret("default", "shop-tls", CERT);
    String first = compile(secret, NOW).snapshot().version();
    String second = compile(secret, NOW).snapshot().version();
    assertEquals(first, second);
    assertEquals(first, new RememberedCertificatesTest().compile(secret, NOW).snapshot().version());
  }
}
