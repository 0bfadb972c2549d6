package io.portcullis.dataplane.upstream;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.portcullis.snapshot.ClusterPolicy.Protocol;
import io.portcullis.snapshot.ClusterPolicy.UpstreamTls;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * Client TLS contexts for backend connections, one per distinct {@link UpstreamTls} and protocol
 * (cached by value: clusters that share settings share the context, and its session cache). ALPN
 * offers exactly the protocol the cluster speaks, so an HTTP/2 cluster whose backend cannot do h2
 * fails loudly instead of silently talking HTTP/1.1.
 */
public final class ClientTlsContexts {
  /** Distinct settings are few; the bound only guards against a config that churns them. */
  private static final int MAX_CONTEXTS = 256;

  private record Key(UpstreamTls tls, Protocol protocol) {}

  private final Map<Key, SslContext> contexts = new ConcurrentHashMap<>();

  /**
   * A handler for a new connection to {@code key}: SNI and host name verification against
   * {@code key.serverName()} unless the cluster asked for {@code insecureSkipVerify}.
   *
   * @throws IllegalArgumentException when the CA bundle cannot be read
   */
  public SslHandler newHandler(UpstreamKey key, ByteBufAllocator alloc) {
    SslContext context = context(key.tls(), key.protocol());
    // The peer host sets SNI and is the name the context's HTTPS identification checks.
    return context.newHandler(alloc, key.serverName(), key.endpoint().port());
  }

  /** The shared context for {@code tls} offering {@code protocol} in ALPN (health checks use it). */
  public SslContext context(UpstreamTls tls, Protocol protocol) {
    Key key = new Key(tls, protocol);
    SslContext context = contexts.get(key);
    if (context != null) {
      return context;
    }
    if (contexts.size() >= MAX_CONTEXTS) {
      contexts.clear();
    }
    return contexts.computeIfAbsent(key, k -> build(k.tls(), k.protocol()));
  }

  int size() {
    return contexts.size();
  }

  private static SslContext build(UpstreamTls tls, Protocol protocol) {
    try {
      SslContextBuilder builder = SslContextBuilder.forClient()
          .protocols("TLSv1.3", "TLSv1.2")
          .applicationProtocolConfig(new ApplicationProtocolConfig(
              ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
              protocol == Protocol.H2 ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1));
      if (tls.insecureSkipVerify()) {
        builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
      } else {
        builder.endpointIdentificationAlgorithm("HTTPS");
        if (tls.caCertificatesPem() != null) {
          builder.trustManager(new ByteArrayInputStream(
              tls.caCertificatesPem().getBytes(StandardCharsets.US_ASCII)));
        }
      }
      return builder.build();
    } catch (SSLException | RuntimeException e) {
      throw new IllegalArgumentException("upstream TLS settings unusable: " + e.getMessage(), e);
    }
  }
}
