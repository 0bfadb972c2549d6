package io.portcullis.dataplane.health;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.portcullis.snapshot.ClusterPolicy.UpstreamTls;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * Client TLS contexts for health checks of clusters with {@code tls}, one per distinct setting.
 * The proxy's own upstream TLS is not built yet on this branch; when it is, this should share its
 * contexts.
 */
final class UpstreamTlsContexts {
  private final Map<UpstreamTls, SslContext> contexts = new ConcurrentHashMap<>();

  /** @throws IllegalArgumentException when the CA bundle cannot be read */
  SslContext context(UpstreamTls tls) {
    return contexts.computeIfAbsent(tls, UpstreamTlsContexts::build);
  }

  private static SslContext build(UpstreamTls tls) {
    try {
      SslContextBuilder builder = SslContextBuilder.forClient();
      if (tls.insecureSkipVerify()) {
        builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
      } else if (tls.caCertificatesPem() != null) {
        builder.trustManager(
            new ByteArrayInputStream(tls.caCertificatesPem().getBytes(StandardCharsets.US_ASCII)));
      }
      return builder.build();
    } catch (SSLException | RuntimeException e) {
      throw new IllegalArgumentException("cannot build upstream TLS context: " + e.getMessage(), e);
    }
  }

  /**
   * The name to send in SNI and verify: the policy's, else the Service's DNS name from a cluster
   * named {@code namespace/service:port[/hash]}.
   */
  static String serverName(UpstreamTls tls, String clusterName) {
    if (tls.serverName() != null) {
      return tls.serverName();
    }
    int slash = clusterName.indexOf('/');
    int colon = clusterName.indexOf(':', slash + 1);
    if (slash <= 0 || colon <= slash + 1) {
      return clusterName;
    }
    return clusterName.substring(slash + 1, colon) + "." + clusterName.substring(0, slash) + ".svc";
  }
}
