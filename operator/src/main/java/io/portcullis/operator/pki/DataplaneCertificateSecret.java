package io.portcullis.operator.pki;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@code kubernetes.io/tls} Secret filled with a current dataplane client certificate
 * ({@code tls.crt}, {@code tls.key}) and the CA ({@code ca.crt}). Dataplanes mount it and re-read
 * the files when the kubelet updates them, so rotation needs no restart. One certificate serves
 * every dataplane: they are interchangeable replicas, and the CA proves only "this is one of
 * ours".
 *
 * <p>Replicas race safely: a replace carries the {@code resourceVersion} it read, the loser gets
 * 409, re-reads and finds a fresh certificate from the same CA.
 */
public final class DataplaneCertificateSecret {
  private static final Logger log = LoggerFactory.getLogger(DataplaneCertificateSecret.class);
  static final String CERT_KEY = "tls.crt";
  static final String KEY_KEY = "tls.key";
  static final String CA_KEY = "ca.crt";
  /** Common name of the dataplane client certificate. */
  public static final String CLIENT_NAME = "portcullis-dataplane";
  private static final int ATTEMPTS = 3;

  private final KubernetesClient client;
  private final NamespacedName ref;
  private final Duration validity;
  private final Clock clock;

  public DataplaneCertificateSecret(
      KubernetesClient client, NamespacedName ref, Duration validity, Clock clock) {
    this.client = client;
    this.ref = ref;
    this.validity = validity;
    this.clock = clock;
  }

  /**
   * Makes sure the Secret holds a certificate from {@code ca} that is not yet due for renewal;
   * issues and writes a new one otherwise.
   *
   * @return the certificate now in the Secret
   * @throws PkiException when the Secret cannot be read or written
   */
  public X509Certificate ensureFresh(CertificateAuthority ca) {
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Secret existing = read();
      X509Certificate current = existing == null ? null : usable(existing, ca);
      if (current != null) {
        return current;
      }
      IssuedCertificate issued = ca.issueClient(CLIENT_NAME, validity);
      Secret wanted = SecretData.build(ref, "kubernetes.io/tls", Map.of(
          CERT_KEY, issued.certificatePem(),
          KEY_KEY, issued.keyPem(),
          CA_KEY, Pem.certificate(ca.certificate())));
      try {
        if (existing == null) {
          client.secrets().inNamespace(ref.namespace()).resource(wanted).create();
        } else {
          wanted.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
          client.secrets().inNamespace(ref.namespace()).resource(wanted).update();
        }
        log.info("dataplane client certificate written to Secret {} (serial {}, expires {})",
            ref, issued.serial(), issued.notAfter());
        return issued.certificate();
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw new PkiException(
              "cannot write dataplane certificate Secret " + ref + ": " + CreateOnceSecret.reason(e), e);
        }
        log.debug("dataplane certificate Secret {} changed concurrently; re-reading", ref);
      }
    }
    throw new PkiException("dataplane certificate Secret " + ref + " keeps conflicting");
  }

  private Secret read() {
    try {
      return client.secrets().inNamespace(ref.namespace()).withName(ref.name()).get();
    } catch (KubernetesClientException e) {
      throw new PkiException(
          "cannot read dataplane certificate Secret " + ref + ": " + CreateOnceSecret.reason(e), e);
    }
  }

  /** The Secret's certificate when it is ours, matches its key's CA and is not due; else null. */
  private X509Certificate usable(Secret secret, CertificateAuthority ca) {
    try {
      X509Certificate cert = Pem.parseCertificate(SecretData.require(secret, CERT_KEY));
      PrivateKey key = Pem.parseEcPrivateKey(SecretData.require(secret, KEY_KEY));
      if (!Pem.belongTogether(key, cert)) {
        throw new IllegalArgumentException("tls.key does not belong to tls.crt");
      }
      X509Certificate storedCa = Pem.parseCertificate(SecretData.require(secret, CA_KEY));
      boolean fresh = clock.instant().isBefore(
          cert.getNotAfter().toInstant().minus(validity.dividedBy(3)));
      return ca.signed(cert) && storedCa.equals(ca.certificate()) && fresh ? cert : null;
    } catch (IllegalArgumentException | PkiException e) {
      log.warn("dataplane certificate Secret {} is unusable ({}); replacing it", ref, e.getMessage());
      return null;
    }
  }
}
