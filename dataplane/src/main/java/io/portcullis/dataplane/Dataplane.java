package io.portcullis.dataplane;

import io.portcullis.dataplane.admin.AdminServer;
import io.portcullis.dataplane.admin.ClusterMetrics;
import io.portcullis.dataplane.admin.ClustersView;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.health.HealthCheckService;
import io.portcullis.dataplane.proxy.ProxyServer;
import io.portcullis.dataplane.proxy.ProxySettings;
import io.portcullis.dataplane.proxy.Router;
import io.portcullis.dataplane.stream.ControlPlaneTls;
import io.portcullis.dataplane.stream.StreamClient;
import io.portcullis.dataplane.stream.StreamClientSettings;
import io.portcullis.dataplane.tls.CertificateStore;
import io.portcullis.dataplane.tls.TlsConfigApplier;
import io.portcullis.dataplane.tls.TlsRouter;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running dataplane: the proxy listener, the admin listener and the stream client, sharing
 * one {@link LiveConfig} and one {@link ProxyMetrics}.
 *
 * <p>Start order: listeners first (so a port clash fails fast, before the operator sees a node
 * that cannot serve), then the stream client. The proxy answers 404 until the first snapshot is
 * applied and {@code /ready} says 503 meanwhile, so a load balancer sends nothing before that.
 * Close order is the reverse: stop taking config, stop serving, and the admin port goes last so
 * probes see the process until the very end.
 */
public final class Dataplane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Dataplane.class);

  private final DataplaneOptions options;
  private final LiveConfig config = new LiveConfig();
  private final ProxyMetrics metrics = new ProxyMetrics();
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final CertificateStore certificates = new CertificateStore();
  private final HealthCheckService health = new HealthCheckService();
  private int httpPort = -1;
  private int httpsPort = -1;
  private int adminPort = -1;

  private Dataplane(DataplaneOptions options) {
    this.options = options;
  }

  /**
   * Starts every part; on failure stops the parts already started and rethrows.
   *
   * @throws IllegalStateException when a listener cannot bind
   */
  public static Dataplane start(DataplaneOptions options) {
    Dataplane dataplane = new Dataplane(options);
    try {
      dataplane.startParts();
      return dataplane;
    } catch (Exception e) { // Netty rethrows a checked BindException undeclared
      dataplane.close();
      throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
    }
  }

  private void startParts() {
    started.push(certificates);
    certificates.follow(config);
    ClusterMetrics.register(metrics.registry(), config::current, health);
    AdminServer admin =
        new AdminServer(options.bindAddress(), options.adminPort(), config, metrics,
            new ClustersView(config, health));
    adminPort = admin.start();
    started.push(admin);

    ProxyServer[] self = new ProxyServer[1];
    Router router = new TlsRouter(Router.of(config), config, () -> self[0].httpsPort());
    ProxyServer proxy = new ProxyServer(proxySettings(options), router, metrics);
    self[0] = proxy;
    try {
      httpPort = proxy.start();
    } catch (Exception e) {
      try {
        proxy.close();
      } catch (RuntimeException ignored) {
        // it never started; the bind failure below is what matters
      }
      throw new IllegalStateException(
          "cannot start the HTTP listener on "
              + options.bindAddress()
              + ":"
              + options.httpPort()
              + ": "
              + e.getMessage(),
          e);
    }
    started.push(proxy::close);
    // Health checks share the proxy's event loops, so they stop before the proxy does.
    health.follow(config, proxy.workerGroup(), proxy.clientChannelType());
    started.push(health);
    try {
      httpsPort = proxy.startHttps(options.httpsPort(), certificates);
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot start the HTTPS listener on " + options.bindAddress() + ":" + options.httpsPort()
              + ": " + e.getMessage(), e);
    }

    StreamClientSettings streamSettings = StreamClientSettings.defaults();
    DataplaneOptions.TlsFiles files = options.tls();
    if (files != null) {
      // Throws a one-line IllegalArgumentException when the files are unusable.
      ControlPlaneTls tls = ControlPlaneTls.load(
          files.cert(), files.key(), files.ca(), ControlPlaneTls.DEFAULT_POLL_INTERVAL);
      started.push(tls);
      streamSettings = streamSettings.withTls(tls);
    }
    StreamClient stream = new StreamClient(options.controlPlane(), options.nodeId(), config,
        metrics, streamSettings, new TlsConfigApplier(config, certificates));
    stream.start();
    started.push(stream::close);
  }

  /** The proxy's limits and timeouts keep their documented defaults; only the listener is ours. */
  static ProxySettings proxySettings(DataplaneOptions options) {
    return ProxySettings.builder().bindAddress(options.bindAddress()).port(options.httpPort()).build();
  }

  /** The bound HTTP port (useful when started with port 0). */
  public int httpPort() {
    return httpPort;
  }

  /** The bound HTTPS port (useful when started with port 0). */
  public int httpsPort() {
    return httpsPort;
  }

  /** The bound admin port (useful when started with port 0). */
  public int adminPort() {
    return adminPort;
  }

  public LiveConfig config() {
    return config;
  }

  public ProxyMetrics metrics() {
    return metrics;
  }

  /** Stops the stream client, then the proxy, then the admin server. Idempotent. */
  @Override
  public synchronized void close() {
    while (!started.isEmpty()) {
      AutoCloseable part = started.pop();
      try {
        part.close();
      } catch (Exception e) {
        log.warn("error while stopping: {}", e.toString());
      }
    }
  }
}
