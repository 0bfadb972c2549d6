package io.portcullis.operator.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.operator.compile.CompilerSettings.DefaultCertificate;
import io.portcullis.operator.tls.GeneratedCertificate;
import io.portcullis.snapshot.TlsCertificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.operator.MockApiServerSettled;

/** The generated default certificate shared through a Secret (fabric8 mock API server, CRUD). */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
class GeneratedCertificateSecretTest {
  private static final NamespacedName REF =
      new NamespacedName("portcullis-system", "portcullis-default-tls");
  private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
  KubernetesClient client;

  private final AtomicInteger generated = new AtomicInteger();

  private GeneratedCertificateSecret store(Instant now) {
    return new GeneratedCertificateSecret(
        client, REF, DefaultCertificate.GENERATED_NAME, Clock.fixed(now, ZoneOffset.UTC));
  }

  private TlsCertificate generate(Instant at) {
    generated.incrementAndGet();
    return GeneratedCertificate.create(at);
  }

  @Test
  void everyReplicaServesTheCertificateTheFirstOneStored() {
    TlsCertificate first = store(NOW).loadOrCreate(() -> generate(NOW));
    TlsCertificate second = store(NOW).loadOrCreate(() -> generate(NOW));

    assertEquals(1, generated.get(), "the second replica generated nothing");
    assertEquals(first, second);
    assertEquals(DefaultCertificate.GENERATED_NAME, second.name());
    Secret stored = client.secrets().inNamespace(REF.namespace()).withName(REF.name()).get();
    assertEquals("kubernetes.io/tls", stored.getType());
    assertEquals(first.certificateChain(), SecretData.require(stored, "tls.crt"));
  }

  @Test
  void aCertificateNearItsExpiryIsReplacedAtTheNextStart() {
    Instant yearAgo = NOW.minus(GeneratedCertificate.validity()).plus(Duration.ofDays(10));
    TlsCertificate old = store(yearAgo).loadOrCreate(() -> generate(yearAgo));

    TlsCertificate renewed = store(NOW).loadOrCreate(() -> generate(NOW));

    assertEquals(2, generated.get());
    assertNotEquals(old, renewed);
    assertEquals(renewed, store(NOW).loadOrCreate(() -> generate(NOW)), "the renewal was stored");
  }

  @Test
  void aSecretWithoutACertificateIsReportedAndLeftAlone() {
    client.secrets().inNamespace(REF.namespace()).resource(SecretData.build(
        REF, "kubernetes.io/tls", Map.of("tls.crt", "garbage", "tls.key", "garbage"))).create();

    PkiException e = assertThrows(PkiException.class,
        () -> store(NOW).loadOrCreate(() -> generate(NOW)));

    assertEquals("Secret portcullis-system/portcullis-default-tls does not hold a usable"
        + " certificate: no PEM CERTIFICATE block", e.getMessage());
    assertEquals(0, generated.get());
  }
}
