package io.portcullis.dataplane.proxy;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.snapshot.Endpoint;
import java.util.function.Consumer;

/**
 * Reads a response nobody will see (a retried 503, a mirror's answer) to its end and releases
 * every part, then returns the connection to the pool when it can carry another request, else
 * closes it. A stuck response is cut by the connection's idle timeout.
 */
final class DiscardingListener implements UpstreamHandler.Listener {
  private final Upstreams connector;
  private final Endpoint endpoint;
  private final Channel channel;
  private final UpstreamHandler handler;
  private final Consumer<Boolean> done;
  private boolean reusable;
  private boolean finished;

  /**
   * @param reusable whether the request was completely sent, so the connection may be reused once
   *     the response ends (a keep-alive response is still required)
   * @param done told once: true when the response ended, false when the connection failed first
   */
  DiscardingListener(
      Upstreams connector, Endpoint endpoint, Channel channel, boolean reusable,
      Consumer<Boolean> done) {
    this.connector = connector;
    this.endpoint = endpoint;
    this.channel = channel;
    this.handler = UpstreamHandler.of(channel);
    this.reusable = reusable;
    this.done = done;
  }

  /** Takes the connection over from whoever listened before. */
  DiscardingListener attach() {
    handler.attach(this);
    channel.config().setAutoRead(true);
    return this;
  }

  @Override
  public void onResponse(HttpObject msg) {
    try {
      if (finished) {
        return;
      }
      if (msg.decoderResult().isFailure()) {
        finish(false);
        return;
      }
      if (msg instanceof HttpResponse response) {
        int code = response.status().code();
        if (code >= 100 && code < 200) {
          return; // informational; the final head follows
        }
        reusable &= HttpUtil.isKeepAlive(response);
      }
      if (msg instanceof LastHttpContent) {
        finish(true);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void finish(boolean ended) {
    finished = true;
    handler.detach();
    if (ended && reusable && channel.isActive()) {
      connector.release(channel.eventLoop(), endpoint, channel);
    } else {
      channel.close();
    }
    done.accept(ended);
  }

  @Override
  public void onResponseReadComplete() {}

  @Override
  public void onUpstreamWritabilityChanged() {}

  @Override
  public void onUpstreamClosed() {
    if (!finished) {
      finished = true;
      done.accept(false);
    }
  }

  /** Gives up on a response that takes too long (a hanging shadow). */
  void timeout() {
    if (!finished) {
      finish(false);
    }
  }

  @Override
  public void onUpstreamIdle() {
    if (!finished) {
      finish(false);
    }
  }
}
