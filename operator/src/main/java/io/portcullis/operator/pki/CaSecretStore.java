package io.portcullis.operator.pki;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
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
  private static final int ATTEMPTS = 3;

  private final KubernetesClient client;
  private final NamespacedName ref;
  private final Clock clock;

  public CaSecretStore(KubernetesClient client, NamespacedName ref, Clock clock) {
    this.client = client;
    this.ref = ref;
    this.clock = clock;
  }

  /**
   * The stored CA, or a new one from {@code create} stored first.
   *
   * @throws PkiException when the Secret cannot be read or written, or holds no valid CA
   */
  public CertificateAuthority loadOrCreate(Supplier<CertificateAuthority> create) {
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Secret existing = read();
      if (existing != null) {
        CertificateAuthority ca = decode(existing);
        log.info("control channel CA loaded from Secret {} ({}, expires {})",
            ref, ca.certificate().getSubjectX500Principal(), ca.certificate().getNotAfter().toInstant());
        return ca;
      }
      CertificateAuthority ca = create.get();
      try {
        client.secrets().inNamespace(ref.namespace()).resource(encode(ca)).create();
        log.info("control channel CA created in Secret {}", ref);
        return ca;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw new PkiException("cannot create CA Secret " + ref + ": " + reason(e), e);
        }
        log.info("CA Secret {} was created concurrently by another replica; reading it", ref);
      }
    }
    throw new PkiException("CA Secret " + ref + " keeps conflicting; giving up after " + ATTEMPTS + " attempts");
  }

  private Secret read() {
    try {
      return client.secrets().inNamespace(ref.namespace()).withName(ref.name()).get();
    } catch (KubernetesClientException e) {
      throw new PkiException("cannot read CA Secret " + ref + ": " + reason(e), e);
    }
  }

  private CertificateAuthority decode(Secret secret) {
    try {
      X509Certificate cert = Pem.parseCertificate(SecretData.require(secret, CERT_KEY));
      PrivateKey key = Pem.parseEcPrivateKey(SecretData.require(secret, KEY_KEY));
      if (cert.getNotAfter().toInstant().isBefore(clock.instant())) {
        throw new PkiException("CA in Secret " + ref + " expired at "
            + cert.getNotAfter().toInstant() + "; delete the Secret to create a new CA");
      }
      return new CertificateAuthority(key, cert, clock);
    } catch (IllegalArgumentException e) {
      throw new PkiException("CA Secret " + ref + " does not hold a usable CA: " + e.getMessage(), e);
    }
  }

  private Secret encode(CertificateAuthority ca) {
    return SecretData.build(ref, "Opaque",
        Map.of(CERT_KEY, Pem.certificate(ca.certificate()), KEY_KEY, Pem.privateKey(ca.key())));
  }

  static String reason(KubernetesClientException e) {
    String status = e.getStatus() == null ? null : e.getStatus().getMessage();
    if (e.getCode() > 0) {
      return "HTTP " + e.getCode() + " " + firstLine(status != null ? status : e.getMessage());
    }
    // No answer from the API server: the innermost cause says why (DNS, refused, TLS ...).
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? firstLine(e.getMessage()) : "API server unreachable: " + root;
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl);
  }
}
