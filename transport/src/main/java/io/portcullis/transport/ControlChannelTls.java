package io.portcullis.transport;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.InputStream;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot stream's TLS contexts, one rule for both ends: TLS 1.3 and 1.2, HTTP/2-safe
 * ciphers, ALPN {@code h2} only, mutual authentication against the control channel CA alone (never
 * the JDK's public roots), BoringSSL (netty-tcnative) where it loads and the JDK provider otherwise.
 */
public final class ControlChannelTls {
  private static final Logger log = LoggerFactory.getLogger(ControlChannelTls.class);
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
  private static final SslProvider PROVIDER = chooseProvider();

  private ControlChannelTls() {}

  /** BoringSSL (netty-tcnative) when it loads here, else the JDK's TLS. */
  public static SslProvider provider() {
    return PROVIDER;
  }

  /**
   * The operator's context: presents {@code certificate} and requires a client certificate issued
   * by {@code ca}.
   *
   * @throws IllegalStateException when the key and certificate cannot make a context
   */
  public static SslContext server(PrivateKey key, X509Certificate certificate, X509Certificate ca) {
    try {
      return h2(SslContextBuilder.forServer(key, certificate))
          .trustManager(ca)
          .clientAuth(ClientAuth.REQUIRE)
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the snapshot stream's TLS context", e);
    }
  }

  /**
   * The dataplane's context from PEM streams: its certificate and PKCS#8 key, and the CA the
   * operator's certificate must chain to. The operator's certificate must also name the host the
   * dataplane dialled (endpoint identification).
   *
   * @throws SSLException or IllegalArgumentException when the material does not make a context
   */
  public static SslContext client(InputStream certificatePem, InputStream keyPem, InputStream caPem)
      throws SSLException {
    return h2(SslContextBuilder.forClient())
        .keyManager(certificatePem, keyPem)
        .trustManager(caPem)
        .endpointIdentificationAlgorithm("HTTPS")
        .build();
  }

  private static SslContextBuilder h2(SslContextBuilder builder) {
    return builder
        .sslProvider(PROVIDER)
        .protocols(PROTOCOLS)
        .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
        // NO_ADVERTISE/ACCEPT are the only failure modes BoringSSL supports; a peer without h2
        // then fails at the HTTP/2 preface instead, which is just as final.
        .applicationProtocolConfig(new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2));
  }

  private static SslProvider chooseProvider() {
    if (SslProvider.isAlpnSupported(SslProvider.OPENSSL)
        && SslProvider.isTlsv13Supported(SslProvider.OPENSSL)) {
      log.info("snapshot stream TLS: BoringSSL (netty-tcnative)");
      return SslProvider.OPENSSL;
    }
    log.info("snapshot stream TLS: JDK provider (netty-tcnative did not load)");
    return SslProvider.JDK;
  }
}
