package io.portcullis.operator.pki;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the CA in a Secret ({@code ca.crt}, {@code ca.key}): the first operator to start creates
 * it, every later start and every other replica reuses it. Creation is create-if-absent: when two
 * replicas race, the API server accepts one create and answers 409 to the other, which then reads
 * the winner's CA. A Secret that exists but does not hold a usable CA is never overwritten (it may
 * be someone else's); the operator refuses to start and says why.
 */
public final class CaSecretStore {
  private static final Logger log = LoggerFactory.getLogger(CaSecretStore.class);
  static final String CERT_KEY = "ca.crt";
  static final String KEY_KEY = "ca.key";

  private final NamespacedName ref;
  private final Clock clock;
  private final CreateOnceSecret<CertificateAuthority> secret;

  public CaSecretStore(KubernetesClient client, NamespacedName ref, Clock clock) {
    this.ref = ref;
    this.clock = clock;
    this.secret = new CreateOnceSecret<>(client, ref, "control channel CA", new Codec());
  }

  /**
   * The stored CA, or a new one from {@code create} stored first.
   *
   * @throws PkiException when the Secret cannot be read or written, or holds no valid CA
   */
  public CertificateAuthority loadOrCreate(Supplier<CertificateAuthority> create) {
    CertificateAuthority ca = secret.loadOrCreate(create);
    log.info("control channel CA {} expires {}",
        ca.certificate().getSubjectX500Principal(), ca.certificate().getNotAfter().toInstant());
    return ca;
  }

  private final class Codec implements CreateOnceSecret.Codec<CertificateAuthority> {
    @Override
    public String type() {
      return "Opaque";
    }

    @Override
    public Map<String, String> encode(CertificateAuthority ca) {
      return Map.of(CERT_KEY, Pem.certificate(ca.certificate()), KEY_KEY, Pem.privateKey(ca.key()));
    }

    @Override
    public CertificateAuthority decode(Secret existing) {
      try {
        X509Certificate cert = Pem.parseCertificate(SecretData.require(existing, CERT_KEY));
        PrivateKey key = Pem.parseEcPrivateKey(SecretData.require(existing, KEY_KEY));
        if (cert.getNotAfter().toInstant().isBefore(clock.instant())) {
          throw new PkiException("CA in Secret " + ref + " expired at "
              + cert.getNotAfter().toInstant() + "; delete the Secret to create a new CA");
        }
        return new CertificateAuthority(key, cert, clock);
      } catch (IllegalArgumentException e) {
        throw new PkiException("CA Secret " + ref + " does not hold a usable CA: " + e.getMessage(), e);
      }
    }
  }
}
