package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.Secret;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates made at test time (no private key is ever checked in). */
public final class TestCertificates {
  private TestCertificates() {}

  public static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
  private static final AtomicLong SERIAL = new AtomicLong(1);

  public record Issued(X509Certificate certificate, KeyPair keys) {
    public String certificatePem() {
      return write(certificate);
    }

    /** PKCS#8 ({@code BEGIN PRIVATE KEY}). */
    public String pkcs8KeyPem() {
      return "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keys.getPrivate().getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
    }

    /** PKCS#1 for RSA ({@code BEGIN RSA PRIVATE KEY}), SEC1 for EC ({@code BEGIN EC PRIVATE KEY}). */
    String traditionalKeyPem() {
      if (!keys.getPrivate().getAlgorithm().equals("EC")) {
        return write(keys.getPrivate());
      }
      // As openssl writes it: the curve inside the SEC1 structure (the JDK's PKCS#8 keeps it
      // outside, in the algorithm identifier).
      try {
        var info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
        var inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
        var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(), inner.getPublicKey(),
            info.getPrivateKeyAlgorithm().getParameters());
        return "-----BEGIN EC PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(sec1.getEncoded())
            + "\n-----END EC PRIVATE KEY-----\n";
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }

    PrivateKey privateKey() {
      return keys.getPrivate();
    }
  }

  static KeyPair ecKeys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair rsaKeys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A self-signed EC certificate for {@code dnsNames}, valid for a year around {@link #NOW}. */
  public static Issued issue(String... dnsNames) {
    return issue(ecKeys(), NOW.minusSeconds(86_400), NOW.plusSeconds(365 * 86_400L), dnsNames);
  }

  /** Valid around the real time, for tests that run against the operator's clock. */
  public static Issued issueNow(String... dnsNames) {
    Instant now = Instant.now();
    return issue(ecKeys(), now.minusSeconds(3600), now.plusSeconds(2 * 86_400L), dnsNames);
  }

  static Issued issue(KeyPair keys, Instant notBefore, Instant notAfter, String... dnsNames) {
    try {
      X500Name name = new X500Name("CN=" + (dnsNames.length > 0 ? dnsNames[0] : "test"));
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name,
          BigInteger.valueOf(SERIAL.getAndIncrement()), Date.from(notBefore), Date.from(notAfter),
          name, keys.getPublic());
      if (dnsNames.length > 0) {
        GeneralName[] names = new GeneralName[dnsNames.length];
        for (int i = 0; i < dnsNames.length; i++) {
          names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      String alg = keys.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      return new Issued(new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder(alg).build(keys.getPrivate()))), keys);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A {@code kubernetes.io/tls} Secret with these PEM texts (null leaves the key out). */
  public static Secret tlsSecret(String namespace, String name, String certPem, String keyPem) {
    Secret s = Fixtures.secret(namespace, name, "kubernetes.io/tls");
    Map<String, String> data = new LinkedHashMap<>();
    if (certPem != null) {
      data.put("tls.crt", b64(certPem));
    }
    if (keyPem != null) {
      data.put("tls.key", b64(keyPem));
    }
    s.setData(data);
    return s;
  }

  public static Secret tlsSecret(String namespace, String name, Issued issued) {
    return tlsSecret(namespace, name, issued.certificatePem(), issued.pkcs8KeyPem());
  }

  static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static String write(Object o) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(o);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }
}
