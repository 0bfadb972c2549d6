package io.portcullis.dataplane.tls;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.AsyncMapping;
import io.netty.util.Mapping;
import io.netty.util.concurrent.Promise;
import io.portcullis.dataplane.http.ConnectionTls;
import io.portcullis.snapshot.TlsPolicy.ClientValidation;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The HTTPS listener's SNI handler: picks the context as {@link SniHandler} does, and records on
 * the connection what its handshake established ({@link ConnectionTls}): which client certificate
 * validation the chosen context enforced, and the verified client certificate's details. The
 * router compares the first with the request's host (421 when they differ); the proxy forwards
 * the second.
 */
public final class ClientCertificateSniHandler extends SniHandler {
  /** Set on the connection once its handshake succeeded. */
  public static final AttributeKey<ConnectionTls> CONNECTION_TLS =
      AttributeKey.valueOf(ClientCertificateSniHandler.class, "connectionTls");

  /**
   * @param mapping the certificates by SNI name; when it can also answer asynchronously (the
   *     {@link CertificateStore}: a context not yet built is built off the event loop) it is asked
   *     that way, and the handshake waits for the answer
   */
  public ClientCertificateSniHandler(
      Mapping<? super String, ? extends SslContext> mapping, int maxClientHelloLength,
      long handshakeTimeoutMillis) {
    super(async(mapping), maxClientHelloLength, handshakeTimeoutMillis);
  }

  @SuppressWarnings("unchecked")
  private static AsyncMapping<? super String, ? extends SslContext> async(
      Mapping<? super String, ? extends SslContext> mapping) {
    if (mapping instanceof AsyncMapping<?, ?> async) {
      return (AsyncMapping<? super String, ? extends SslContext>) async;
    }
    return (String name, Promise<SslContext> promise) -> {
      try {
        return promise.setSuccess(mapping.map(name));
      } catch (Throwable e) {
        return promise.setFailure(e);
      }
    };
  }

  /**
   * What the handshake of {@code channel} (or of the connection an HTTP/2 stream belongs to)
   * established; null on a plain connection or before the handshake.
   */
  public static ConnectionTls of(Channel channel) {
    ConnectionTls tls = channel.attr(CONNECTION_TLS).get();
    if (tls == null && channel.parent() != null && !(channel.parent() instanceof io.netty.channel.ServerChannel)) {
      tls = channel.parent().attr(CONNECTION_TLS).get();
    }
    return tls;
  }

  @Override
  protected void replaceHandler(ChannelHandlerContext ctx, String hostname, SslContext sslContext)
      throws Exception {
    super.replaceHandler(ctx, hostname, sslContext);
    ClientValidation validation = ServerContexts.clientValidation(sslContext);
    Channel channel = ctx.channel();
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    if (ssl == null) {
      return;
    }
    ssl.handshakeFuture().addListener(f -> {
      if (f.isSuccess()) {
        channel.attr(CONNECTION_TLS).set(new ConnectionTls(
            validation, validation == null ? null : clientCertificate(ssl.engine().getSession())));
      }
    });
  }

  private static String clientCertificate(SSLSession session) {
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate leaf
          ? ForwardedClientCert.format(leaf) : null;
    } catch (SSLPeerUnverifiedException e) {
      return null; // optional validation, and the client sent none
    }
  }
}
