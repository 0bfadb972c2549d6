package io.portcullis.operator.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.operator.MockApiServerSettled;

/** The CA Secret on the fabric8 mock API server (CRUD mode). */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
class CaSecretStoreTest {
  private static final NamespacedName REF = new NamespacedName("portcullis-system", "portcullis-ca");
  private static final Clock CLOCK = Clock.systemUTC();
  KubernetesClient client;

  private final AtomicInteger created = new AtomicInteger();

  private CertificateAuthority newCa() {
    created.incrementAndGet();
    return CertificateAuthority.create("test CA", Duration.ofDays(365), CLOCK);
  }

  @Test
  void theFirstOperatorCreatesTheCaSecretAndASecondInstanceReusesIt() {
    CertificateAuthority first = new CaSecretStore(client, REF, CLOCK).loadOrCreate(this::newCa);
    Secret stored = client.secrets().inNamespace(REF.namespace()).withName(REF.name()).get();
    assertEquals(Map.of(SecretData.MANAGED_BY, SecretData.MANAGER), stored.getMetadata().getLabels());
    assertTrue(stored.getData().keySet().containsAll(java.util.List.of("ca.crt", "ca.key")));

    CertificateAuthority second = new CaSecretStore(client, REF, CLOCK).loadOrCreate(this::newCa);

    assertEquals(1, created.get(), "the second instance created no CA");
    assertEquals(first.certificate(), second.certificate());
    assertEquals(first.key(), second.key());
  }

  @Test
  void aReplicaThatLosesTheCreateRaceUsesTheWinnersCa() {
    CertificateAuthority winner = CertificateAuthority.create("winner", Duration.ofDays(365), CLOCK);
    CaSecretStore store = new CaSecretStore(client, REF, CLOCK);

    // Another replica creates the Secret between our read (absent) and our create.
    CertificateAuthority ours = store.loadOrCreate(() -> {
      new CaSecretStore(client, REF, CLOCK).loadOrCreate(() -> winner);
      return newCa();
    });

    assertEquals(winner.certificate(), ours.certificate());
  }

  @Test
  void aSecretThatHoldsNoCaStopsTheOperatorAndIsLeftAlone() {
    client.secrets().inNamespace(REF.namespace()).resource(
        SecretData.build(REF, "Opaque", Map.of("ca.crt", "not a certificate", "ca.key", "x"))).create();

    PkiException e = assertThrows(PkiException.class,
        () -> new CaSecretStore(client, REF, CLOCK).loadOrCreate(this::newCa));

    assertEquals("CA Secret portcullis-system/portcullis-ca does not hold a usable CA:"
        + " no PEM CERTIFICATE block", e.getMessage());
    assertEquals(0, created.get());
    assertEquals("not a certificate", SecretData.require(
        client.secrets().inNamespace(REF.namespace()).withName(REF.name()).get(), "ca.crt"));
  }

  @Test
  void aSecretWithoutTheKeyIsReportedByKeyName() {
    CertificateAuthority ca = newCa();
    client.secrets().inNamespace(REF.namespace()).resource(SecretData.build(
        REF, "Opaque", Map.of("ca.crt", Pem.certificate(ca.certificate())))).create();

    PkiException e = assertThrows(PkiException.class,
        () -> new CaSecretStore(client, REF, CLOCK).loadOrCreate(this::newCa));
    assertEquals("Secret portcullis-system/portcullis-ca has no key ca.key", e.getMessage());
  }
}
