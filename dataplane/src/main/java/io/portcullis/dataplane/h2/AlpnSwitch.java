package io.portcullis.dataplane.h2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Behind the TLS handler: once the handshake is done, sets up HTTP/2 when ALPN agreed on {@code
 * h2}, else HTTP/1.1 (also for clients that offered no ALPN at all).
 */
public final class AlpnSwitch extends ApplicationProtocolNegotiationHandler {
  private static final Logger log = LoggerFactory.getLogger(AlpnSwitch.class);

  private final Consumer<ChannelPipeline> http1;
  private final Consumer<ChannelPipeline> http2;

  public AlpnSwitch(Consumer<ChannelPipeline> http1, Consumer<ChannelPipeline> http2) {
    super(ApplicationProtocolNames.HTTP_1_1);
    this.http1 = http1;
    this.http2 = http2;
  }

  @Override
  protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
      http2.accept(ctx.pipeline());
    } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
      http1.accept(ctx.pipeline());
      // The HTTP/1.1 handlers joined an open connection: tell them it is open (they count it).
      ctx.fireChannelActive();
    } else {
      throw new IllegalStateException("unexpected ALPN protocol " + protocol);
    }
  }

  @Override
  protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
    // Counted by the handshake metrics; not worth a warning per scanner or broken client.
    log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
