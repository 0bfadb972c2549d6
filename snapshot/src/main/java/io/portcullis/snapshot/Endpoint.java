package io.portcullis.snapshot;

/**
 * One backend address.
 *
 * @param address IPv4 or IPv6 literal (or a host name in local mode)
 * @param port TCP port
 */
public record Endpoint(String address, int port) {
  public Endpoint {
    Sorted.requireText(address, "endpoint address");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("endpoint port out of range: " + port);
    }
  }

  @Override
  public String toString() {
    return address.indexOf(':') >= 0 ? "[" + address + "]:" + port : address + ":" + port;
  }
}
