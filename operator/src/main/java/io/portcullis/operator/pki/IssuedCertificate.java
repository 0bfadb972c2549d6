package io.portcullis.operator.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A leaf certificate with its private key, as issued by {@link CertificateAuthority}.
 *
 * @param key the leaf's private key
 * @param certificate the leaf certificate, signed by the CA
 */
public record IssuedCertificate(PrivateKey key, X509Certificate certificate) {

  public IssuedCertificate {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(certificate, "certificate");
  }

  public Instant notAfter() {
    return certificate.getNotAfter().toInstant();
  }

  /**
   * When to replace this certificate: once two thirds of {@code lifetime} have passed, i.e. a
   * third of it before expiry. Measured back from {@code notAfter} so a certificate read back
   * from a Secret (whose issuing time we do not know) renews at the same point.
   */
  public Instant renewAt(Duration lifetime) {
    return notAfter().minus(lifetime.dividedBy(3));
  }

  /** Serial number in hex (log lines, tests). */
  public String serial() {
    return certificate.getSerialNumber().toString(16);
  }

  public String certificatePem() {
    return Pem.certificate(certificate);
  }

  public String keyPem() {
    return Pem.privateKey(key);
  }

  @Override
  public String toString() {
    // Never print the key.
    return "IssuedCertificate[" + certificate.getSubjectX500Principal() + ", serial " + serial()
        + ", notAfter " + notAfter() + "]";
  }
}
