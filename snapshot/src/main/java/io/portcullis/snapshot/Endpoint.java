package io.portcullis.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One backend address.
 *
 * @param address IPv4 or IPv6 literal (or a host name in local mode)
 * @param port TCP port
 * @param terminating the pod is shutting down but still serving (EndpointSlice {@code serving}
 *     and {@code terminating}): it gets no new requests while the cluster has any other endpoint,
 *     and finishes those it has
 */
public record Endpoint(
    String address, int port, @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean terminating) {
  public Endpoint {
    Sorted.requireText(address, "endpoint address");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("endpoint port out of range: " + port);
    }
  }

  /** A ready endpoint. */
  public Endpoint(String address, int port) {
    this(address, port, false);
  }

  @Override
  public String toString() {
    return address.indexOf(':') >= 0 ? "[" + address + "]:" + port : address + ":" + port;
  }
}
