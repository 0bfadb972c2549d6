package io.portcullis.operator.pki;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot stream's server TLS context: TLS 1.3 and 1.2, HTTP/2-safe ciphers, ALPN {@code h2}
 * only, and a client certificate required and verified against the control channel CA alone (not
 * the JDK's public roots: any certificate not from our CA is refused).
 */
public final class ControlTls {
  private static final Logger log = LoggerFactory.getLogger(ControlTls.class);
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
  private static final SslProvider PROVIDER = chooseProvider();

  private ControlTls() {}

  /** BoringSSL (netty-tcnative) when it loads here, else the JDK's TLS. */
  public static SslProvider provider() {
    return PROVIDER;
  }

  public static SslContext server(IssuedCertificate serving, X509Certificate ca) {
    try {
      return SslContextBuilder.forServer(serving.key(), serving.certificate())
          .sslProvider(PROVIDER)
          .protocols(PROTOCOLS)
          .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .trustManager(ca)
          .clientAuth(ClientAuth.REQUIRE)
          .applicationProtocolConfig(h2Only())
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the snapshot stream's TLS context", e);
    }
  }

  static ApplicationProtocolConfig h2Only() {
    // NO_ADVERTISE/ACCEPT are the only failure modes BoringSSL supports; a peer without h2 then
    // fails at the HTTP/2 preface instead, which is just as final.
    return new ApplicationProtocolConfig(
        ApplicationProtocolConfig.Protocol.ALPN,
        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
        ApplicationProtocolNames.HTTP_2);
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
