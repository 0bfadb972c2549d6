package io.portcullis.operator.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP backend on loopback that answers with its name and the path it was asked for. Like
 * pods, several can share one port on distinct loopback addresses (127.0.0.0/8), so one
 * EndpointSlice port serves them all. It can be told to {@link #hold} requests unanswered, so that
 * stopping it cuts requests in flight.
 */
final class LoopbackBackend implements AutoCloseable {
  private final HttpServer server;
  private final String name;
  private final AtomicInteger requests = new AtomicInteger();
  /** Handlers on their own threads: a held request must not block the server's dispatcher. */
  private final ExecutorService handlers = Executors.newCachedThreadPool();
  private volatile boolean holding;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final AtomicInteger held = new AtomicInteger();

  LoopbackBackend(String name) throws IOException {
    this(name, InetAddress.getLoopbackAddress(), 0);
  }

  /** Listens on {@code address:port} (port 0 picks a free one). */
  LoopbackBackend(String name, InetAddress address, int port) throws IOException {
    this.name = name;
    this.server = HttpServer.create(new InetSocketAddress(address, port), 64);
    server.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          try (InputStream in = exchange.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
          }
          if (holding) {
            held.incrementAndGet();
            try {
              closed.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            exchange.close(); // the connection is gone by now
            return;
          }
          byte[] body =
              (name + " " + exchange.getRequestURI().getRawPath()).getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/plain");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.setExecutor(handlers);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** The address it listens on, as an EndpointSlice lists it. */
  String address() {
    return server.getAddress().getAddress().getHostAddress();
  }

  /** From now on requests are read and never answered until {@link #close}. */
  void hold() {
    holding = true;
  }

  /** Requests read and left unanswered by {@link #hold}. */
  int held() {
    return held.get();
  }

  String name() {
    return name;
  }

  int requests() {
    return requests.get();
  }

  /**
   * Stops at once, as a killed pod does: the listening socket and every open connection, idle
   * keep-alive ones included, are closed without waiting for exchanges to finish.
   */
  @Override
  public void close() {
    server.stop(0);
    closed.countDown();
    handlers.shutdown();
  }
}
