package io.portcullis.transport;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a dead peer on an HTTP/2 connection. An {@link IdleStateHandler} at the socket end of the
 * pipeline reports write silence (we send a PING, which a live peer must answer) and read silence
 * (nothing, not even a PING ack, for three intervals: we close). Sits right after the frame codec;
 * {@link StreamPipeline} puts both in place. Both ends of the snapshot stream use it.
 */
public final class Keepalive extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(Keepalive.class);

  private long pings;

  /** The idle detector to put first in the pipeline, for a PING every {@code intervalMillis}. */
  public static IdleStateHandler idleStateHandler(long intervalMillis) {
    return new IdleStateHandler(3 * intervalMillis, intervalMillis, 0, TimeUnit.MILLISECONDS);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent idle) {
      switch (idle.state()) {
        case WRITER_IDLE -> ctx.writeAndFlush(new DefaultHttp2PingFrame(++pings));
        case READER_IDLE -> {
          log.warn("stream peer {} silent for three keepalive intervals, closing",
              ctx.channel().remoteAddress());
          ctx.close();
        }
        default -> { }
      }
      return;
    }
    super.userEventTriggered(ctx, evt);
  }
}
