package io.portcullis.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.portcullis.operator.compile.Compiler;
import io.portcullis.operator.compile.CompilerSettings.DefaultCertificate;
import io.portcullis.operator.auth.SessionSecrets;
import io.portcullis.operator.compile.IncrementalCompiler;
import io.portcullis.operator.leader.LeaderElection;
import io.portcullis.operator.pki.GeneratedCertificateSecret;
import io.portcullis.operator.replicas.ClusterAcks;
import io.portcullis.operator.replicas.ReplicaAckPublisher;
import io.portcullis.operator.source.KubernetesSource;
import io.portcullis.operator.status.KubernetesStatusSink;
import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.operator.tls.GeneratedCertificate;
import io.portcullis.operator.tls.PeriodicRecompile;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator in a cluster, wired as {@link Main} runs it: informers, the status sink on the API
 * server, the generated certificate in its Secret, the mTLS snapshot stream, leader election, and
 * the per-replica ack reports the leader aggregates for {@code Programmed}. Tests start the same
 * assembly on the mock API server, so what they record is what a pod does.
 */
public final class ClusterOperator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterOperator.class);

  /** Clocks of the parts that run on timers; production uses the defaults. */
  public record Timings(LeaderElection.Timings election, ReplicaAckPublisher.Timings acks) {
    public static final Timings DEFAULT =
        new Timings(LeaderElection.Timings.DEFAULT, ReplicaAckPublisher.Timings.DEFAULT);

    public Timings {
      Objects.requireNonNull(election);
      Objects.requireNonNull(acks);
    }
  }

  private final Operator operator;
  private final LeaderElection election;
  private final ReplicaAckPublisher acks;
  private final ClusterAcks clusterAcks;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  /**
   * @param env the pod's environment: {@code POD_NAME} and {@code POD_NAMESPACE} name this
   *     replica and the namespace of its Leases
   * @throws io.portcullis.operator.pki.PkiException when the generated certificate's Secret
   *     cannot be read or written
   */
  public ClusterOperator(OperatorOptions options, KubernetesClient client, Map<String, String> env, Timings timings) {
    if (options.localMode()) {
      throw new IllegalArgumentException("ClusterOperator needs cluster mode, not --manifests");
    }
    Clock clock = Clock.systemUTC();
    SnapshotStore store = new SnapshotStore();
    // Generated even when --default-certificate is given: it stands in while that Secret is unusable.
    DefaultCertificate defaultCertificate = new DefaultCertificate(
        options.defaultCertificate(),
        new GeneratedCertificateSecret(client, options.generatedCertificateSecret(),
                DefaultCertificate.GENERATED_NAME, clock)
            .loadOrCreate(() -> GeneratedCertificate.create(Instant.now())));
    SessionSecrets sessionSecrets = new SessionSecrets(client);
    // Endpoint-only changes take the cheap path: only the changed Services' clusters are rebuilt.
    IncrementalCompiler compiler = new IncrementalCompiler(
        new Compiler(options.compilerSettings().withDefaultCertificate(defaultCertificate)));
    // The compiler reads no clock: each compile is stamped here, so certificate expiry is judged
    // at compile time; PeriodicRecompile makes sure there is one at least every few minutes.
    operator = new Operator(
        options,
        new PeriodicRecompile(
            new KubernetesSource(client, options.watchNamespaces(), options.endpointsSource()),
            PeriodicRecompile.DEFAULT_PERIOD),
        new KubernetesStatusSink(client),
        state -> {
          // Creates the OIDC session Secrets that routes name but nobody made yet.
          sessionSecrets.ensure(state);
          return compiler.apply(state.withNow(Instant.now()));
        },
        store,
        Main.tlsStreamServer(client, options.controlChannel(), clock));
    String namespace = LeaderElection.namespaceFrom(env, client);
    String lease = LeaderElection.leaseName(options.ingressClass());
    String identity = LeaderElection.identityFrom(env);
    // Every replica serves snapshot streams; only the leader writes statuses and events.
    election = new LeaderElection(
        client, namespace, lease, identity, timings.election(), new LeaderElection.Listener() {});
    operator.writeStatusOnlyWhile(election::isLeader);
    // Each replica reports its dataplanes' acks; the leader's Programmed counts them all.
    acks = new ReplicaAckPublisher(client, namespace, lease, identity, store, timings.acks(), clock);
    clusterAcks = new ClusterAcks(client, namespace, lease, identity, store, clock);
    operator.countAcrossReplicas(clusterAcks);
    operator.publishAddresses(Main.publishedAddresses(options, client));
  }

  /** Starts everything; on failure closes what was started and rethrows. */
  public void start() throws Exception {
    try {
      started.push(operator);
      operator.start();
      clusterAcks.start();
      started.push(clusterAcks);
      acks.start();
      started.push(acks);
      election.start();
      started.push(election);
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  public Operator operator() {
    return operator;
  }

  public LeaderElection election() {
    return election;
  }

  public ClusterAcks clusterAcks() {
    return clusterAcks;
  }

  /** Releases the Lease first (another replica takes over at once), then stops the rest. */
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
  }
}
