package io.portcullis.operator.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The operator's small HTTP endpoint: {@code /metrics} (Prometheus text), {@code /routes} (what
 * the published snapshot serves, see {@link RouteListing}), {@code /healthz}
 * (the process is alive) and {@code /readyz} (the source has synced and a snapshot is published).
 * The JDK's HTTP server is plenty for a scrape every few seconds; one thread serves it.
 */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  public MetricsServer(InetSocketAddress bind, PrometheusRegistry registry, BooleanSupplier ready)
      throws IOException {
    this(bind, registry, ready, () -> "");
  }

  /**
   * @param routes the text of {@code /routes} ({@link RouteListing}), read on each request
   */
  public MetricsServer(InetSocketAddress bind, PrometheusRegistry registry, BooleanSupplier ready,
      Supplier<String> routes) throws IOException {
    PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    server = HttpServer.create(bind, 16);
    executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "metrics-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext(
        "/metrics",
        exchange -> {
          ByteArrayOutputStream body = new ByteArrayOutputStream();
          writer.write(body, registry.scrape());
          respond(exchange, 200, writer.getContentType(), body.toByteArray());
        });
    server.createContext(
        "/routes",
        exchange -> respond(exchange, 200, "text/plain; charset=utf-8",
            routes.get().getBytes(StandardCharsets.UTF_8)));
    server.createContext(
        "/healthz",
        exchange -> respond(exchange, 200, "text/plain", "ok\n".getBytes(StandardCharsets.UTF_8)));
    server.createContext(
        "/readyz",
        exchange -> {
          boolean ok = ready.getAsBoolean();
          respond(
              exchange,
              ok ? 200 : 503,
              "text/plain",
              (ok ? "ready\n" : "not ready\n").getBytes(StandardCharsets.UTF_8));
        });
  }

  /** Starts serving; returns the bound port (useful with port 0). */
  public int start() {
    server.start();
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private static void respond(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    try (exchange) {
      // Exact paths only: the JDK server matches contexts by prefix.
      String path = exchange.getRequestURI().getPath();
      if (!path.equals(exchange.getHttpContext().getPath())) {
        status = 404;
        type = "text/plain";
        body = "not found\n".getBytes(StandardCharsets.UTF_8);
      }
      exchange.getResponseHeaders().set("Content-Type", type);
      boolean head = "HEAD".equals(exchange.getRequestMethod());
      exchange.sendResponseHeaders(status, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }
}
