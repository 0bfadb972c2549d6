package io.portcullis.dataplane.clientaddress;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.List;

/**
 * {@code X-Forwarded-For}, believed only as far as trusted proxies vouch for it.
 *
 * <p>The client of a request is found like nginx's realip module with {@code real_ip_recursive
 * on}: starting from the connection's address, while the address at hand is a trusted proxy, step
 * one entry left in {@code X-Forwarded-For} (several header lines count as one list, in order).
 * The first untrusted address is the client. An entry that is not an IP address (a host name,
 * {@code unknown}, garbage) stops the walk: the last trusted hop is the client, since nothing
 * trustworthy names anyone further left. When every entry is trusted, the leftmost is the client.
 * Entries may carry a port ({@code 1.2.3.4:80}, {@code [2001:db8::1]:80}), which is ignored.
 *
 * <p>Upstream, {@code X-Forwarded-For} is rebuilt so a client cannot forge what the backend sees:
 * from a trusted peer, the incoming list is kept and the peer appended (what Envoy does); from
 * anyone else the incoming list is dropped and replaced by the peer's address (what Traefik does
 * for untrusted sources; nginx's {@code proxy_add_x_forwarded_for} would pass the forgery on).
 *
 * <p>RFC 7239 {@code Forwarded} is not read: no load balancer we target sends it instead of
 * {@code X-Forwarded-For}, and believing two headers doubles the ways to be fooled.
 */
public final class ForwardedFor {
  public static final String HEADER = "x-forwarded-for";

  private ForwardedFor() {}

  /**
   * The client address of one request.
   *
   * @param peer the connection's address ({@link ClientAddress#of}); null when unknown
   * @return {@code peer} itself (no allocation) unless it is a trusted proxy
   */
  public static InetAddress client(InetAddress peer, HttpHeaders headers, TrustedProxies trusted) {
    if (trusted.isEmpty() || !trusted.contains(peer) || !headers.contains(HEADER)) {
      return peer;
    }
    InetAddress current = peer;
    List<String> lines = headers.getAll(HEADER);
    for (int line = lines.size() - 1; line >= 0; line--) {
      String value = lines.get(line);
      int end = value.length();
      while (end >= 0) {
        int comma = value.lastIndexOf(',', end - 1);
        String entry = value.substring(comma + 1, Math.max(comma + 1, end)).trim();
        end = comma;
        if (entry.isEmpty()) {
          continue;
        }
        InetAddress hop = parse(entry);
        if (hop == null) {
          return current;
        }
        current = hop;
        if (!trusted.contains(hop)) {
          return hop;
        }
      }
    }
    return current;
  }

  /**
   * The {@code X-Forwarded-For} value to send upstream: the incoming list plus the peer when the
   * peer is a trusted proxy, else the peer alone.
   *
   * @param peer the connection's address; null gives {@code unknown}
   */
  public static String upstreamValue(InetAddress peer, HttpHeaders headers, TrustedProxies trusted) {
    return upstreamValue(peer, null, headers, trusted);
  }

  /**
   * As {@link #upstreamValue(InetAddress, HttpHeaders, TrustedProxies)}, with the peer's text
   * when the caller has it already (null: made here).
   */
  public static String upstreamValue(
      InetAddress peer, String peerText, HttpHeaders headers, TrustedProxies trusted) {
    String self = peer == null ? "unknown" : peerText != null ? peerText : peer.getHostAddress();
    if (!trusted.contains(peer) || !headers.contains(HEADER)) {
      return self;
    }
    String previous = String.join(", ", headers.getAll(HEADER));
    return previous.isBlank() ? self : previous + ", " + self;
  }

  /** An IP literal, with an optional port, or null; never a DNS lookup. */
  static InetAddress parse(String entry) {
    String address = entry;
    if (address.startsWith("[")) {
      int close = address.indexOf(']');
      if (close < 0) {
        return null;
      }
      address = address.substring(1, close);
    } else {
      int colon = address.indexOf(':');
      if (colon >= 0 && colon == address.lastIndexOf(':')) {
        address = address.substring(0, colon); // IPv4 with a port
      }
    }
    return NetUtil.createInetAddressFromIpAddressString(address);
  }
}
