package io.portcullis.operator.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.operator.MockApiServerSettled;

@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
class DataplaneCertificateSecretTest {
  private static final NamespacedName REF =
      new NamespacedName("portcullis-system", "portcullis-dataplane-tls");
  private static final Duration VALIDITY = Duration.ofDays(30);
  KubernetesClient client;

  private final CertificateAuthority ca =
      CertificateAuthority.create("test CA", Duration.ofDays(365), Clock.systemUTC());

  private Secret stored() {
    return client.secrets().inNamespace(REF.namespace()).withName(REF.name()).get();
  }

  @Test
  void theSecretIsCreatedAsATlsSecretWithTheCaBeside() {
    X509Certificate cert =
        new DataplaneCertificateSecret(client, REF, VALIDITY, Clock.systemUTC()).ensureFresh(ca);

    Secret secret = stored();
    assertEquals("kubernetes.io/tls", secret.getType());
    assertEquals(cert, Pem.parseCertificate(SecretData.require(secret, "tls.crt")));
    assertEquals(ca.certificate(), Pem.parseCertificate(SecretData.require(secret, "ca.crt")));
    assertEquals(cert.getPublicKey().getAlgorithm(),
        Pem.parseEcPrivateKey(SecretData.require(secret, "tls.key")).getAlgorithm());
    assertTrue(ca.signed(cert));
  }

  @Test
  void aFreshCertificateIsKeptAcrossRestarts() {
    X509Certificate first =
        new DataplaneCertificateSecret(client, REF, VALIDITY, Clock.systemUTC()).ensureFresh(ca);
    String version = stored().getMetadata().getResourceVersion();

    X509Certificate again =
        new DataplaneCertificateSecret(client, REF, VALIDITY, Clock.systemUTC()).ensureFresh(ca);

    assertEquals(first, again);
    assertEquals(version, stored().getMetadata().getResourceVersion(), "no write");
  }

  @Test
  void aCertificatePastTwoThirdsOfItsLifetimeIsReplaced() {
    X509Certificate first =
        new DataplaneCertificateSecret(client, REF, VALIDITY, Clock.systemUTC()).ensureFresh(ca);
    Clock later = Clock.fixed(Instant.now().plus(Duration.ofDays(21)), ZoneOffset.UTC);

    X509Certificate renewed = new DataplaneCertificateSecret(client, REF, VALIDITY, later).ensureFresh(ca);

    assertNotEquals(first.getSerialNumber(), renewed.getSerialNumber());
    assertEquals(renewed, Pem.parseCertificate(SecretData.require(stored(), "tls.crt")));
  }

  @Test
  void aCertificateFromAnEarlierCaIsReplaced() {
    CertificateAuthority old = CertificateAuthority.create("old", Duration.ofDays(365), Clock.systemUTC());
    new DataplaneCertificateSecret(client, REF, VALIDITY, Clock.systemUTC()).ensureFresh(old);

    X509Certificate now =
        new DataplaneCertificateSecret(client, REF, VALIDITY, Clock.systemUTC()).ensureFresh(ca);

    assertTrue(ca.signed(now));
    assertEquals(ca.certificate(), Pem.parseCertificate(SecretData.require(stored(), "ca.crt")));
  }

  @Test
  void aGarbledSecretIsOverwrittenWithAGoodOne() {
    client.secrets().inNamespace(REF.namespace()).resource(
        SecretData.build(REF, "kubernetes.io/tls", Map.of("tls.crt", "junk"))).create();

    X509Certificate cert =
        new DataplaneCertificateSecret(client, REF, VALIDITY, Clock.systemUTC()).ensureFresh(ca);

    assertEquals(cert, Pem.parseCertificate(SecretData.require(stored(), "tls.crt")));
  }

  @Test
  void aSecretWhoseKeyDoesNotBelongToItsCertificateIsReplaced() {
    IssuedCertificate a = ca.issueClient("a", VALIDITY);
    IssuedCertificate b = ca.issueClient("b", VALIDITY);
    client.secrets().inNamespace(REF.namespace()).resource(SecretData.build(REF, "kubernetes.io/tls",
        Map.of("tls.crt", a.certificatePem(), "tls.key", b.keyPem(),
            "ca.crt", Pem.certificate(ca.certificate())))).create();

    X509Certificate cert =
        new DataplaneCertificateSecret(client, REF, VALIDITY, Clock.systemUTC()).ensureFresh(ca);

    assertNotEquals(a.certificate(), cert);
    assertTrue(Pem.belongTogether(
        Pem.parseEcPrivateKey(SecretData.require(stored(), "tls.key")), cert));
  }
}
