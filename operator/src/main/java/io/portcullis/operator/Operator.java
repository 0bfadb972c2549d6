package io.portcullis.operator;

import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.compile.CompileResult;
import io.portcullis.operator.metrics.MetricsServer;
import io.portcullis.operator.metrics.RouteListing;
import io.portcullis.operator.metrics.OperatorMetrics;
import io.portcullis.operator.source.ClusterSource;
import io.portcullis.operator.status.StatusSink;
import io.portcullis.operator.status.StatusWriter;
import io.portcullis.operator.store.SnapshotStore;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running operator: source → rebuild loop → snapshot store → stream server, with the status
 * writer and metrics hanging off each compile. Owns everything it starts and closes it in reverse
 * order.
 */
public final class Operator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Operator.class);

  private final OperatorOptions options;
  private final ClusterSource source;
  private final SnapshotStore store;
  private final StreamEndpoint.Factory streamFactory;
  private final OperatorMetrics metrics = new OperatorMetrics();
  private final StatusWriter statusWriter;
  private final RebuildLoop rebuildLoop;
  private final DataplaneShares shares;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private volatile boolean compiledOnce;
  private int metricsPort = -1;
  private int snapshotPort = -1;

  public Operator(
      OperatorOptions options,
      ClusterSource source,
      StatusSink statusSink,
      Function<ClusterState, CompileResult> compile,
      SnapshotStore store,
      StreamEndpoint.Factory streamFactory) {
    this.options = options;
    this.source = source;
    this.store = store;
    this.streamFactory = streamFactory;
    this.statusWriter =
        new StatusWriter(
            store, statusSink, Clock.systemUTC(), StatusWriter.DEFAULT_RECHECK,
            metrics::statusWritten);
    statusWriter.compareWithLive(source::state);
    metrics.follow(store);
    this.shares = new DataplaneShares(store::connectedCount);
    this.rebuildLoop =
        new RebuildLoop(
            source::state,
            compile.andThen(shares::apply),
            store,
            new RebuildLoop.Listener() {
              @Override
              public void compiled(ClusterState state, CompileResult result, Duration took) {
                compiled(state, result, took, System.nanoTime(), false);
              }

              @Override
              public void compiled(ClusterState state, CompileResult result, Duration took,
                  long changedAtNanos, boolean newVersion) {
                metrics.compiled(
                    result.snapshot(), RebuildLoop.routeCount(result.snapshot()), took);
                if (newVersion) {
                  metrics.published(result.snapshot(), changedAtNanos);
                }
                statusWriter.update(state, result);
                compiledOnce = true;
              }

              @Override
              public void failed(RuntimeException error) {
                metrics.compileFailed();
              }
            });
    // Connects and disconnects change how many dataplanes share each rate limit.
    store.onAck(this::dataplanesChanged);
  }

  /**
   * Starts every part and returns once the source has synced and the first compile is queued.
   *
   * @throws Exception when a port cannot be bound or the source cannot sync; what was started is
   *     closed again
   */
  public void start() throws Exception {
    try {
      // Metrics share the stream's bind address: loopback in local mode, all interfaces in a pod.
      MetricsServer metricsServer =
          new MetricsServer(
              new InetSocketAddress(options.snapshotAddress(), options.metricsPort()),
              metrics.registry(),
              this::ready,
              () -> store.hasPublished() ? RouteListing.of(store.current()) : "");
      metricsPort = metricsServer.start();
      started.push(metricsServer);
      statusWriter.start();
      started.push(statusWriter);
      rebuildLoop.start();
      started.push(rebuildLoop);
      StreamEndpoint stream =
          streamFactory.create(
              store, new InetSocketAddress(options.snapshotAddress(), options.snapshotPort()));
      snapshotPort = stream.start();
      started.push(stream);
      // The sync waits on the API server: warm the compiler meanwhile (once per JVM).
      CompilerWarmUp.startInBackground(options.compilerSettings(), source::synced);
      source.start(rebuildLoop::changed);
      started.push(source);
      LOG.info(
          "operator started: {} mode, snapshot stream on {}:{}, metrics on port {}",
          options.localMode() ? "local (" + options.manifests() + ")" : "cluster",
          options.snapshotAddress(),
          snapshotPort,
          metricsPort);
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  /**
   * Our Ingresses' {@code status.loadBalancer} follows these addresses; closed with the operator.
   * Call before {@link #start()}.
   */
  public void publishAddresses(io.portcullis.operator.status.PublishedAddresses addresses) {
    statusWriter.publishAddresses(addresses);
    started.addLast(addresses); // closed last: after the status writer that reads it
  }

  /** Statuses and events are written only while this says so (leader election). */
  public void writeStatusOnlyWhile(java.util.function.BooleanSupplier leading) {
    statusWriter.writeOnlyWhile(leading);
  }

  /**
   * Who counts the dataplanes that share rate limits (several replicas: every replica's); call
   * {@link #dataplanesChanged} when that count may have changed. Default: this replica's.
   */
  public void dataplanesCountedBy(java.util.function.IntSupplier count) {
    shares.countedBy(count);
  }

  /** The dataplane count may have changed: republish if rate limits must be shared anew. */
  public void dataplanesChanged() {
    if (shares.stale()) {
      rebuildLoop.changed();
    }
  }

  /** Who decides {@code Programmed} (several replicas: every replica's dataplanes). */
  /**
   * Counts this replica's dataplanes together with those the other replicas report on their
   * Leases: Programmed waits for all of them, and rate-limit shares divide by all of them.
   */
  public void countAcrossReplicas(io.portcullis.operator.replicas.ClusterAcks acks) {
    programmedBy(acks);
    dataplanesCountedBy(acks::dataplaneCount);
    acks.onReportsChanged(this::dataplanesChanged);
  }

  public void programmedBy(io.portcullis.operator.status.ProgrammedCheck check) {
    statusWriter.programmedBy(check);
  }

  /** Synced and compiled at least once: safe to route traffic to dataplanes fed by us. */
  public boolean ready() {
    return source.synced() && compiledOnce;
  }

  public int metricsPort() {
    return metricsPort;
  }

  public int snapshotPort() {
    return snapshotPort;
  }

  public SnapshotStore store() {
    return store;
  }

  @Override
  public synchronized void close() {
    while (!started.isEmpty()) {
      AutoCloseable part = started.pop();
      try {
        part.close();
      } catch (Exception e) {
        LOG.warn("closing {} failed: {}", part.getClass().getSimpleName(), e.toString());
      }
    }
    // The source may have been half-started (informers running) when start failed.
    source.close();
  }
}
