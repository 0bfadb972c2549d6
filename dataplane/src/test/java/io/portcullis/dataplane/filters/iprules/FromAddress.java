package io.portcullis.dataplane.filters.iprules;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 requests from a chosen source address: a socket bound to another loopback address
 * (all of 127/8 is loopback on Linux) reaches the proxy as another client. The JDK HTTP client
 * of Java 17 cannot choose its local address.
 */
final class FromAddress {
  private FromAddress() {}

  /** The response's status line and body (head dropped), for {@code GET path} to {@code host}. */
  static String get(String source, int port, String host, String path) throws Exception {
    try (Socket socket = new Socket()) {
      socket.setSoTimeout(10_000);
      socket.bind(new InetSocketAddress(source, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(all);
      String response = all.toString(StandardCharsets.UTF_8);
      int headEnd = response.indexOf("\r\n\r\n");
      return response.substring(0, response.indexOf("\r\n")) + "\n" + response.substring(headEnd + 4);
    }
  }

  /** The status code of what {@link #get} returned. */
  static int status(String response) {
    return Integer.parseInt(response.substring(9, 12));
  }
}
