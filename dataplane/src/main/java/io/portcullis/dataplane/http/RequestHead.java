package io.portcullis.dataplane.http;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * What the router looks at in a request, independent of the HTTP version.
 *
 * @param scheme {@code http} or {@code https}: the scheme the client used
 * @param host the Host header or :authority, as sent (any case, may carry a port), or null
 * @param path the path as sent, without the query string, starting with {@code /}
 * @param query the query string without {@code ?}, or null
 * @param method upper-case method
 * @param headers lookup of request headers by lower-case name
 * @param tls what the connection's TLS handshake established; null on plain HTTP (and from
 *     callers that do not know, which the TLS router treats as "no client certificate")
 */
public record RequestHead(
    String scheme,
    String host,
    String path,
    String query,
    String method,
    HeaderLookup headers,
    ConnectionTls tls) {

  /** A request head without TLS details. */
  public RequestHead(
      String scheme, String host, String path, String query, String method, HeaderLookup headers) {
    this(scheme, host, path, query, method, headers, null);
  }

  /** Reads request headers by lower-case name; null when absent. */
  @FunctionalInterface
  public interface HeaderLookup {
    String get(String lowerCaseName);

    /**
     * Every field of a header, in order (a {@code Cookie} header may come as several fields);
     * this default knows only the one {@link #get} returns.
     */
    default List<String> getAll(String lowerCaseName) {
      String value = get(lowerCaseName);
      return value == null ? List.of() : List.of(value);
    }

    /** A lookup over Netty's headers, every field of a name included. */
    static HeaderLookup of(HttpHeaders headers) {
      return new HeaderLookup() {
        @Override
        public String get(String lowerCaseName) {
          return headers.get(lowerCaseName);
        }

        @Override
        public List<String> getAll(String lowerCaseName) {
          return headers.getAll(lowerCaseName);
        }
      };
    }
  }
}
