package io.portcullis.operator.pki;

import io.fabric8.kubernetes.api.model.Secret;
import io.portcullis.transport.ControlPlaneTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** Certificates, mounted-Secret files and raw TLS probes for control channel tests. */
public final class TlsTestSupport {
  public static final Duration DAY = Duration.ofDays(1);

  private TlsTestSupport() {}

  public static CertificateAuthority newCa(String name) {
    return CertificateAuthority.create(name, Duration.ofDays(30), Clock.systemUTC());
  }

  /** Writes {@code tls.crt}, {@code tls.key}, {@code ca.crt} into {@code dir} as the kubelet would. */
  public static void writeFiles(Path dir, IssuedCertificate client, X509Certificate ca) throws IOException {
    write(dir.resolve("tls.crt"), client.certificatePem());
    write(dir.resolve("tls.key"), client.keyPem());
    write(dir.resolve("ca.crt"), Pem.certificate(ca));
  }

  /** Writes the dataplane Secret's three keys into {@code dir}: a mounted Secret volume. */
  public static void mount(Secret secret, Path dir) throws IOException {
    for (String key : List.of("tls.crt", "tls.key", "ca.crt")) {
      write(dir.resolve(key), SecretData.require(secret, key));
    }
  }

  /** The dataplane's own client TLS loader over the files in {@code dir}. */
  public static ControlPlaneTls dataplaneTls(Path dir, Duration poll) {
    return ControlPlaneTls.load(dir.resolve("tls.crt"), dir.resolve("tls.key"), dir.resolve("ca.crt"), poll);
  }

  /** What a completed handshake agreed on. */
  public record Handshake(X509Certificate peer, String protocol, String alpn) {}

  /** Handshakes as a client with {@code client} and returns the operator's leaf certificate. */
  public static X509Certificate peerCertificate(
      int port, IssuedCertificate client, X509Certificate ca) throws Exception {
    return handshake(port, client, ca).peer();
  }

  /** Handshakes (JDK TLS, offering ALPN h2) with {@code client} as the client certificate. */
  public static Handshake handshake(
      int port, IssuedCertificate client, X509Certificate ca) throws Exception {
    char[] password = "test".toCharArray();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("client", client.key(), password, new Certificate[] {client.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, password);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(5_000);
      SSLParameters params = socket.getSSLParameters();
      params.setApplicationProtocols(new String[] {"h2"});
      socket.setSSLParameters(params);
      socket.startHandshake();
      return new Handshake((X509Certificate) socket.getSession().getPeerCertificates()[0],
          socket.getSession().getProtocol(), socket.getApplicationProtocol());
    }
  }

  private static void write(Path file, String text) throws IOException {
    // Replace atomically, like the kubelet's symlink swap: a reader never sees half a file.
    Path tmp = Files.createTempFile(file.getParent(), ".tmp", null);
    Files.writeString(tmp, text, StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
