package io.portcullis.transport;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Proves a PEM private key belongs to a PEM certificate by signing and verifying a challenge. */
final class KeyPairCheck {
  private static final Pattern PKCS8 = Pattern.compile(
      "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
  private static final byte[] CHALLENGE = "portcullis key check".getBytes(StandardCharsets.US_ASCII);

  private KeyPairCheck() {}

  /**
   * @throws IllegalArgumentException when the key is not PKCS#8, or does not match the
   *     certificate's public key
   */
  static void requireMatch(byte[] certPem, byte[] keyPem) {
    X509Certificate cert;
    try {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(certPem));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the certificate is not PEM X.509: " + e.getMessage(), e);
    }
    Matcher m = PKCS8.matcher(new String(keyPem, StandardCharsets.US_ASCII));
    if (!m.find()) {
      throw new IllegalArgumentException("the key is not a PEM PKCS#8 private key (BEGIN PRIVATE KEY)");
    }
    String algorithm = cert.getPublicKey().getAlgorithm();
    String signature = switch (algorithm) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      default -> throw new IllegalArgumentException("unsupported key algorithm " + algorithm);
    };
    boolean matches;
    try {
      PrivateKey key = KeyFactory.getInstance(algorithm)
          .generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(1))));
      Signature signer = Signature.getInstance(signature);
      signer.initSign(key);
      signer.update(CHALLENGE);
      byte[] signed = signer.sign();
      Signature verifier = Signature.getInstance(signature);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(CHALLENGE);
      matches = verifier.verify(signed);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "the key is not a usable " + algorithm + " key: " + e.getMessage(), e);
    }
    if (!matches) {
      throw new IllegalArgumentException("the key does not match the certificate");
    }
  }
}
