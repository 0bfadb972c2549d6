package io.portcullis.dataplane.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import javax.net.ssl.SSLHandshakeException;

/** When a new backend connection becomes usable: after TCP connect, and after the TLS handshake. */
public final class Handshakes {
  private Handshakes() {}

  /**
   * Completes {@code usable} with the channel once {@code connect} succeeded and, when the channel
   * has an {@link SslHandler}, its handshake succeeded and ALPN chose {@code requiredProtocol}
   * (null: any, including none).
   */
  public static void whenUsable(
      ChannelFuture connect, String requiredProtocol, Promise<Channel> usable) {
    connect.addListener((ChannelFuture f) -> {
      if (!f.isSuccess()) {
        usable.tryFailure(f.cause());
        return;
      }
      Channel ch = f.channel();
      SslHandler ssl = ch.pipeline().get(SslHandler.class);
      if (ssl == null) {
        usable.trySuccess(ch);
        return;
      }
      Future<Channel> handshake = ssl.handshakeFuture();
      handshake.addListener(h -> {
        if (!h.isSuccess()) {
          ch.close();
          usable.tryFailure(h.cause());
        } else if (requiredProtocol != null && !requiredProtocol.equals(ssl.applicationProtocol())) {
          ch.close();
          usable.tryFailure(new SSLHandshakeException("backend " + ch.remoteAddress()
              + " did not agree to ALPN " + requiredProtocol + " (chose "
              + ssl.applicationProtocol() + ")"));
        } else {
          usable.trySuccess(ch);
        }
      });
    });
  }
}
