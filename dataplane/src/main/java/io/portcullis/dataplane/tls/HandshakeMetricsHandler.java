package io.portcullis.dataplane.tls;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.portcullis.dataplane.admin.ProxyMetrics;

/**
 * Counts how TLS handshakes end, and removes itself once one has: it sits behind the SNI handler
 * on the HTTPS listener and costs nothing per request.
 */
@Sharable
public final class HandshakeMetricsHandler extends ChannelInboundHandlerAdapter {
  private final ProxyMetrics metrics;

  public HandshakeMetricsHandler(ProxyMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SniCompletionEvent sni && !sni.isSuccess()) {
      metrics.tlsHandshake("no_certificate", "none");
      ctx.pipeline().remove(this);
    } else if (evt instanceof SslHandshakeCompletionEvent done) {
      String protocol = "none";
      SslHandler ssl = ctx.pipeline().get(SslHandler.class);
      if (done.isSuccess() && ssl != null && ssl.engine().getSession() != null) {
        protocol = ssl.engine().getSession().getProtocol();
      }
      metrics.tlsHandshake(done.isSuccess() ? "ok" : "failed", protocol);
      ctx.pipeline().remove(this);
    }
    super.userEventTriggered(ctx, evt);
  }

  /** Before the handshake, an exception is a failed one (not TLS at all, a malformed hello). */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    metrics.tlsHandshake("failed", "none");
    ctx.pipeline().remove(this);
    super.exceptionCaught(ctx, cause);
  }
}
