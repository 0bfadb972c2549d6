package io.portcullis.snapshot;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * A server certificate and its private key, as the operator read them from a
 * {@code kubernetes.io/tls} Secret (or generated them). The dataplane builds one TLS context per
 * certificate; virtual hosts refer to it by {@link #name()}.
 *
 * <p>The private key is secret: {@link #toString()} never shows it, so a snapshot, delta or NACK
 * that is logged does not leak it. The JSON form carries it (the stream is mTLS outside local
 * mode).
 *
 * @param name {@code namespace/secret}, stable across versions (the operator's own generated
 *     default is named by the operator, e.g. {@code portcullis/default-certificate})
 * @param certificateChain PEM, the leaf first, then intermediates
 * @param privateKey PEM, PKCS#8 ({@code BEGIN PRIVATE KEY}); the operator converts other forms
 */
public record TlsCertificate(String name, String certificateChain, String privateKey) {
  // namespace/name. The operator's generated default is "portcullis.io/generated-default", which
  // no Secret can be called: namespaces are DNS labels, without dots.
  private static final Pattern NAME = Pattern.compile("[a-z0-9][-a-z0-9.]*/[a-z0-9][-a-z0-9.]*");

  public TlsCertificate {
    Sorted.requireText(name, "certificate name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("certificate name must be namespace/name: " + name);
    }
    Sorted.requireText(certificateChain, "certificate chain of " + name);
    Sorted.requireText(privateKey, "private key of " + name);
  }

  @Override
  public String toString() {
    return "TlsCertificate[name=" + name
        + ", certificateChain=" + certificateChain.getBytes(StandardCharsets.US_ASCII).length
        + " bytes of PEM, privateKey=(redacted)]";
  }
}
