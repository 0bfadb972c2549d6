package io.portcullis.dataplane.tls;

import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.TlsPolicy.ClientValidation;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Reads the PEM of a certificate chain, a PKCS#8 key and a CA bundle the quick way, for the
 * common shape only: blocks exactly as the operator writes them ({@code BEGIN CERTIFICATE},
 * {@code BEGIN PRIVATE KEY}, a line break, plain base64 lines, the matching END) and nothing else
 * that looks like a block. Netty's PEM reader takes a few milliseconds per Secret (its patterns,
 * more than the parsing), which at 10,000 Secrets was seconds of a first apply; this takes a tenth
 * of a millisecond. Whatever it accepts Netty's reader accepts too (the same blocks, the same
 * bytes, and key factories Netty also tries); anything else, broken or merely unusual, it leaves
 * to Netty's reader, which decides and words the rejection.
 */
final class QuickPem {
  private static final int DASHES = 5;
  private static final String CERTIFICATE = "CERTIFICATE";
  private static final String PRIVATE_KEY = "PRIVATE KEY";
  /** The algorithms Netty tries for a PKCS#8 key (it tries RSA, DSA, then EC). */
  private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "DSA");

  private QuickPem() {}

  /**
   * Whether {@code certificate}'s chain and key (and {@code validation}'s CA bundle, if any) read
   * in the common shape; false means "ask Netty", not "broken".
   */
  static boolean reads(TlsCertificate certificate, ClientValidation validation) {
    try {
      return certificates(certificate.certificateChain())
          && key(certificate.privateKey())
          && (validation == null || certificates(validation.caCertificatesPem()));
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static boolean certificates(String pem) throws GeneralSecurityException {
    List<byte[]> blocks = blocks(pem, CERTIFICATE);
    if (blocks == null || blocks.isEmpty()) {
      return false;
    }
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    for (byte[] der : blocks) {
      factory.generateCertificate(new ByteArrayInputStream(der));
    }
    return true;
  }

  private static boolean key(String pem) {
    List<byte[]> blocks = blocks(pem, PRIVATE_KEY);
    if (blocks == null || blocks.size() != 1) {
      return false;
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(blocks.get(0));
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        KeyFactory.getInstance(algorithm).generatePrivate(spec);
        return true;
      } catch (GeneralSecurityException e) {
        // not this algorithm
      }
    }
    return false;
  }

  /**
   * The decoded blocks of {@code label}, or null when the text holds anything that begins a block
   * of another shape, or a block that is not a header line, plain base64 lines and its footer.
   */
  private static List<byte[]> blocks(String pem, String label) {
    String header = "-----BEGIN " + label + "-----";
    String footer = "-----END " + label + "-----";
    // Netty's patterns take any number of dashes and any case: every "begin" in the text, in any
    // case, must be one of our headers, or Netty may see a block this scan would not.
    String lower = pem.toLowerCase(Locale.ROOT);
    List<byte[]> blocks = new ArrayList<>(2);
    int word = lower.indexOf("begin");
    while (word >= 0) {
      int at = word - DASHES;
      if (at < 0 || !pem.startsWith(header, at) || (at > 0 && pem.charAt(at - 1) == '-')) {
        return null;
      }
      int body = at + header.length();
      int end = pem.indexOf(footer, body);
      if (end < 0) {
        return null;
      }
      byte[] der = base64(pem, body, end);
      if (der == null) {
        return null;
      }
      blocks.add(der);
      word = lower.indexOf("begin", end + footer.length());
    }
    return blocks;
  }

  /**
   * The bytes of the base64 lines between {@code from} and {@code to}: a line break first, then
   * only base64 characters and line breaks, padding only at the end; else null.
   */
  private static byte[] base64(String pem, int from, int to) {
    if (from >= to || (pem.charAt(from) != '\n' && pem.charAt(from) != '\r')) {
      return null;
    }
    StringBuilder text = new StringBuilder(to - from);
    int padding = 0;
    for (int i = from; i < to; i++) {
      char c = pem.charAt(i);
      if (c == '\n' || c == '\r') {
        continue;
      }
      boolean alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '+' || c == '/';
      if (c == '=') {
        padding++;
      } else if (!alphabet || padding > 0) {
        return null;
      }
      text.append(c);
    }
    if (text.length() == 0 || text.length() % 4 != 0 || padding > 2) {
      return null;
    }
    return Base64.getDecoder().decode(text.toString());
  }
}
