package io.portcullis.dataplane.proxy;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.ClusterRuntime;
import io.portcullis.dataplane.config.RouteDecision;
import io.portcullis.snapshot.Cluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A proxy on loopback that sends every request to one cluster; for upstream-side tests. */
final class ClusterProxy implements AutoCloseable {
  final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private final ProxyServer proxy;
  private final int port;
  private volatile ClusterRuntime cluster;

  ClusterProxy(Cluster cluster, int workerThreads) {
    this.cluster = new ClusterRuntime(cluster);
    proxy = new ProxyServer(
        ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(workerThreads)
            .responseTimeout(Duration.ofSeconds(10)).build(),
        head -> new RouteDecision.Forward("r1", this.cluster,
            head.path() + (head.query() == null ? "" : "?" + head.query()), 0),
        new ProxyMetrics());
    port = proxy.start();
  }

  int port() {
    return port;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    proxy.close();
  }
}
