package io.portcullis.waf.model;

import java.util.List;
import java.util.Objects;

/**
 * One request as the WAF sees it, independent of the proxy's HTTP stack.
 *
 * @param method the request method
 * @param uri the request target as sent (path and query, percent-encoding intact)
 * @param protocol {@code HTTP/1.1}, {@code HTTP/2.0}, ...
 * @param headers in arrival order, names as sent
 * @param clientAddress the client's address as text
 * @param body the request body read so far (at most the inspection limit); empty when none
 * @param bodyTruncated true when the body was longer than what is given here
 */
public record WafRequest(
    String method,
    String uri,
    String protocol,
    List<Header> headers,
    String clientAddress,
    byte[] body,
    boolean bodyTruncated) {
  public WafRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    protocol = protocol == null ? "HTTP/1.1" : protocol;
    headers = List.copyOf(headers);
    clientAddress = clientAddress == null ? "" : clientAddress;
    body = body == null ? new byte[0] : body;
  }

  /** A request without a body. */
  public static WafRequest of(String method, String uri, List<Header> headers) {
    return new WafRequest(method, uri, "HTTP/1.1", headers, "127.0.0.1", null, false);
  }

  /** One header line. */
  public record Header(String name, String value) {
    public Header {
      Objects.requireNonNull(name, "name");
      value = value == null ? "" : value;
    }
  }
}
