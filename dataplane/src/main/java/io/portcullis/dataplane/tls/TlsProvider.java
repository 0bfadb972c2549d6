package io.portcullis.dataplane.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which TLS implementation terminates connections: BoringSSL through netty-tcnative where it
 * loads (faster handshakes, less garbage, session ticket key control), else the JDK's. Decided
 * once per process and logged, so "which TLS are we running?" is answered by the first log lines.
 */
final class TlsProvider {
  private static final Logger log = LoggerFactory.getLogger(TlsProvider.class);

  private static final SslProvider CHOSEN = choose();

  private TlsProvider() {}

  static SslProvider get() {
    return CHOSEN;
  }

  private static SslProvider choose() {
    if (OpenSsl.isAvailable() && SslProvider.isTlsv13Supported(SslProvider.OPENSSL)) {
      log.info("TLS provider: {} via netty-tcnative", OpenSsl.versionString());
      return SslProvider.OPENSSL;
    }
    Throwable cause = OpenSsl.unavailabilityCause();
    log.warn("TLS provider: JDK (netty-tcnative unavailable: {})",
        cause == null ? "no TLS 1.3 support" : cause.toString());
    return SslProvider.JDK;
  }
}
