package io.portcullis.dataplane;

import io.portcullis.dataplane.admin.AdminServer;
import io.portcullis.dataplane.admin.ClusterMetrics;
import io.portcullis.dataplane.admin.ClustersView;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.filters.cache.CacheEngine;
import io.portcullis.dataplane.filters.cache.CacheMetrics;
import io.portcullis.dataplane.filters.cache.CachePurgeEndpoint;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.config.RuntimeConfig;
import io.portcullis.dataplane.health.ClustersListener;
import io.portcullis.dataplane.health.HealthCheckService;
import io.portcullis.dataplane.proxy.ProxyServer;
import io.portcullis.dataplane.proxy.ProxySettings;
import io.portcullis.dataplane.proxy.Router;
import io.portcullis.transport.ControlPlaneTls;
import io.portcullis.dataplane.stream.StreamClient;
import io.portcullis.dataplane.stream.StreamClientSettings;
import io.portcullis.dataplane.stream.ConfigApplier;
import io.portcullis.dataplane.tls.CertificateStore;
import io.portcullis.dataplane.filters.StandardFilters;
import io.portcullis.dataplane.filters.auth.AuthFilters;
import io.portcullis.dataplane.filters.ratelimit.RateLimits;
import io.portcullis.dataplane.filters.iprules.IpRulesMetrics;
import io.portcullis.dataplane.filters.waf.WafRuntime;
import io.netty.channel.ChannelPipeline;
import io.portcullis.dataplane.admin.ByteCountingHandler;
import io.portcullis.dataplane.admin.TrafficMetrics;
import io.portcullis.dataplane.log.AccessLog;
import io.portcullis.dataplane.log.AccessLogHandler;
import io.portcullis.dataplane.log.AsyncAccessLog;
import io.portcullis.dataplane.proxy.ConnectionHooks;
import java.util.ArrayDeque;
import java.util.function.Function;
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
  private final LiveConfig config;
  private final ProxyMetrics metrics = new ProxyMetrics();
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final CertificateStore certificates = new CertificateStore();
  private final TrafficMetrics traffic = new TrafficMetrics(metrics);
  private final Function<Runnable, AccessLog> accessLogFactory;
  private final Object drainLock = new Object();
  private volatile boolean draining;
  private boolean closed;
  private final HealthCheckService health = new HealthCheckService();
  private int httpPort = -1;
  private volatile int httpsPort = -1;
  private int adminPort = -1;
  /** The shared HTTP cache: its storage outlives snapshot swaps; routes opt in with cache: {}. */
  private final CacheEngine cache;

  private Dataplane(DataplaneOptions options, Function<Runnable, AccessLog> accessLogFactory) {
    this.options = options;
    this.accessLogFactory = accessLogFactory;
    this.cache = new CacheEngine(options.cacheSize(), new CacheMetrics(metrics.registry()));
    this.config = new LiveConfig(StandardFilters.chains(() -> httpsPort, cache, options.ipDeny()));
    WafRuntime.configure(options.wafRules(), metrics.registry());
  }

  /**
   * Starts every part; on failure stops the parts already started and rethrows.
   *
   * @throws IllegalStateException when a listener cannot bind
   */
  public static Dataplane start(DataplaneOptions options) {
    return start(options, onDrop -> options.accessLog() ? AsyncAccessLog.toStdout(onDrop) : null);
  }

  /**
   * Starts with another access log (tests capture its entries).
   *
   * @param accessLog given the drop counter, returns the access log, or null for none
   */
  public static Dataplane start(DataplaneOptions options, Function<Runnable, AccessLog> accessLog) {
    Dataplane dataplane = new Dataplane(options, accessLog);
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
    certificates.attachTo(config);
    ClusterMetrics.register(metrics.registry(), config::current, health);
    AuthFilters.shared().metrics().registerIn(metrics.registry());
    RateLimits.shared().metrics().registerIn(metrics.registry());
    IpRulesMetrics.shared().registerIn(metrics.registry());
    AdminServer admin =
        new AdminServer(options.bindAddress(), options.adminPort(), config, metrics,
            new ClustersView(config, health));
    admin.drainingWhen(() -> draining);
    admin.endpoint(CachePurgeEndpoint.PATH, new CachePurgeEndpoint(cache));
    adminPort = admin.start();
    started.push(admin);
    ConnectionHooks hooks = observers();

    ProxyServer[] self = new ProxyServer[1];
    Router router = Router.of(config);
    ProxyServer proxy = new ProxyServer(proxySettings(options), router, metrics).hooks(hooks);
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
    health.start(proxy.workerGroup(), proxy.clientChannelType());
    feedClusters(config, health);
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
        metrics, streamSettings, ConfigApplier.of(config));
    stream.start();
    started.push(stream::close);
  }

  /**
   * Byte counts on every client connection, and the access log unless it is off. The log closes
   * after the proxy (the stack closes in reverse), so the last requests of a drain are written.
   */
  private ConnectionHooks observers() {
    ByteCountingHandler bytes = new ByteCountingHandler(traffic);
    AccessLog accessLog = accessLogFactory.apply(traffic::accessLogDropped);
    if (accessLog instanceof AutoCloseable closeable) {
      started.push(closeable);
    }
    return new ConnectionHooks() {
      @Override
      public void connectionOpened(ChannelPipeline pipeline) {
        pipeline.addFirst("bytes", bytes);
      }

      @Override
      public void afterHttp1Codec(ChannelPipeline pipeline) {
        if (accessLog != null) {
          pipeline.addLast("access-log",
              new AccessLogHandler(accessLog, options.clientAddresses().trustedProxies()));
        }
      }
    };
  }

  /**
   * The proxy's limits and timeouts keep their documented defaults; the listener is ours, and so
   * is the drain timeout: it is how long closing the proxy lets in-flight requests finish.
   */
  /**
   * Feeds {@code listener} the clusters of the current config, if any, and of every config
   * applied from now on. Registered first: a config applied in between is heard twice, never
   * missed (listeners take the same cluster list twice without harm).
   */
  public static void feedClusters(LiveConfig config, ClustersListener listener) {
    config.onApplied(applied -> listener.clustersChanged(applied.clusters()));
    RuntimeConfig current = config.current();
    if (current != null) {
      listener.clustersChanged(current.clusters());
    }
  }

  static ProxySettings proxySettings(DataplaneOptions options) {
    return ProxySettings.builder()
        .bindAddress(options.bindAddress())
        .port(options.httpPort())
        .shutdownGracePeriod(options.drainTimeout())
        .clientAddresses(options.clientAddresses())
        .transport(options.transport())
        .build();
  }

  /**
   * Graceful shutdown, what SIGTERM runs: {@code /ready} turns 503 at once while the listeners
   * keep accepting for the drain delay (the time it takes the endpoint to leave Services and
   * load balancers, which learn of a terminating pod at the same moment we do); then the
   * listeners close, idle connections are closed, busy HTTP/1.1 ones answer their current
   * request with {@code Connection: close} (the {@code ProxyHandler.DRAIN} event, which an HTTP/2
   * connection handler turns into GOAWAY), in-flight requests get up to the drain timeout, and
   * everything stops. Blocks for all of that; returns at once when already closed.
   */
  public void drain() {
    if (draining) {
      return;
    }
    draining = true;
    log.info("draining: /ready is 503; accepting for {} ms more, then up to {} ms for in-flight"
        + " requests", options.drainDelay().toMillis(), options.drainTimeout().toMillis());
    long until = System.nanoTime() + options.drainDelay().toNanos();
    synchronized (drainLock) {
      // Waits the delay out unless close() comes first (a second signal, a test).
      long left;
      while (!closed && (left = until - System.nanoTime()) > 0) {
        try {
          drainLock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    log.info("draining: no longer accepting; waiting for in-flight requests");
    close();
    log.info("drained");
  }

  /** True once {@link #drain()} has started. */
  public boolean draining() {
    return draining;
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

  /** The shared HTTP cache (its filter kind is in {@link StandardFilters#registry(CacheEngine)}). */
  public CacheEngine cache() {
    return cache;
  }

  public ProxyMetrics metrics() {
    return metrics;
  }

  /**
   * Stops the stream client, then the proxy (which lets in-flight requests finish for up to the
   * drain timeout), then the admin server. Idempotent.
   */
  @Override
  public synchronized void close() {
    synchronized (drainLock) {
      closed = true;
      drainLock.notifyAll();
    }
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
