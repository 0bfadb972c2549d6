package io.portcullis.operator.pki;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.portcullis.snapshot.TlsCertificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Keeps the operator's generated default certificate in a {@code kubernetes.io/tls} Secret, so
 * every replica and restart serves the same one: dataplanes that reconnect to another replica get
 * the same snapshot version and clients see one certificate. A certificate that expires within
 * {@link #RENEW_BEFORE} is replaced at the next start.
 */
public final class GeneratedCertificateSecret {
  /** Replace the stored certificate when it has less than this left. */
  public static final Duration RENEW_BEFORE = Duration.ofDays(30);
  private static final String CERT_KEY = "tls.crt";
  private static final String KEY_KEY = "tls.key";

  private final NamespacedName ref;
  private final Clock clock;
  private final String certificateName;
  private final CreateOnceSecret<TlsCertificate> secret;

  /** @param certificateName the name the certificate carries in the snapshot */
  public GeneratedCertificateSecret(
      KubernetesClient client, NamespacedName ref, String certificateName, Clock clock) {
    this.ref = ref;
    this.clock = clock;
    this.certificateName = certificateName;
    this.secret = new CreateOnceSecret<>(client, ref, "default certificate", new Codec());
  }

  /**
   * The stored certificate, or one from {@code generate} stored first.
   *
   * @throws PkiException when the Secret cannot be read or written, or holds no usable certificate
   */
  public TlsCertificate loadOrCreate(Supplier<TlsCertificate> generate) {
    return secret.loadOrReplace(generate, this::farFromExpiry);
  }

  private boolean farFromExpiry(TlsCertificate stored) {
    X509Certificate cert = Pem.parseCertificate(stored.certificateChain());
    return cert.getNotAfter().toInstant().isAfter(clock.instant().plus(RENEW_BEFORE));
  }

  private final class Codec implements CreateOnceSecret.Codec<TlsCertificate> {
    @Override
    public String type() {
      return "kubernetes.io/tls";
    }

    @Override
    public Map<String, String> encode(TlsCertificate value) {
      return Map.of(CERT_KEY, value.certificateChain(), KEY_KEY, value.privateKey());
    }

    @Override
    public TlsCertificate decode(Secret existing) {
      String certificate = SecretData.require(existing, CERT_KEY);
      String key = SecretData.require(existing, KEY_KEY);
      try {
        Pem.parseCertificate(certificate);
        return new TlsCertificate(certificateName, certificate, key);
      } catch (IllegalArgumentException e) {
        throw new PkiException("Secret " + ref + " does not hold a usable certificate: "
            + e.getMessage(), e);
      }
    }
  }
}
