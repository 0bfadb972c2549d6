package io.portcullis.dataplane.proxy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.portcullis.dataplane.http.ConnectionTls;
import io.portcullis.dataplane.tls.ForwardedClientCert;
import io.portcullis.snapshot.HeaderRewrite;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How headers change on the way through the proxy. Pure functions over Netty headers.
 *
 * <p>{@code Proxy-Authorization} is kept: a reverse proxy is not the proxy those credentials are
 * addressed to (a client's forward proxy strips them before they reach us), and backends that use
 * the header for their own scheme would break if it vanished. nginx does the same.
 */
final class HeaderPolicy {
  // Names as AsciiString, whose hash is computed once: a String name is hashed on every lookup.
  static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
  static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
  private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
  private static final int MAX_REQUEST_ID_LENGTH = 128;
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private HeaderPolicy() {}

  /**
   * Removes the hop-by-hop headers: {@code Connection} and every name it lists, {@code Keep-Alive},
   * {@code Proxy-Connection}, {@code TE}, {@code Trailer}, {@code Transfer-Encoding} (the encoder
   * re-frames the body) and {@code Upgrade} unless {@code keepUpgrade}.
   */
  static void removeHopByHop(HttpHeaders headers, boolean keepUpgrade) {
    // contains() first: getAll() builds a list even when there is nothing to find.
    if (headers.contains(HttpHeaderNames.CONNECTION)) {
      List<String> connections = headers.getAll(HttpHeaderNames.CONNECTION);
      for (int i = 0; i < connections.size(); i++) {
        removeNamedIn(connections.get(i), headers, keepUpgrade);
      }
    }
    headers.remove(HttpHeaderNames.CONNECTION);
    headers.remove(HttpHeaderNames.KEEP_ALIVE);
    headers.remove(PROXY_CONNECTION);
    headers.remove(HttpHeaderNames.TE);
    headers.remove(HttpHeaderNames.TRAILER);
    headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    if (!keepUpgrade) {
      headers.remove(HttpHeaderNames.UPGRADE);
    }
  }

  /**
   * Removes the fields a Connection value names (a comma-separated token list). Header removal
   * ignores case; the usual tokens ({@code keep-alive}, {@code close}) cost no substring: the
   * first is removed below anyway and the second names no field.
   */
  private static void removeNamedIn(String value, HttpHeaders headers, boolean keepUpgrade) {
    int start = 0;
    while (start <= value.length()) {
      int comma = value.indexOf(',', start);
      int end = comma < 0 ? value.length() : comma;
      int from = start;
      while (from < end && isWhitespace(value.charAt(from))) {
        from++;
      }
      int to = end;
      while (to > from && isWhitespace(value.charAt(to - 1))) {
        to--;
      }
      if (from < to
          && !isToken(value, from, to, "keep-alive")
          && !isToken(value, from, to, "close")
          && !(keepUpgrade && isToken(value, from, to, "upgrade"))) {
        headers.remove(value.substring(from, to));
      }
      start = end + 1;
    }
  }

  private static boolean isToken(String value, int from, int to, String token) {
    return to - from == token.length() && value.regionMatches(true, from, token, 0, token.length());
  }

  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t';
  }

  /**
   * True when the request asks to switch protocols in a way we tunnel: {@code Connection: upgrade}
   * plus an {@code Upgrade} header. {@code h2c} is excluded: HTTP/2 belongs to the listener, not to
   * a byte tunnel.
   */
  static boolean isUpgradeRequest(HttpHeaders headers) {
    String upgrade = headers.get(HttpHeaderNames.UPGRADE);
    if (upgrade == null || upgrade.isBlank() || upgrade.trim().equalsIgnoreCase("h2c")) {
      return false;
    }
    return headers.containsValue(HttpHeaderNames.CONNECTION, "upgrade", true);
  }

  /**
   * The headers to send upstream.
   *
   * @param incoming the client's headers (not modified)
   * @param forwardedFor the {@code X-Forwarded-For} to send (see {@code ForwardedFor})
   * @param scheme {@code http} or {@code https}
   * @param requestId the request id to send
   * @param upgrade whether this request is tunnelled (keeps {@code Upgrade}, sets {@code
   *     Connection: upgrade})
   */
  static HttpHeaders upstreamRequestHeaders(
      HttpHeaders incoming,
      String forwardedFor,
      String scheme,
      String requestId,
      HeaderRewrite rewrite,
      boolean upgrade) {
    HttpHeaders out = new DefaultHttpHeaders();
    out.set(incoming);
    toUpstreamRequestHeaders(out, forwardedFor, scheme, requestId, rewrite, upgrade);
    return out;
  }

  /**
   * Like {@link #upstreamRequestHeaders} but turns the client's headers into the upstream ones in
   * place: the proxy owns the decoded request, and copying every header per request was a
   * measurable share of its CPU. Read whatever else you need from the client's headers first.
   */
  static void toUpstreamRequestHeaders(
      HttpHeaders headers,
      String forwardedFor,
      String scheme,
      String requestId,
      HeaderRewrite rewrite,
      boolean upgrade) {
    // Before removeHopByHop: Connection may list (and so remove) any of these.
    String host = headers.get(HttpHeaderNames.HOST);
    removeHopByHop(headers, upgrade);
    // The proxy answers Expect: 100-continue itself (see ProxyHandler), so the backend never does.
    headers.remove(HttpHeaderNames.EXPECT);
    headers.set(X_FORWARDED_FOR, forwardedFor);
    headers.set(X_FORWARDED_PROTO, scheme);
    if (host != null) {
      headers.set(X_FORWARDED_HOST, host);
    } else {
      headers.remove(X_FORWARDED_HOST);
    }
    headers.set(X_REQUEST_ID, requestId);
    applyRewrite(headers, rewrite);
    if (upgrade) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE);
    }
  }

  /**
   * Replaces whatever {@code x-forwarded-client-cert} the client sent (never trusted: only the
   * proxy vouches for a certificate) with the details of the certificate the connection's
   * handshake verified, if any.
   */
  static void setForwardedClientCert(HttpHeaders headers, ConnectionTls tls) {
    headers.remove(ForwardedClientCert.HEADER);
    if (tls != null && tls.forwardedClientCert() != null) {
      headers.set(ForwardedClientCert.HEADER, tls.forwardedClientCert());
    }
  }

  /**
   * Turns the backend's response headers into the client's: hop-by-hop removed, the route's
   * rewrite applied, {@code X-Request-Id} echoed.
   */
  static void downstreamResponseHeaders(
      HttpHeaders headers, String requestId, HeaderRewrite rewrite, boolean upgrade) {
    removeHopByHop(headers, upgrade);
    applyRewrite(headers, rewrite);
    headers.set(X_REQUEST_ID, requestId);
    if (upgrade) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE);
    }
  }

  /** Removes then sets, as {@link HeaderRewrite} specifies. */
  static void applyRewrite(HttpHeaders headers, HeaderRewrite rewrite) {
    if (rewrite == null || rewrite.isEmpty()) {
      return;
    }
    for (String name : rewrite.remove()) {
      headers.remove(name);
    }
    for (Map.Entry<String, String> e : rewrite.set().entrySet()) {
      headers.set(e.getKey(), e.getValue());
    }
  }

  /**
   * The client's request id when it is sane (1..128 visible characters from a conservative set,
   * a single value), else a fresh random one.
   */
  static String requestId(HttpHeaders incoming) {
    List<String> ids = incoming.getAll(X_REQUEST_ID);
    if (ids.size() == 1 && isSaneRequestId(ids.get(0))) {
      return ids.get(0);
    }
    return newRequestId();
  }

  static boolean isSaneRequestId(String id) {
    if (id.isEmpty() || id.length() > MAX_REQUEST_ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || c == '-' || c == '_' || c == '.' || c == ':' || c == '+' || c == '/' || c == '=';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** 128 random bits as 32 hex digits; ThreadLocalRandom: cheap, uncontended, not a secret. */
  static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    byte[] out = new byte[32]; // Latin-1 bytes: the String keeps them as they are
    long a = r.nextLong();
    long b = r.nextLong();
    for (int i = 0; i < 16; i++) {
      out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xf];
      out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xf];
    }
    return new String(out, StandardCharsets.ISO_8859_1);
  }
}
