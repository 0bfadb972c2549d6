package io.portcullis.dataplane.clientaddress;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.portcullis.dataplane.clientaddress.ClientAddressMetrics.ProxyProtocolFailure;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Behind Netty's {@code HAProxyMessageDecoder}: takes the decoded PROXY header, records the client
 * address it names, counts the connection against the per-client limit, and leaves the pipeline,
 * so the bytes after the header reach TLS or HTTP as if the header had never been there.
 *
 * <p>A header is required: a connection that sends anything else, a header of a version the
 * listener does not allow, or nothing complete within the header-read timeout is closed without
 * an answer (nothing was parsed that an HTTP status could answer). A {@code LOCAL} header (the
 * balancer's own health check) and a source that is not an IP address ({@code UNKNOWN}, a UNIX
 * socket) leave the TCP peer as the client.
 */
final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ProxyProtocolHandler.class);

  private final ConnectionAdmission admission;
  private final ProxyProtocol allowed;
  private final long timeoutNanos;
  private final ClientAddressMetrics metrics;
  private ScheduledFuture<?> timeout;
  /** Refused and closing: whatever still arrives is dropped. */
  private boolean refused;

  ProxyProtocolHandler(ConnectionAdmission admission, ProxyProtocol allowed, long timeoutNanos,
      ClientAddressMetrics metrics) {
    this.admission = admission;
    this.allowed = allowed;
    this.timeoutNanos = timeoutNanos;
    this.metrics = metrics;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    timeout = ctx.executor().schedule(
        () -> refuse(ctx, ProxyProtocolFailure.TIMEOUT, "no PROXY header in time"),
        timeoutNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!(msg instanceof HAProxyMessage header)) {
      // The decoder passes nothing on before a header; defensive all the same.
      ReferenceCountUtil.release(msg);
      refuse(ctx, ProxyProtocolFailure.INVALID, "data before the PROXY header");
      return;
    }
    try {
      accept(ctx, header);
    } finally {
      header.release();
    }
  }

  private void accept(ChannelHandlerContext ctx, HAProxyMessage header) {
    if (!allowed.allows(header.protocolVersion())) {
      refuse(ctx, ProxyProtocolFailure.VERSION,
          "PROXY " + header.protocolVersion() + " header, but --proxy-protocol="
              + allowed.flagValue());
      return;
    }
    cancelTimeout();
    InetAddress source = source(header);
    if (source != null) {
      ClientAddress.set(ctx.channel(), source);
    }
    if (!admission.count(ctx.channel(), ClientAddress.of(ctx.channel()))) {
      refused = true;
      return;
    }
    ctx.pipeline().remove(this);
  }

  /** The client the header names, or null for "the TCP peer". */
  static InetAddress source(HAProxyMessage header) {
    if (header.command() == HAProxyCommand.LOCAL || header.sourceAddress() == null) {
      return null;
    }
    return switch (header.proxiedProtocol()) {
      case TCP4, TCP6, UDP4, UDP6 ->
          NetUtil.createInetAddressFromIpAddressString(header.sourceAddress());
      default -> null;
    };
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecoderException) {
      // HAProxyProtocolException: the decoder already closed the connection.
      refuse(ctx, ProxyProtocolFailure.INVALID, cause.getMessage());
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelTimeout();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancelTimeout();
  }

  private void refuse(ChannelHandlerContext ctx, ProxyProtocolFailure why, String detail) {
    if (refused) {
      return;
    }
    refused = true;
    cancelTimeout();
    metrics.proxyProtocolRejected(why);
    log.debug("closing {}: {}", ctx.channel().remoteAddress(), detail);
    ctx.close();
  }

  private void cancelTimeout() {
    if (timeout != null) {
      timeout.cancel(false);
      timeout = null;
    }
  }
}
