import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A demo backend for the quick start, run straight from source (no build):
 *
 * <pre>
 * java examples/backends/DemoBackend.java --port 19001 --name hello
 * </pre>
 *
 * <p>Every request is answered with 200 and a plain-text description of what arrived: the
 * backend's name, the method, the path as the backend saw it (after any rewrite), every request
 * header (so X-Forwarded-For, X-Request-Id and headers set by a route are visible), and the body,
 * echoed back (at most 1 MiB). {@code ?status=NNN} picks another status code. Listens on
 * 127.0.0.1 only unless {@code --bind} says otherwise.
 */
public final class DemoBackend {
  private static final int MAX_ECHO_BYTES = 1 << 20;

  public static void main(String[] args) throws IOException {
    int port = 19001;
    String name = "demo";
    String bind = "127.0.0.1";
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(require(args[i], value));
        case "--name" -> name = require(args[i], value);
        case "--bind" -> bind = require(args[i], value);
        default -> fail("unknown flag " + args[i] + " (flags: --port N --name NAME --bind ADDR)");
      }
      i++;
    }
    String backendName = name;
    HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 128);
    ExecutorService workers = Executors.newFixedThreadPool(8);
    server.setExecutor(workers);
    server.createContext("/", exchange -> answer(exchange, backendName));
    server.start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.stop(0);
                  workers.shutdownNow();
                }));
    System.out.println("demo backend '" + name + "' listening on http://" + bind + ":" + port);
  }

  private static void answer(HttpExchange exchange, String name) throws IOException {
    try (exchange) {
      byte[] body = readCapped(exchange.getRequestBody());
      StringBuilder text = new StringBuilder();
      text.append("backend: ").append(name).append('\n');
      text.append("method: ").append(exchange.getRequestMethod()).append('\n');
      text.append("path: ").append(exchange.getRequestURI().getRawPath()).append('\n');
      String query = exchange.getRequestURI().getRawQuery();
      if (query != null) {
        text.append("query: ").append(query).append('\n');
      }
      text.append("headers:\n");
      Map<String, List<String>> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      sorted.putAll(exchange.getRequestHeaders());
      sorted.forEach(
          (header, values) ->
              values.forEach(
                  v -> text.append("  ").append(header.toLowerCase()).append(": ").append(v).append('\n')));
      if (body.length > 0) {
        text.append("body:\n").append(new String(body, StandardCharsets.UTF_8)).append('\n');
      }
      byte[] out = text.toString().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.getResponseHeaders().set("X-Backend", name);
      int status = statusFrom(query);
      boolean head = exchange.getRequestMethod().equalsIgnoreCase("HEAD");
      exchange.sendResponseHeaders(status, head ? -1 : out.length);
      if (!head) {
        try (OutputStream os = exchange.getResponseBody()) {
          os.write(out);
        }
      }
    }
  }

  private static int statusFrom(String query) {
    if (query != null) {
      for (String pair : query.split("&")) {
        if (pair.startsWith("status=")) {
          try {
            int status = Integer.parseInt(pair.substring(7));
            if (status >= 200 && status <= 599) {
              return status;
            }
          } catch (NumberFormatException ignored) {
            // fall through to 200
          }
        }
      }
    }
    return 200;
  }

  /** Reads the body, keeping at most MAX_ECHO_BYTES but draining the rest so keep-alive works. */
  private static byte[] readCapped(InputStream in) throws IOException {
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    int n;
    while ((n = in.read(chunk)) > 0) {
      int room = MAX_ECHO_BYTES - kept.size();
      if (room > 0) {
        kept.write(chunk, 0, Math.min(n, room));
      }
    }
    return kept.toByteArray();
  }

  private static String require(String flag, String value) {
    if (value == null) {
      fail(flag + " needs a value");
    }
    return value;
  }

  private static void fail(String message) {
    System.err.println("DemoBackend: " + message);
    System.exit(2);
  }
}
