package io.portcullis.operator.compile;

/**
 * A Service port named by namespace, name and port number or port name.
 *
 * @param port a number ({@code "80"}) or a port name ({@code "http"})
 */
public record ServiceRef(String namespace, String name, String port) {

  /**
   * Parses {@code namespace/service:port}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static ServiceRef parse(String text) {
    int slash = text.indexOf('/');
    int colon = text.lastIndexOf(':');
    if (slash <= 0 || colon <= slash + 1 || colon == text.length() - 1) {
      throw new IllegalArgumentException("expected namespace/service:port, got '" + text + "'");
    }
    return new ServiceRef(
        text.substring(0, slash), text.substring(slash + 1, colon), text.substring(colon + 1));
  }

  @Override
  public String toString() {
    return namespace + "/" + name + ":" + port;
  }
}
