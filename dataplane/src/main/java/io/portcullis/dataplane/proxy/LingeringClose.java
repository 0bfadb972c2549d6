package io.portcullis.dataplane.proxy;

import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection after an error answer without losing the answer: closing a socket that still
 * has unread input makes the kernel send a reset, and the client may never see our response. So we
 * send FIN first, keep draining input, and close when the client does or after a short linger.
 */
final class LingeringClose {
  static final long LINGER_MILLIS = 2000;

  private LingeringClose() {}

  static void close(Channel ch) {
    if (!ch.isActive()) {
      return;
    }
    if (ch instanceof DuplexChannel duplex) {
      duplex.shutdownOutput();
      ch.eventLoop().schedule(() -> { ch.close(); }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
    } else {
      ch.close();
    }
  }
}
