package io.portcullis.dataplane.filters.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.Dataplane;
import io.portcullis.dataplane.DataplaneOptions;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import io.portcullis.snapshot.filter.RateLimitPolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A whole dataplane: its standard filters limit rates, and its admin /metrics counts them. */
class RateLimitMetricsEndpointTest {
  private final HttpClient client = HttpClient.newHttpClient();

  private HttpResponse<String> get(int port, String host, String path) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (host != null) {
      b.header("Host", host);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void rejectionsPerRouteOnMetrics() throws Exception {
    try (TestBackend backend = new TestBackend();
        Dataplane dataplane = Dataplane.start(new DataplaneOptions(URI.create("http://127.0.0.1:1"),
            "rate-node", 0, 0, 0, "127.0.0.1", "info"))) {
      int backendPort = backend.start();
      // A route name of its own: the process-wide bucket store is shared with other tests.
      Route route = Route.of("metrics-test/limited", RouteMatch.path(new PathMatch.Prefix("/")),
          RouteAction.Forward.to("c")).withFilters(List.of(new RateLimitPolicy(1, 3600, 2, null)));
      dataplane.config().apply(Snapshot.of(List.of(new VirtualHost("limited.example.com", List.of(route))),
          List.of(new Cluster("c", List.of(new Endpoint("127.0.0.1", backendPort)))), null));
      int port = dataplane.httpPort();
      assertEquals(200, get(port, "limited.example.com", "/").statusCode());
      assertEquals(200, get(port, "limited.example.com", "/").statusCode());
      assertEquals(429, get(port, "limited.example.com", "/").statusCode());
      String metrics = get(dataplane.adminPort(), null, "/metrics").body();
      assertTrue(metrics.contains(
          "portcullis_rate_limit_requests_total{result=\"allowed\",route=\"metrics-test/limited\"} 2.0"), metrics);
      assertTrue(metrics.contains(
          "portcullis_rate_limit_requests_total{result=\"rejected\",route=\"metrics-test/limited\"} 1.0"), metrics);
      assertTrue(metrics.contains("portcullis_rate_limit_buckets "), metrics);
    }
  }
}
