package io.portcullis.operator.status;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.compile.CompileResult;
import io.portcullis.operator.compile.ObjectRef;
import io.portcullis.operator.compile.ObjectStatus;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteStatus;
import io.portcullis.operator.store.SnapshotStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the compiler's verdicts into ProxyRoute statuses and Events, and the published addresses
 * into Ingress {@code status.loadBalancer}, writing only what changed.
 *
 * <p>Runs on its own thread so a slow API server never delays a snapshot. It keeps the latest
 * compile result and re-evaluates it on a timer, because {@code Programmed} flips to True when
 * dataplanes ack, not when the cluster changes. A condition keeps its lastTransitionTime while its
 * status stays the same. An event is recorded when it appears in a compile result and not while
 * later results keep reporting it; once it disappears and comes back, it is recorded again.
 *
 * <p>A pass sends at most {@link #DEFAULT_WRITES_PER_PASS} writes, ProxyRoute conditions first
 * (see {@link StatusWrites.Rank}), and leaves the rest to the next pass, which starts at once and
 * looks again at the newest compile result, the acks and the published addresses. On a slow API
 * server (the mock took ~17 writes/s at 10,000 Ingresses) a pass that wrote every Ingress address
 * before looking at the acks again kept the ProxyRoutes' {@code Programmed=True} ten minutes away.
 */
public final class StatusWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);

  /** How often {@code Programmed} is re-checked against the dataplanes' acks. */
  public static final Duration DEFAULT_RECHECK = Duration.ofMillis(500);

  /**
   * Writes per pass before the writer looks at the acks and the newest result again: a few
   * seconds on a slow API server at {@link StatusWrites#DEFAULT_CONCURRENCY} in flight, a fraction
   * of a second on a real one.
   */
  static final int DEFAULT_WRITES_PER_PASS = 200;

  /**
   * And at most about this long per pass: writes not started by then wait for the next pass. The
   * mock API server took ~17 writes/s at 10,000 Ingresses, so 200 writes were 12 s there.
   */
  static final Duration DEFAULT_PASS_TIME = Duration.ofSeconds(2);

  public static final String ACCEPTED = "Accepted";
  public static final String PROGRAMMED = "Programmed";

  private final SnapshotStore store;
  private final StatusSink sink;
  private final ProxyRouteConditions conditions;
  private final Duration recheck;
  private final WriteCounter onWrite;
  private final IngressAddressWriter ingressAddresses;
  private final StatusWrites writes;
  private final int writesPerPass;
  private final Duration passTime;
  private volatile PublishedAddresses published = PublishedAddresses.NONE;
  private final ScheduledExecutorService executor;
  private final AtomicReference<Pending> latest = new AtomicReference<>();

  // Touched only on the executor's thread.
  private final Map<String, ProxyRouteStatus> written = new HashMap<>();
  private final Set<String> activeEvents = new HashSet<>();
  private final Map<String, List<ObjectStatus.Condition>> ingressConditions = new HashMap<>();
  private final Map<String, String> failures = new HashMap<>();
  /** Which ProxyRoutes the dataplanes serve as they are now, whatever version they acked. */
  private final ProgrammedRoutes programmedRoutes = new ProgrammedRoutes();
  private Pending processed;
  private Optional<List<LoadBalancerAddress>> processedAddresses = Optional.empty();
  private boolean processedProgrammed;
  private boolean settled;
  private volatile BooleanSupplier leading = () -> true;
  /** The objects as they are now (see {@link #compareWithLive}); null: the compiled state. */
  private volatile Supplier<ClusterState> liveState;
  private volatile ProgrammedCheck programmedCheck;
  private boolean wasLeading = true;

  /** Counts status writes by kind ({@code ProxyRoute}, {@code Ingress}) and outcome. */
  @FunctionalInterface
  public interface WriteCounter {
    void written(String kind, boolean ok);
  }

  /**
   * @param onWrite called after every successful ProxyRoute status write
   */
  public StatusWriter(
      SnapshotStore store, StatusSink sink, Clock clock, Duration recheck, Runnable onWrite) {
    this(store, sink, clock, recheck, (kind, ok) -> {
      if (ok && "ProxyRoute".equals(kind)) {
        onWrite.run();
      }
    });
  }

  /**
   * @param counter told of every status write and its outcome (a metric)
   */
  public StatusWriter(
      SnapshotStore store, StatusSink sink, Clock clock, Duration recheck, WriteCounter counter) {
    this(store, sink, clock, recheck, counter, DEFAULT_WRITES_PER_PASS,
        StatusWrites.DEFAULT_CONCURRENCY, DEFAULT_PASS_TIME);
  }

  /**
   * @param writesPerPass at most this many status writes per pass
   * @param concurrency at most this many of them in flight at once
   * @param passTime writes not started this long after a pass began wait for the next one
   */
  StatusWriter(SnapshotStore store, StatusSink sink, Clock clock, Duration recheck,
      WriteCounter counter, int writesPerPass, int concurrency, Duration passTime) {
    if (writesPerPass < 1 || concurrency < 1) {
      throw new IllegalArgumentException(
          "writesPerPass and concurrency must be at least 1: " + writesPerPass + ", " + concurrency);
    }
    this.writes = new StatusWrites(concurrency);
    this.writesPerPass = writesPerPass;
    this.passTime = Objects.requireNonNull(passTime);
    this.store = Objects.requireNonNull(store);
    this.sink = Objects.requireNonNull(sink);
    this.conditions = new ProxyRouteConditions(Objects.requireNonNull(clock));
    this.recheck = recheck;
    this.onWrite = Objects.requireNonNull(counter);
    this.ingressAddresses = new IngressAddressWriter(sink, counter);
    this.programmedCheck = store::isProgrammedEverywhere;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "status-writer");
              t.setDaemon(true);
              return t;
            });
  }

  public StatusWriter(SnapshotStore store, StatusSink sink) {
    this(store, sink, Clock.systemUTC(), DEFAULT_RECHECK, () -> {});
  }

  /**
   * Writes only while {@code leading} says so: with several operator replicas exactly one, the
   * leader, writes statuses and events. A replica that becomes leader forgets what it believed was
   * written and compares with the objects again, since the old leader may not have finished.
   */
  public void writeOnlyWhile(BooleanSupplier leading) {
    this.leading = Objects.requireNonNull(leading);
  }

  /**
   * Compares Ingress addresses with the objects as they are now rather than as they were when
   * the result was compiled. An Ingress whose status alone changed does not wake the compiler
   * (the source skips it: mostly our own writes coming back), so the compiled state can show an
   * older status; a replica that becomes leader would otherwise write again what the old leader
   * already wrote.
   */
  public void compareWithLive(Supplier<ClusterState> current) {
    this.liveState = Objects.requireNonNull(current);
  }

  /**
   * Decides {@code Programmed}; by default this replica's own dataplanes (the store). With several
   * operator replicas the leader must count every replica's dataplanes.
   */
  public void programmedBy(ProgrammedCheck check) {
    this.programmedCheck = Objects.requireNonNull(check);
  }

  /**
   * Keeps {@code status.loadBalancer.ingress} of every Ingress of ours equal to these addresses
   * (under the same leader-only rule); without this call Ingress statuses are left alone.
   */
  public void publishAddresses(PublishedAddresses addresses) {
    this.published = Objects.requireNonNull(addresses);
    addresses.onChange(() -> {
      try {
        executor.execute(this::writeLatest);
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        // Closed: nothing more to write.
      }
    });
  }

  public void start() {
    executor.scheduleWithFixedDelay(
        this::writeLatest, recheck.toMillis(), recheck.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Hands over a compile result; returns at once. Only the newest unprocessed one is written. */
  public void update(ClusterState state, CompileResult result) {
    latest.set(new Pending(state, result));
    executor.execute(this::writeLatest);
  }

  @Override
  public void close() {
    executor.shutdownNow();
    writes.close();
  }

  private void writeLatest() {
    if (!leading.getAsBoolean()) {
      wasLeading = false;
      return;
    }
    if (!wasLeading) {
      wasLeading = true;
      written.clear();
      activeEvents.clear();
      ingressConditions.clear();
      ingressAddresses.forget();
      programmedRoutes.clear();
      processed = null;
      LOG.info("leading: writing statuses and events");
    }
    Pending pending = latest.get();
    // A timer tick on a result already written without failures costs one store lookup: only a
    // change in the dataplanes' acks can change a status then.
    if (pending == null
        || (pending == processed
            && settled
            && published.current().equals(processedAddresses)
            && programmedCheck.isProgrammed(pending.result().snapshot().version())
                == processedProgrammed)) {
      return;
    }
    try {
      boolean more = write(pending.state(), pending.result());
      processed = pending;
      if (more) {
        // Writes left for the next pass: go on at once rather than at the next timer tick.
        executor.execute(this::writeLatest);
      }
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // Closed while writing: nothing more to write.
    } catch (RuntimeException e) {
      // The next pass (timer or compile) tries again: nothing is recorded as written.
      LOG.warn("status write failed: {}", e.toString());
    }
  }

  /** One pass; returns whether writes were left for the next one. */
  private boolean write(ClusterState state, CompileResult result) {
    String version = result.snapshot().version();
    boolean programmed = programmedCheck.isProgrammed(version);
    Map<String, ProxyRoute> live = new HashMap<>();
    for (ProxyRoute route : state.proxyRoutes()) {
      live.put(route.getMetadata().getNamespace() + "/" + route.getMetadata().getName(), route);
    }
    Optional<List<LoadBalancerAddress>> addresses = published.current();
    processedAddresses = addresses;
    Map<String, Ingress> liveIngresses = new HashMap<>();
    if (addresses.isPresent()) {
      Supplier<ClusterState> now = liveState;
      for (Ingress ingress : (now != null ? now.get() : state).ingresses()) {
        liveIngresses.put(
            ingress.getMetadata().getNamespace() + "/" + ingress.getMetadata().getName(), ingress);
      }
    }
    programmedRoutes.startPass(result);
    Set<String> seenRoutes = new HashSet<>();
    Set<String> seenEvents = new HashSet<>();
    Set<String> seenIngresses = new HashSet<>();
    IngressSummary summary = new IngressSummary();
    List<EventCorrelator.Occurrence> appeared = new ArrayList<>();
    List<StatusWrites.Write> planned = new ArrayList<>();
    Map<StatusWrites.Write, Runnable> onSuccess = new java.util.IdentityHashMap<>();
    Map<StatusWrites.Write, Runnable> onFailure = new java.util.IdentityHashMap<>();
    processedProgrammed = programmed;
    settled = true;
    for (ObjectStatus status : result.statuses()) {
      ObjectRef ref = status.object();
      String key = ref.namespace() + "/" + ref.name();
      if ("ProxyRoute".equals(ref.kind())) {
        seenRoutes.add(key);
      } else if ("Ingress".equals(ref.kind())) {
        seenIngresses.add(key);
      }
      try {
        recordEvents(ref, status.events(), seenEvents, appeared);
        StatusWrites.Write write = null;
        if ("ProxyRoute".equals(ref.kind())) {
          boolean routeProgrammed =
              programmedRoutes.programmed(key, status, version, programmed, programmedCheck);
          write = planProxyRoute(ref, key, status, routeProgrammed, live.get(key), onSuccess, onFailure);
        } else if ("Ingress".equals(ref.kind())) {
          if (!status.conditions().equals(ingressConditions.put(key, status.conditions()))) {
            // One line per Ingress only at DEBUG: a new leader (or 200 Ingresses in one apply)
            // would otherwise log one INFO line per object. INFO gets the summary below.
            LOG.debug("status {} {}", ref, IngressSummary.describe(status.conditions()));
            summary.changed(status.conditions());
          }
          if (addresses.isPresent()) {
            List<LoadBalancerAddress> desired = addresses.get();
            write = ingressAddresses.plan(ref, key, liveIngresses.get(key), desired);
            if (write != null) {
              onSuccess.put(write, () -> ingressAddresses.written(key, desired, true));
              onFailure.put(write, () -> ingressAddresses.written(key, desired, false));
            }
          }
        }
        if (write == null) {
          failures.remove(ref.toString());
        } else {
          planned.add(write);
        }
      } catch (RuntimeException e) {
        failed(ref, e);
      }
    }
    // The API requests of this pass, a few at a time; the bookkeeping stays on this thread. Those
    // past the bound are planned again by the next pass, against what is true by then.
    List<StatusWrites.Write> ordered =
        StatusWrites.ordered(planned, w -> failures.containsKey(w.ref().toString()));
    boolean more = ordered.size() > writesPerPass;
    if (more) {
      ordered = ordered.subList(0, writesPerPass);
      settled = false;
    }
    long deadline = System.nanoTime() + passTime.toNanos();
    for (StatusWrites.Outcome outcome : writes.run(ordered, deadline)) {
      StatusWrites.Write write = outcome.write();
      if (!outcome.sent()) {
        more = true;
        settled = false;
      } else if (outcome.ok()) {
        onSuccess.get(write).run();
        failures.remove(write.ref().toString());
      } else {
        onFailure.get(write).run();
        failed(write.ref(), outcome.error());
      }
    }
    summary.log(LOG);
    flushEvents(appeared);
    written.keySet().retainAll(seenRoutes);
    programmedRoutes.retain(seenRoutes);
    activeEvents.retainAll(seenEvents);
    ingressConditions.keySet().retainAll(seenIngresses);
    ingressAddresses.retain(seenIngresses);
    Set<String> reported = new HashSet<>();
    result.statuses().forEach(st -> reported.add(st.object().toString()));
    failures.keySet().retainAll(reported);
    return more;
  }

  /**
   * One object the API server refuses must not hold up the others. Retried next pass; logged again
   * only when the error changes, so a lasting failure does not flood the log.
   */
  private void failed(ObjectRef ref, RuntimeException e) {
    String error = e.toString();
    settled = false;
    if (!error.equals(failures.put(ref.toString(), error))) {
      LOG.warn("writing status of {} failed (will retry): {}", ref, error);
    }
  }

  private void recordEvents(ObjectRef ref, List<ObjectStatus.Event> events, Set<String> seen,
      List<EventCorrelator.Occurrence> appeared) {
    for (ObjectStatus.Event event : events) {
      seen.add(eventKey(ref, event));
    }
    for (ObjectStatus.Event event : events) {
      String key = eventKey(ref, event);
      if (activeEvents.add(key)) {
        appeared.add(new EventCorrelator.Occurrence(ref, event));
      }
    }
  }

  /** All of a pass's new events in one call, so the sink can combine similar ones. */
  private void flushEvents(List<EventCorrelator.Occurrence> appeared) {
    if (appeared.isEmpty()) {
      return;
    }
    List<EventCorrelator.Occurrence> failed;
    try {
      failed = sink.recordEvents(appeared);
    } catch (RuntimeException e) {
      LOG.warn("recording {} events failed (will retry): {}", appeared.size(), e.toString());
      failed = appeared;
    }
    if (!failed.isEmpty()) {
      // Not recorded: forget them, so the next pass tries again.
      failed.forEach(o -> activeEvents.remove(eventKey(o.object(), o.event())));
      settled = false;
    }
  }

  private static String eventKey(ObjectRef ref, ObjectStatus.Event event) {
    return ref + "\n" + event.reason() + "\n" + event.message();
  }

  /** The write that brings a ProxyRoute's status up to date, or null when it is. */
  private StatusWrites.Write planProxyRoute(
      ObjectRef ref, String key, ObjectStatus status, boolean programmed, ProxyRoute live,
      Map<StatusWrites.Write, Runnable> onSuccess, Map<StatusWrites.Write, Runnable> onFailure) {
    ProxyRouteStatus before = written.get(key);
    if (before == null && live != null) {
      before = live.getStatus();
    }
    ProxyRouteStatus desired = conditions.desired(ref, status, programmed, before);
    if (before != null && ProxyRouteConditions.same(before, desired)) {
      written.put(key, before);
      return null;
    }
    StatusWrites.Write write =
        new StatusWrites.Write(ref, before == null
            ? StatusWrites.Rank.NEW_PROXY_ROUTE : StatusWrites.Rank.CHANGED_PROXY_ROUTE,
            () -> sink.writeProxyRouteStatus(ref, desired));
    onSuccess.put(write, () -> {
      written.put(key, desired);
      onWrite.written("ProxyRoute", true);
    });
    onFailure.put(write, () -> onWrite.written("ProxyRoute", false));
    return write;
  }

  private record Pending(ClusterState state, CompileResult result) {}
}
