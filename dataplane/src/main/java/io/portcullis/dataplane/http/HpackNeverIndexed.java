package io.portcullis.dataplane.http;

import io.netty.handler.codec.http2.Http2HeadersEncoder.SensitivityDetector;
import io.netty.util.AsciiString;

/**
 * The header fields Portcullis's HPACK encoders send as "never indexed" literals (RFC 7541 §6.2.3)
 * instead of adding them to the connection's dynamic table.
 *
 * <ul>
 *   <li>Credentials: {@code authorization}, {@code proxy-authorization}, {@code cookie}, {@code
 *       set-cookie}. A backend connection carries the requests of many clients, and a compression
 *       context shared between them lets one client guess another's secret from the size of its own
 *       header blocks (RFC 7541 §7.1, "HPACK-based attacks"); §7.1.3 asks for never-indexed literals
 *       for exactly these fields. Never indexed also tells a further intermediary to keep them out of
 *       its own table.
 *   <li>{@code x-request-id}: a new value on every request and response, so indexing it only
 *       evicts entries that would be reused (content-type, server, cache-control, ...) and costs an
 *       insert and an eviction per message.
 * </ul>
 */
public final class HpackNeverIndexed implements SensitivityDetector {
  public static final HpackNeverIndexed INSTANCE = new HpackNeverIndexed();

  private static final AsciiString[] NAMES = {
    AsciiString.cached("authorization"),
    AsciiString.cached("proxy-authorization"),
    AsciiString.cached("cookie"),
    AsciiString.cached("set-cookie"),
    AsciiString.cached("x-request-id"),
  };

  private HpackNeverIndexed() {}

  @Override
  public boolean isSensitive(CharSequence name, CharSequence value) {
    for (AsciiString n : NAMES) {
      if (n.contentEqualsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }
}
