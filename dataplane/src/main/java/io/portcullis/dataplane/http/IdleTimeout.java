package io.portcullis.dataplane.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Fires an all-idle {@link IdleStateEvent} when a connection has neither read nor written for the
 * timeout, and again every timeout while it stays idle; whoever handles the event closes.
 *
 * <p>What Netty's {@code IdleStateHandler(0, 0, timeout)} does, minus its cost on every write: to
 * see a write complete it turns the write's void promise into a real one and adds a listener,
 * three objects per write on both sides of every exchange (about 4% of the bytes a small proxied
 * request allocates). Here a flush counts as activity, and so does the channel becoming writable
 * again: a peer that stops reading makes us stop writing (back-pressure), so it goes idle as it
 * should, while one that reads slowly keeps the connection alive through the writes its reading
 * allows. Activity only moves a {@link LazyDeadline}; one timer is queued at a time.
 */
public final class IdleTimeout extends ChannelDuplexHandler {
  private final long timeoutNanos;
  private LazyDeadline deadline;
  private boolean firstEvent = true;

  public IdleTimeout(long timeoutNanos) {
    if (timeoutNanos <= 0) {
      throw new IllegalArgumentException("timeoutNanos must be positive: " + timeoutNanos);
    }
    this.timeoutNanos = timeoutNanos;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    deadline = new LazyDeadline(ctx.executor(), () -> idle(ctx));
    if (ctx.channel().isActive()) {
      deadline.arm(timeoutNanos);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    deadline.arm(timeoutNanos);
    super.channelActive(ctx);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    active();
    super.channelReadComplete(ctx);
  }

  @Override
  public void flush(ChannelHandlerContext ctx) throws Exception {
    active();
    super.flush(ctx);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    active();
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    deadline.cancel();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    deadline.cancel();
  }

  private void active() {
    firstEvent = true;
    deadline.arm(timeoutNanos);
  }

  private void idle(ChannelHandlerContext ctx) {
    if (!ctx.channel().isActive()) {
      return;
    }
    IdleStateEvent event =
        firstEvent ? IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT : IdleStateEvent.ALL_IDLE_STATE_EVENT;
    firstEvent = false;
    deadline.arm(timeoutNanos); // again after another timeout, if nobody closes
    ctx.fireUserEventTriggered(event);
  }
}
