package io.portcullis.dataplane.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.AttributeKey;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.TlsPolicy.ClientValidation;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the server {@link SslContext} of one certificate with Portcullis's TLS policy: TLS 1.2
 * and 1.3 only; forward-secret AEAD cipher suites only (the TLS 1.3 suites, then ECDHE with
 * AES-GCM or ChaCha20-Poly1305 for 1.2, as in Mozilla's "intermediate" profile, none of them on
 * HTTP/2's deny list); ALPN offering {@code h2} then {@code http/1.1}; a bounded server-side session
 * cache besides tickets. With a {@link ClientValidation} the context asks for a client certificate
 * (requires it unless optional) and verifies it against the validation's CA bundle; the
 * validation is kept on the context ({@link #clientValidation}) so the listener can tell what a
 * handshake enforced.
 */
final class ServerContexts {
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  /** In preference order; suites a provider lacks are dropped by the filter. */
  static final List<String> CIPHERS = List.of(
      "TLS_AES_128_GCM_SHA256",
      "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  /** Sessions kept per certificate for ID-based resumption (tickets need no server state). */
  static final int SESSION_CACHE_SIZE = 10_000;

  /** How long a resumed session may live, in seconds (tickets and cache alike). */
  static final int SESSION_TIMEOUT_SECONDS = 3600;

  /** Every server context offers these; the listener's ALPN handler sets up what was agreed. */
  static final ApplicationProtocolConfig ALPN = new ApplicationProtocolConfig(
      ApplicationProtocolConfig.Protocol.ALPN,
      // A client that offers only protocols we lack still gets http/1.1 rather than an alert.
      ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
      ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
      ApplicationProtocolNames.HTTP_2,
      ApplicationProtocolNames.HTTP_1_1);

  /** For contexts that ask for no client certificate: an empty trust store, no CA list. */
  private static final TrustManagerFactory TRUSTS_NOTHING = emptyTrust();

  private static final AttributeKey<ClientValidation> CLIENT_VALIDATION =
      AttributeKey.valueOf(ServerContexts.class, "clientValidation");

  private ServerContexts() {}

  /** Builds the context of {@code certificate} without client certificates. */
  static SslContext build(TlsCertificate certificate, SslProvider provider) throws SSLException {
    return build(certificate, null, provider);
  }

  /** The client certificate validation {@code context} enforces, or null for none. */
  static ClientValidation clientValidation(SslContext context) {
    return context == null ? null : context.attributes().attr(CLIENT_VALIDATION).get();
  }

  /**
   * Reads {@code certificate}'s chain and key (and {@code validation}'s CA bundle) as
   * {@link #build} does before it builds anything, so that whatever {@link #build} would reject for
   * its PEM is rejected here, with the same message, at a fraction of the cost: no OpenSSL context
   * is made. The common shape is read the quick way ({@link QuickPem}); anything else by Netty's
   * reader, exactly as a build reads it. The private key is not matched against the certificate
   * (neither does a build; the operator checks that before a Secret reaches a snapshot).
   *
   * @throws SSLException when the PEM does not make a certificate chain and a key, or the CA
   *     bundle no certificates
   */
  static void validate(TlsCertificate certificate, ClientValidation validation)
      throws SSLException {
    if (QuickPem.reads(certificate, validation)) {
      return;
    }
    try {
      SslContextBuilder builder = SslContextBuilder.forServer(
          stream(certificate.certificateChain()), stream(certificate.privateKey()));
      if (validation != null) {
        builder.trustManager(stream(validation.caCertificatesPem()));
      }
    } catch (IllegalArgumentException e) {
      throw new SSLException(e.getMessage(), e);
    }
  }

  /**
   * Builds the context of {@code certificate} with {@code provider}, validating client
   * certificates as {@code validation} says (null: none asked for).
   *
   * @throws SSLException when the PEM does not make a usable certificate and key
   */
  static SslContext build(
      TlsCertificate certificate, ClientValidation validation, SslProvider provider)
      throws SSLException {
    try {
      SslContextBuilder builder = SslContextBuilder.forServer(
              stream(certificate.certificateChain()), stream(certificate.privateKey()))
          .sslProvider(provider)
          .protocols(PROTOCOLS)
          .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .applicationProtocolConfig(ALPN)
          .clientAuth(ClientAuth.NONE)
          .sessionCacheSize(SESSION_CACHE_SIZE)
          .sessionTimeout(SESSION_TIMEOUT_SECONDS);
      if (validation != null) {
        builder.clientAuth(validation.optional() ? ClientAuth.OPTIONAL : ClientAuth.REQUIRE)
            .trustManager(stream(validation.caCertificatesPem()));
      } else {
        // Without one, Netty's OpenSSL context loads the JDK's default trust store and hands its
        // ~150 CAs to OpenSSL as the list a certificate request would name: two thirds of
        // building a context (26 ms here), for a list no client is ever sent, since none is asked.
        builder.trustManager(TRUSTS_NOTHING);
      }
      SslContext context = builder.build();
      context.attributes().attr(CLIENT_VALIDATION).set(validation);
      return context;
    } catch (IllegalArgumentException e) {
      // SslContextBuilder reports unreadable PEM this way; callers expect one exception type.
      throw new SSLException(e.getMessage(), e);
    }
  }

  private static TrustManagerFactory emptyTrust() {
    try {
      KeyStore empty = KeyStore.getInstance(KeyStore.getDefaultType());
      empty.load(null, null);
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(empty);
      return factory;
    } catch (java.io.IOException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot make an empty trust store", e);
    }
  }

  private static ByteArrayInputStream stream(String pem) {
    return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
  }
}
