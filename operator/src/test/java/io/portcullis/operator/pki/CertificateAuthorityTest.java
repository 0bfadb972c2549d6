package io.portcullis.operator.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CertificateAuthorityTest {
  private static final Clock CLOCK = Clock.systemUTC();
  private final CertificateAuthority ca =
      CertificateAuthority.create("test CA", Duration.ofDays(365), CLOCK);

  @Test
  void theCaIsASelfSignedEcCertificateThatMaySignLeaves() throws Exception {
    X509Certificate cert = ca.certificate();
    assertEquals("EC", cert.getPublicKey().getAlgorithm());
    assertEquals("SHA256withECDSA", cert.getSigAlgName());
    assertEquals(0, cert.getBasicConstraints());
    assertTrue(cert.getKeyUsage()[5], "keyCertSign");
    cert.verify(cert.getPublicKey());
  }

  @Test
  void aServerCertificateNamesEveryDnsNameAndIpAndIsSignedByTheCa() throws Exception {
    IssuedCertificate leaf =
        ca.issueServer(List.of("op.ns.svc", "localhost", "127.0.0.1"), Duration.ofDays(30));
    X509Certificate cert = leaf.certificate();
    cert.verify(ca.certificate().getPublicKey());
    assertTrue(ca.signed(cert));
    assertEquals(-1, cert.getBasicConstraints(), "a leaf is not a CA");
    Set<String> names = cert.getSubjectAlternativeNames().stream()
        .map(n -> n.get(0) + "=" + n.get(1)).collect(Collectors.toSet());
    assertEquals(Set.of("2=op.ns.svc", "2=localhost", "7=127.0.0.1"), names);
    assertEquals(List.of("1.3.6.1.5.5.7.3.1"), cert.getExtendedKeyUsage(), "serverAuth only");
    assertEquals("CN=op.ns.svc", cert.getSubjectX500Principal().getName());
  }

  @Test
  void onlyRealIpLiteralsBecomeIpAddressNames() {
    assertTrue(CertificateAuthority.isIpLiteral("10.0.0.7"));
    assertTrue(CertificateAuthority.isIpLiteral("::1"));
    assertFalse(CertificateAuthority.isIpLiteral("999.1.1.1"));
    assertFalse(CertificateAuthority.isIpLiteral("op.example.com"));
  }

  @Test
  void aClientCertificateIsForClientAuthOnly() throws Exception {
    IssuedCertificate leaf = ca.issueClient("portcullis-dataplane", Duration.ofDays(30));
    assertEquals(List.of("1.3.6.1.5.5.7.3.2"), leaf.certificate().getExtendedKeyUsage());
    assertTrue(ca.signed(leaf.certificate()));
  }

  @Test
  void aCertificateFromAnotherCaIsNotRecognisedAsSigned() {
    CertificateAuthority other = CertificateAuthority.create("other", Duration.ofDays(365), CLOCK);
    assertFalse(ca.signed(other.issueClient("x", Duration.ofDays(1)).certificate()));
  }

  @Test
  void renewalIsDueAfterTwoThirdsOfTheLifetime() {
    Duration lifetime = Duration.ofDays(30);
    IssuedCertificate leaf = ca.issueClient("x", lifetime);
    assertEquals(leaf.notAfter().minus(Duration.ofDays(10)), leaf.renewAt(lifetime));
  }

  @Test
  void aLeafNeverOutlivesItsCa() {
    CertificateAuthority shortLived = CertificateAuthority.create("short", Duration.ofDays(2), CLOCK);
    IssuedCertificate leaf = shortLived.issueClient("x", Duration.ofDays(30));
    assertEquals(shortLived.certificate().getNotAfter(), leaf.certificate().getNotAfter());
  }

  @Test
  void certificateAndKeyRoundTripThroughPem() {
    IssuedCertificate leaf = ca.issueClient("x", Duration.ofDays(1));
    assertTrue(leaf.keyPem().startsWith("-----BEGIN PRIVATE KEY-----\n"));
    assertEquals(leaf.certificate(), Pem.parseCertificate(leaf.certificatePem()));
    assertEquals(leaf.key(), Pem.parseEcPrivateKey(leaf.keyPem()));
  }

  @Test
  void garbagePemIsRejectedWithAReason() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Pem.parseCertificate("hello"));
    assertEquals("no PEM CERTIFICATE block", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Pem.parseEcPrivateKey(
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
  }

  @Test
  void theKeyIsNeverPrinted() {
    IssuedCertificate leaf = ca.issueClient("x", Duration.ofDays(1));
    assertFalse(leaf.toString().contains("PRIVATE"));
    assertTrue(leaf.toString().contains("CN=x"));
  }
}
