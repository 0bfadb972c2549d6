package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.Secret;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Checks a {@code kubernetes.io/tls} Secret the way a TLS server would use it, so that a bad one
 * is reported on the object that names it instead of failing handshakes on every dataplane: the
 * type, the {@code tls.crt} and {@code tls.key} keys, PEM that parses (certificates with the JDK's
 * CertificateFactory; keys in PKCS#8, PKCS#1 or SEC1 form with BouncyCastle), a key that belongs
 * to the leaf certificate, and a leaf that has not expired at {@code now}.
 *
 * <p>Pure: {@code now} is a value handed in, and nothing is read but the Secret.
 */
final class CertificateValidator {
  static final String TLS_SECRET_TYPE = "kubernetes.io/tls";
  static final String CERT_KEY = "tls.crt";
  static final String KEY_KEY = "tls.key";

  /** A Secret larger than this is refused unread (a chain is a few KiB; the API caps at 1 MiB). */
  static final int MAX_PEM_BYTES = 256 * 1024;

  private CertificateValidator() {}

  /** A usable certificate: normalised PEM (PKCS#8 key) and the DNS names it covers. */
  record Valid(String certificateChainPem, String privateKeyPem, List<String> dnsNames) {}

  /** Validates {@code secret} (may be null: missing) at {@code now}. */
  static Valid validate(String name, Secret secret, Instant now) throws InvalidInputException {
    return validate(name, secret, now, ParsedCertificates.Round.none());
  }

  /**
   * Validates {@code secret} at {@code now}, taking what an earlier compile learned from the same
   * content from {@code parsed} and leaving what this one learns there.
   */
  static Valid validate(String name, Secret secret, Instant now, ParsedCertificates.Round parsed)
      throws InvalidInputException {
    if (secret == null) {
      throw new InvalidInputException("TLS Secret " + name + " not found");
    }
    if (!TLS_SECRET_TYPE.equals(secret.getType())) {
      throw new InvalidInputException("TLS Secret " + name + " is of type " + secret.getType()
          + ", not " + TLS_SECRET_TYPE);
    }
    ParsedCertificates.Key memoKey =
        new ParsedCertificates.Key(raw(secret, CERT_KEY), raw(secret, KEY_KEY));
    ParsedCertificates.Content content = parsed.get(memoKey);
    if (content == null) {
      content = parse(name, secret);
      parsed.put(memoKey, content);
    }
    if (now != null && content.notAfter().isBefore(now)) {
      throw new InvalidInputException("TLS Secret " + name + ": the certificate expired at "
          + content.notAfter());
    }
    return new Valid(content.chainPem(), content.keyPem(), content.dnsNames());
  }

  /** Everything about a Secret that depends on its content alone (not on the time). */
  private static ParsedCertificates.Content parse(String name, Secret secret)
      throws InvalidInputException {
    String certPem = decoded(name, secret, CERT_KEY);
    String keyPem = decoded(name, secret, KEY_KEY);
    List<X509Certificate> chain = parseChain(name, certPem);
    PrivateKey key = parseKey(name, keyPem);
    X509Certificate leaf = chain.get(0);
    if (!KeyMatch.matches(key, leaf.getPublicKey())) {
      throw new InvalidInputException("TLS Secret " + name
          + ": the private key in tls.key does not belong to the certificate in tls.crt");
    }
    return new ParsedCertificates.Content(
        toPem(chain), toPem(key), dnsNames(leaf), leaf.getNotAfter().toInstant());
  }

  /** The entry as stored ({@code data}, else {@code stringData}), or null: the memo's key. */
  private static String raw(Secret secret, String key) {
    Map<String, String> data = secret.getData();
    String b64 = data == null ? null : data.get(key);
    if (b64 != null && !b64.isEmpty()) {
      return b64;
    }
    Map<String, String> stringData = secret.getStringData();
    return stringData == null ? null : "plain:" + stringData.get(key);
  }

  /** True when {@code host} (exact or {@code *.x}) is covered by one of {@code dnsNames}. */
  static boolean covers(List<String> dnsNames, String host) {
    for (String san : dnsNames) {
      String s = san.toLowerCase(Locale.ROOT);
      if (s.equals(host)) {
        return true;
      }
      // A wildcard SAN covers exactly one label, and never another wildcard but itself.
      if (s.startsWith("*.") && !host.startsWith("*.")) {
        int dot = host.indexOf('.');
        if (dot > 0 && host.substring(dot + 1).equals(s.substring(2))) {
          return true;
        }
      }
    }
    return false;
  }

  private static String decoded(String name, Secret secret, String key)
      throws InvalidInputException {
    Map<String, String> data = secret.getData();
    String b64 = data == null ? null : data.get(key);
    if (b64 != null && !b64.isEmpty()) {
      if (b64.length() > MAX_PEM_BYTES * 4 / 3 + 4) {
        throw new InvalidInputException("TLS Secret " + name + ": " + key + " is too large");
      }
      try {
        return new String(Base64.getMimeDecoder().decode(b64), StandardCharsets.US_ASCII);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("TLS Secret " + name + ": " + key + " is not base64");
      }
    }
    // Manifests in local mode may use stringData; the API server folds it into data.
    Map<String, String> stringData = secret.getStringData();
    String plain = stringData == null ? null : stringData.get(key);
    if (plain == null || plain.isEmpty()) {
      throw new InvalidInputException("TLS Secret " + name + " has no " + key);
    }
    if (plain.length() > MAX_PEM_BYTES) {
      throw new InvalidInputException("TLS Secret " + name + ": " + key + " is too large");
    }
    return plain;
  }

  private static List<X509Certificate> parseChain(String name, String pem)
      throws InvalidInputException {
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new InvalidInputException(
          "TLS Secret " + name + ": tls.crt holds no PEM certificate");
    }
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      Collection<? extends java.security.cert.Certificate> parsed =
          factory.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      List<X509Certificate> chain = new ArrayList<>();
      for (java.security.cert.Certificate c : parsed) {
        chain.add((X509Certificate) c);
      }
      if (chain.isEmpty()) {
        throw new InvalidInputException(
            "TLS Secret " + name + ": tls.crt holds no PEM certificate");
      }
      return chain;
    } catch (CertificateException | RuntimeException e) {
      throw new InvalidInputException(
          "TLS Secret " + name + ": tls.crt is not a valid PEM certificate (" + reason(e) + ")");
    }
  }

  private static PrivateKey parseKey(String name, String pem) throws InvalidInputException {
    Object parsed;
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      parsed = parser.readObject();
      // `openssl ecparam -genkey` writes an EC PARAMETERS block before the key: skip such blocks.
      for (int skipped = 0; parsed != null && !isKey(parsed) && skipped < 4; skipped++) {
        parsed = parser.readObject();
      }
    } catch (IOException | RuntimeException e) {
      throw new InvalidInputException(
          "TLS Secret " + name + ": tls.key is not a valid PEM private key (" + reason(e) + ")");
    }
    try {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (parsed instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info); // PKCS#8
      }
      if (parsed instanceof PEMKeyPair pair) {
        // PKCS#1 (RSA) or SEC1 (EC); SEC1 may omit the public key, which we do not need.
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
    } catch (PEMException | RuntimeException e) {
      throw new InvalidInputException(
          "TLS Secret " + name + ": tls.key is not a usable private key (" + reason(e) + ")");
    }
    throw new InvalidInputException(parsed == null
        ? "TLS Secret " + name + ": tls.key holds no PEM private key"
        : "TLS Secret " + name + ": tls.key must be an unencrypted private key (PKCS#8, PKCS#1 or SEC1)");
  }

  private static boolean isKey(Object parsed) {
    return parsed instanceof PrivateKeyInfo || parsed instanceof PEMKeyPair
        || parsed instanceof org.bouncycastle.openssl.PEMEncryptedKeyPair
        || parsed instanceof org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
  }

  private static List<String> dnsNames(X509Certificate leaf) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String dns) {
            names.add(dns.toLowerCase(Locale.ROOT));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // No usable SANs: every host gets the "does not cover" warning.
    }
    return List.copyOf(names);
  }

  static String toPem(List<X509Certificate> chain) {
    StringBuilder sb = new StringBuilder();
    for (X509Certificate c : chain) {
      try {
        sb.append(pem("CERTIFICATE", c.getEncoded()));
      } catch (java.security.cert.CertificateEncodingException e) {
        throw new IllegalStateException("a parsed certificate re-encodes", e);
      }
    }
    return sb.toString();
  }

  static String toPem(PrivateKey key) {
    return pem("PRIVATE KEY", key.getEncoded()); // getEncoded() of a JCA private key is PKCS#8
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static String reason(Exception e) {
    String m = e.getMessage();
    if (m == null) {
      return e.getClass().getSimpleName();
    }
    String first = m.lines().findFirst().orElse(m);
    return first.length() <= 200 ? first : first.substring(0, 197) + "...";
  }
}
