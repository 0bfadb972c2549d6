package io.portcullis.dataplane.clientaddress;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The client address of a connection: the source a PROXY protocol header named, else the TCP
 * peer. Kept on the connection's channel; an HTTP/2 stream reads its connection's.
 */
public final class ClientAddress {
  /** Set only when a PROXY header named a source; absent means "the TCP peer". */
  private static final AttributeKey<InetAddress> CONNECTION =
      AttributeKey.valueOf(ClientAddress.class, "connection");

  private ClientAddress() {}

  /** Records the address a PROXY header gave for this connection. */
  static void set(Channel connection, InetAddress address) {
    connection.attr(CONNECTION).set(address);
  }

  /**
   * The connection's client address, or null when the channel has no IP peer (an embedded test
   * channel). Allocates nothing.
   */
  public static InetAddress of(Channel channel) {
    Channel connection = channel instanceof Http2StreamChannel && channel.parent() != null
        ? channel.parent() : channel;
    // hasAttr first: attr() would create an empty attribute on every connection without PROXY.
    if (connection.hasAttr(CONNECTION)) {
      InetAddress proxied = connection.attr(CONNECTION).get();
      if (proxied != null) {
        return proxied;
      }
    }
    return connection.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }
}
