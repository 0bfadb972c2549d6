package io.portcullis.operator.leader;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election over a {@code coordination.k8s.io/v1} Lease, built on fabric8's {@link
 * LeaderElector} and {@link LeaseLock}.
 *
 * <p>Every operator replica serves snapshot streams; only the leader writes statuses (Ingress
 * {@code status.loadBalancer}, ProxyRoute conditions), so two replicas never fight over the same
 * status. Ask {@link #isLeader()} before writing, and use the {@link Listener} to start or stop
 * leader-only work.
 *
 * <p>Losing the lease (a renew missed its deadline, the API server was unreachable) is not
 * fatal here, unlike client-go's usual "exit on lost lease": this replica keeps serving streams
 * and simply runs for the lease again after {@link Timings#retryPeriod()}. {@link #close()}
 * releases the lease, so the other replica takes over at its next retry instead of waiting for
 * the whole lease duration.
 *
 * <p>The Role the chart grants for this, in the operator's namespace: {@code create} on {@code
 * leases}, and {@code get}, {@code update} and {@code patch} on this Lease. fabric8's {@link
 * LeaseLock} renews with a JSON merge PATCH (not the PUT client-go uses), so without {@code
 * patch} the leader loses the lease at its first renew; {@link #close()} releases with an update
 * (PUT) of its own.
 */
public final class LeaderElection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

  /** Lease names are DNS subdomains; the ingress class is one already, the prefix keeps it so. */
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /** What a replica hears about leadership. Called on the election's own thread; do not block. */
  public interface Listener {
    /** This replica now holds the lease: start leader-only work (status writes). */
    default void startedLeading() {}

    /** This replica lost or released the lease: stop leader-only work at once. */
    default void stoppedLeading() {}

    /** The lease holder changed (possibly to this replica); {@code identity} is its pod name. */
    default void newLeader(String identity) {}
  }

  /**
   * The election's clock, with the Kubernetes components' defaults (15 s, 10 s, 2 s).
   *
   * @param leaseDuration how long a lease holds without a renew; another replica takes over
   *     this long after the leader disappears without releasing
   * @param renewDeadline how long the leader keeps retrying a renew before it gives up leading;
   *     shorter than the lease, so the old leader stops writing before anyone else may start
   * @param retryPeriod how often candidates try to acquire, and the leader renews
   */
  public record Timings(
      Duration leaseDuration,
      Duration renewDeadline,
      Duration retryPeriod) {

    public static final Timings DEFAULT =
        new Timings(
            Duration.ofSeconds(15),
            Duration.ofSeconds(10),
            Duration.ofSeconds(2));

    public Timings {
      Objects.requireNonNull(leaseDuration, "leaseDuration");
      Objects.requireNonNull(renewDeadline, "renewDeadline");
      Objects.requireNonNull(retryPeriod, "retryPeriod");
      if (retryPeriod.isNegative() || retryPeriod.isZero()) {
        throw new IllegalArgumentException("retryPeriod must be positive");
      }
      // The safety argument: the leader must have given up (renewDeadline) before a follower
      // may consider the lease expired (leaseDuration), and renews (every retryPeriod, with
      // fabric8's jitter of up to 1.2x) must fit inside the renew deadline.
      if (renewDeadline.compareTo(leaseDuration) >= 0) {
        throw new IllegalArgumentException("renewDeadline must be shorter than leaseDuration");
      }
      if (retryPeriod.multipliedBy(12).dividedBy(10).compareTo(renewDeadline) >= 0) {
        throw new IllegalArgumentException("retryPeriod (with 1.2x jitter) must be shorter than renewDeadline");
      }
    }
  }

  private final KubernetesClient client;
  private final String namespace;
  private final String leaseName;
  private final String identity;
  private final Timings timings;
  private final Listener listener;
  private final ScheduledExecutorService executor;
  private final AtomicReference<String> leader = new AtomicReference<>();
  private final AtomicBoolean leading = new AtomicBoolean();
  private volatile boolean closed;
  private CompletableFuture<?> running;

  /**
   * @param client the API client (in-cluster)
   * @param namespace where the Lease lives: the operator's own namespace
   * @param leaseName see {@link #leaseName(String)}
   * @param identity this replica's name in the Lease's {@code holderIdentity}: the pod name
   *     (see {@link #identityFrom(Map)})
   */
  public LeaderElection(
      KubernetesClient client,
      String namespace,
      String leaseName,
      String identity,
      Timings timings,
      Listener listener) {
    this.client = Objects.requireNonNull(client, "client");
    this.namespace = requireName(namespace, "namespace");
    this.leaseName = requireName(leaseName, "leaseName");
    if (identity == null || identity.isBlank()) {
      throw new IllegalArgumentException("identity must not be blank");
    }
    this.identity = identity;
    this.timings = Objects.requireNonNull(timings, "timings");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "leader-election");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * The Lease for the operators serving one IngressClass: replicas serving the same class
   * elect one leader; operators for different classes (or releases) never contend.
   */
  public static String leaseName(String ingressClass) {
    return requireName("portcullis-" + ingressClass + "-leader", "lease name");
  }

  /**
   * This replica's identity from the environment: {@code POD_NAME} (the chart sets it from the
   * downward API), else {@code HOSTNAME} (the pod name in Kubernetes, too).
   */
  public static String identityFrom(Map<String, String> env) {
    for (String key : new String[] {"POD_NAME", "HOSTNAME"}) {
      String value = env.get(key);
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    throw new IllegalStateException("neither POD_NAME nor HOSTNAME is set: no leader-election identity");
  }

  /**
   * The namespace the Lease lives in: {@code POD_NAMESPACE} (the chart sets it from the
   * downward API), else the client's namespace (in a pod, the service account's namespace).
   */
  public static String namespaceFrom(Map<String, String> env, KubernetesClient client) {
    String value = env.get("POD_NAMESPACE");
    if (value != null && !value.isBlank()) {
      return value;
    }
    String fromClient = client.getNamespace();
    if (fromClient == null || fromClient.isBlank()) {
      throw new IllegalStateException("POD_NAMESPACE is not set and the client has no namespace: no Lease namespace");
    }
    return fromClient;
  }

  /** Starts running for the lease in the background. Call once. */
  public synchronized void start() {
    if (running != null || closed) {
      throw new IllegalStateException("already started or closed");
    }
    run();
  }

  private synchronized void run() {
    if (closed) {
      return;
    }
    LeaderElector elector =
        client
            .leaderElector()
            .withConfig(
                new LeaderElectionConfigBuilder()
                    .withName(leaseName)
                    .withLock(new LeaseLock(namespace, leaseName, identity))
                    .withLeaseDuration(timings.leaseDuration())
                    .withRenewDeadline(timings.renewDeadline())
                    .withRetryPeriod(timings.retryPeriod())
                    // fabric8 releases with a merge patch that sets holderIdentity to null, and null
                    // fields are left out of the patch: the stored Lease kept the old holder.
                    // close() releases with a conditional update instead.
                    .withReleaseOnCancel(false)
                    .withLeaderCallbacks(
                        new LeaderCallbacks(this::onStart, this::onStop, this::onNewLeader))
                    .build())
            .build();
    CompletableFuture<?> future = elector.start();
    running = future;
    future.whenComplete(
        (ok, error) -> {
          if (closed) {
            return;
          }
          // The elector ends its loop when leadership is lost; run again after a retry
          // period, so a replica that lost a renew race stays a candidate.
          if (error != null) {
            LOG.warn("leader election for lease {}/{} ended: {}", namespace, leaseName, error.toString());
          }
          executor.schedule(this::run, timings.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
        });
  }

  private void onStart() {
    leading.set(true);
    LOG.info("{} leads (lease {}/{}): writing statuses", identity, namespace, leaseName);
    listener.startedLeading();
  }

  private void onStop() {
    // Once per term: fabric8 may report a stop on cancel even when this replica never led, and
    // close() reports one too in case the elector's own report comes too late.
    if (leading.getAndSet(false)) {
      LOG.info("{} stopped leading (lease {}/{})", identity, namespace, leaseName);
      listener.stoppedLeading();
    }
  }

  private void onNewLeader(String newLeader) {
    String previous = leader.getAndSet(newLeader);
    if (!Objects.equals(previous, newLeader)) {
      if (newLeader == null || newLeader.isEmpty()) {
        LOG.info("lease {}/{} is free", namespace, leaseName);
      } else {
        LOG.info("lease {}/{} is held by {}", namespace, leaseName, newLeader);
      }
      listener.newLeader(newLeader);
    }
  }

  /** True while this replica holds the lease: only then may it write statuses. */
  public boolean isLeader() {
    return leading.get();
  }

  /** The holder last observed, if any. */
  public Optional<String> currentLeader() {
    return Optional.ofNullable(leader.get());
  }

  public String identity() {
    return identity;
  }

  /** Stops running; a leader releases the lease so another replica takes over at once. */
  @Override
  public void close() {
    CompletableFuture<?> future;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      future = running;
    }
    if (future != null) {
      // Stops the renew loop (fabric8 checks its stopped flag under the same lock as a renew)
      // and runs the stop callback; the release below then cannot race a late renew.
      future.cancel(true);
    }
    onStop();
    executor.shutdownNow();
    release();
  }

  /**
   * Hands the lease back the way client-go does: no holder, a one-second duration, so the next
   * candidate takes it at its next retry instead of after the whole lease duration. A PUT with the
   * resourceVersion just read, so a lease another replica took meanwhile is left alone.
   */
  private void release() {
    try {
      Lease lease = client.resources(Lease.class).inNamespace(namespace).withName(leaseName).get();
      if (lease == null || lease.getSpec() == null
          || !identity.equals(lease.getSpec().getHolderIdentity())) {
        return;
      }
      ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
      lease.getSpec().setHolderIdentity(null);
      lease.getSpec().setLeaseDurationSeconds(1);
      lease.getSpec().setAcquireTime(now);
      lease.getSpec().setRenewTime(now);
      client.resource(lease).update();
      LOG.info("{} released lease {}/{}", identity, namespace, leaseName);
    } catch (KubernetesClientException e) {
      LOG.warn("{} could not release lease {}/{} (the next leader waits for it to expire): {}",
          identity, namespace, leaseName, e.getMessage());
    }
  }

  private static String requireName(String name, String what) {
    if (name == null || !DNS_SUBDOMAIN.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " '" + name + "' is not a valid Kubernetes name");
    }
    return name;
  }
}
