package io.portcullis.dataplane.proxy;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.snapshot.HeaderRewrite;

/**
 * Runs a proxy to {@code 127.0.0.1:<args[0]>} in a child JVM with a small heap and direct-memory
 * limit; prints {@code PORT <n>} and runs until stdin closes.
 */
public final class StreamingProxyMain {
  public static void main(String[] args) throws Exception {
    int backendPort = Integer.parseInt(args[0]);
    ProxyServer proxy =
        new ProxyServer(
            ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(1).build(),
            head -> ProxyServerTest.forward(head, backendPort, HeaderRewrite.NONE, HeaderRewrite.NONE),
            new ProxyMetrics());
    System.out.println("PORT " + proxy.start());
    System.out.flush();
    while (System.in.read() >= 0) {
      // wait for the parent to close stdin
    }
    proxy.close();
  }
}
