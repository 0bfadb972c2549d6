package io.portcullis.dataplane.tls;

import io.netty.util.AsciiString;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * The {@code x-forwarded-client-cert} value of a verified client certificate, in Envoy's format:
 * {@code Hash=<sha256 of the DER, hex>;Subject="<RFC 2253>";URI=<first URI SAN>;DNS=<name>;...}
 * (one {@code DNS} pair per DNS name; absent parts are left out). Values that contain the format's
 * separators are quoted, with {@code "} and {@code \} escaped.
 */
public final class ForwardedClientCert {
  public static final AsciiString HEADER = AsciiString.cached("x-forwarded-client-cert");

  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;

  private ForwardedClientCert() {}

  public static String format(X509Certificate certificate) {
    StringBuilder sb = new StringBuilder("Hash=").append(sha256(certificate));
    sb.append(";Subject=").append(quoted(
        certificate.getSubjectX500Principal().getName(X500Principal.RFC2253)));
    String uri = null;
    StringBuilder dns = new StringBuilder();
    for (List<?> san : subjectAltNames(certificate)) {
      int type = (Integer) san.get(0);
      Object value = san.get(1);
      if (type == SAN_URI && uri == null && value instanceof String s) {
        uri = s;
      } else if (type == SAN_DNS && value instanceof String s) {
        dns.append(";DNS=").append(quoteIfNeeded(s));
      }
    }
    if (uri != null) {
      sb.append(";URI=").append(quoteIfNeeded(uri));
    }
    return sb.append(dns).toString();
  }

  private static Collection<List<?>> subjectAltNames(X509Certificate certificate) {
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      return names == null ? List.of() : names;
    } catch (CertificateParsingException e) {
      return List.of(); // a verified certificate with an unreadable SAN: forward what we can
    }
  }

  private static String sha256(X509Certificate certificate) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot hash a verified certificate", e);
    }
  }

  private static String quoteIfNeeded(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == ',' || c == ';' || c == '=' || c == '"' || c == '\\' || c < 0x20) {
        return quoted(value);
      }
    }
    return value;
  }

  private static String quoted(String value) {
    StringBuilder sb = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\');
      }
      // Header values cannot carry control characters; a subject can.
      sb.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return sb.append('"').toString();
  }
}
