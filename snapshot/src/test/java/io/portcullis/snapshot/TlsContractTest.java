package io.portcullis.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Certificates in the snapshot: versioned by content, referenced by name, keys never printed. */
class TlsContractTest {

  @Test
  void aChangedPrivateKeyIsANewVersion() {
    Snapshot base = Fixtures.withTls();
    List<TlsCertificate> certs = new ArrayList<>(base.certificates());
    TlsCertificate shop = certs.get(0);
    certs.set(0, new TlsCertificate(shop.name(), shop.certificateChain(), shop.privateKey() + "x"));
    Snapshot changed = Snapshot.of(base.virtualHosts(), base.clusters(), base.defaultCluster(),
        certs, base.defaultCertificate());
    assertNotEquals(base.version(), changed.version());
  }

  @Test
  void aSnapshotWithoutCertificatesKeepsItsOldWireFormAndVersion() {
    Snapshot plain = Fixtures.everything();
    assertFalse(SnapshotCodec.toJsonString(plain).contains("certificates"));
    assertEquals(plain, Snapshot.of(plain.virtualHosts(), plain.clusters(), plain.defaultCluster(),
        List.of(), null));
  }

  @Test
  void toStringNeverShowsAPrivateKey() {
    Snapshot tls = Fixtures.withTls();
    assertFalse(tls.toString().contains("NOT-A-REAL-KEY"), tls.toString());
    Delta delta = Delta.between(Fixtures.everything(), tls);
    assertFalse(delta.toString().contains("NOT-A-REAL-KEY"));
    assertTrue(tls.certificates().get(0).toString().contains("redacted"));
  }

  @Test
  void aHostNamingAnUndefinedCertificateIsRefused() {
    VirtualHost host = new VirtualHost("a.example", List.of(), new TlsPolicy("default/nope", true, null));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Snapshot.of(List.of(host), List.of(), null, List.of(), null));
    assertTrue(e.getMessage().contains("default/nope"), e.getMessage());
  }

  @Test
  void anUndefinedDefaultCertificateIsRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> Snapshot.of(List.of(), List.of(), null, List.of(), "portcullis/default"));
  }

  @Test
  void duplicateCertificateNamesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> Snapshot.of(List.of(), List.of(), null,
        List.of(Fixtures.certificate("a/b", "1"), Fixtures.certificate("a/b", "2")), null));
  }

  @Test
  void aCertificateNameMustBeNamespaceSlashName() {
    assertThrows(IllegalArgumentException.class, () -> Fixtures.certificate("just-a-name", "1"));
  }

  @Test
  void aDeltaCarriesARotatedCertificateAndIsNotEndpointOnly() {
    Snapshot from = Fixtures.withTls();
    List<TlsCertificate> certs = new ArrayList<>(from.certificates());
    certs.set(0, Fixtures.certificate("default/shop-tls", "2"));
    Snapshot to = Snapshot.of(from.virtualHosts(), from.clusters(), from.defaultCluster(), certs,
        from.defaultCertificate());
    Delta delta = Delta.between(from, to);
    assertEquals(List.of(certs.get(0)), delta.upsertCertificates());
    assertTrue(delta.upsertVirtualHosts().isEmpty());
    assertFalse(delta.isEndpointOnly());
    assertEquals(List.of("certificate/default/shop-tls"), delta.resourceNames());
    assertEquals(to, delta.applyTo(from));
  }

  @Test
  void aDeltaRemovesCertificatesNoLongerUsed() {
    Delta delta = Delta.between(Fixtures.withTls(), Fixtures.everything());
    assertEquals(List.of("default/shop-tls", "portcullis/default"), delta.removeCertificates());
    assertEquals(Fixtures.everything(), delta.applyTo(Fixtures.withTls()));
  }

  @Test
  void negativeHstsMaxAgeIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new TlsPolicy.Hsts(-1, false));
    assertEquals("max-age=60; includeSubDomains", new TlsPolicy.Hsts(60, true).headerValue());
  }
}
