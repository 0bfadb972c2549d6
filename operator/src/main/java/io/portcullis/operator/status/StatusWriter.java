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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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
 *
 * <p>A pass looks at the objects whose status changed since the last one (plus those left over
 * and every ProxyRoute), not at every object: see {@link #write}.
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
  /**
   * The statuses the bookkeeping below reflects (the last pass's result's); null: the next pass
   * looks at every object. A pass looks only at the objects whose status differs from these.
   */
  private List<ObjectStatus> seen;
  /** The status of every object in {@link #seen}, by {@link #key}. */
  private final Map<String, ObjectStatus> known = new HashMap<>();
  /** The ProxyRoutes among them, in key order: every pass looks at these, as acks move Programmed. */
  private final Map<String, ObjectStatus> routes = new TreeMap<>();
  /**
   * Objects the next pass looks at although their status did not change: a write or an event of
   * theirs failed, or was left for a later pass. In the order they were left.
   */
  private final Set<String> again = new LinkedHashSet<>();
  /** The next pass looks at every object: the last one stopped part way (an unexpected error). */
  private boolean lookAtEverything;
  private final Map<String, ProxyRouteStatus> written = new HashMap<>();
  /** Per object, the events it reported that were recorded (not again while it keeps reporting them). */
  private final Map<String, Set<EventKey>> activeEvents = new HashMap<>();
  private final Map<String, List<ObjectStatus.Condition>> ingressConditions = new HashMap<>();
  private final Map<String, String> failures = new HashMap<>();
  /** Which ProxyRoutes the dataplanes serve as they are now, whatever version they acked. */
  private final ProgrammedRoutes programmedRoutes = new ProgrammedRoutes();
  private Pending processed;
  private Optional<List<LoadBalancerAddress>> processedAddresses = Optional.empty();
  private boolean processedProgrammed;
  private volatile BooleanSupplier leading = () -> true;
  /** The objects as they are now (see {@link #compareWithLive}); null: the compiled state. */
  private volatile Supplier<ClusterState> liveState;
  private volatile ProgrammedCheck programmedCheck;
  private boolean wasLeading = true;
  /** How many times a pass looked at an object, all passes together (tests and the bench). */
  private final java.util.concurrent.atomic.AtomicLong lookedAt = new java.util.concurrent.atomic.AtomicLong();

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

  /** How many times a pass looked at an object so far, all passes together. */
  long objectsLookedAt() {
    return lookedAt.get();
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
      forgetAll();
      processed = null;
      LOG.info("leading: writing statuses and events");
    }
    Pending pending = latest.get();
    // A timer tick on a result already written without failures costs one store lookup: only a
    // change in the dataplanes' acks can change a status then.
    if (pending == null
        || (pending == processed
            && again.isEmpty()
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
      // The next pass (timer or compile) tries again, and looks at every object: this one may
      // have stopped between its bookkeeping's steps.
      lookAtEverything = true;
      LOG.warn("status write failed: {}", e.toString());
    }
  }

  private void forgetAll() {
    seen = null;
    known.clear();
    routes.clear();
    again.clear();
    written.clear();
    activeEvents.clear();
    ingressConditions.clear();
    failures.clear();
    ingressAddresses.forget();
    programmedRoutes.clear();
  }

  /**
   * One pass; returns whether writes were left for the next one. It looks at the objects whose
   * status changed since the last pass, those left over from it (failed or not yet sent), and
   * every ProxyRoute (acks move their Programmed condition); at every Ingress only when the
   * published addresses changed. An object that kept its status keeps what was written for it:
   * at 5,000 Ingresses looking at all of them after every compile was ~11 ms of CPU and 2.2 MiB of
   * maps and keys a change.
   */
  private boolean write(ClusterState state, CompileResult result) {
    String version = result.snapshot().version();
    boolean programmed = programmedCheck.isProgrammed(version);
    Optional<List<LoadBalancerAddress>> addresses = published.current();
    boolean addressesChanged = !addresses.equals(processedAddresses);
    processedAddresses = addresses;
    processedProgrammed = programmed;
    Map<String, ObjectStatus> look = changedSince(result.statuses());
    if (lookAtEverything || (addressesChanged && addresses.isPresent())) {
      for (ObjectStatus status : result.statuses()) {
        if (lookAtEverything || "Ingress".equals(status.object().kind())) {
          look.putIfAbsent(key(status.object()), status);
        }
      }
      lookAtEverything = false;
    }
    for (String key : again) {
      ObjectStatus status = known.get(key);
      if (status != null) {
        look.putIfAbsent(key, status);
      }
    }
    again.clear();
    look.putAll(routes);
    programmedRoutes.startPass(result);
    LiveObjects live = new LiveObjects(state, liveState);
    IngressSummary summary = new IngressSummary();
    List<EventCorrelator.Occurrence> appeared = new ArrayList<>();
    List<StatusWrites.Write> planned = new ArrayList<>();
    Map<StatusWrites.Write, Runnable> onSuccess = new java.util.IdentityHashMap<>();
    Map<StatusWrites.Write, Runnable> onFailure = new java.util.IdentityHashMap<>();
    lookedAt.addAndGet(look.size());
    for (Map.Entry<String, ObjectStatus> entry : look.entrySet()) {
      String key = entry.getKey();
      ObjectStatus status = entry.getValue();
      ObjectRef ref = status.object();
      try {
        recordEvents(key, ref, status.events(), appeared);
        StatusWrites.Write write = null;
        if ("ProxyRoute".equals(ref.kind())) {
          boolean routeProgrammed =
              programmedRoutes.programmed(key, status, version, programmed, programmedCheck);
          write = planProxyRoute(ref, key, status, routeProgrammed, () -> live.route(ref), onSuccess, onFailure);
        } else if ("Ingress".equals(ref.kind())) {
          if (!status.conditions().equals(ingressConditions.put(key, status.conditions()))) {
            // One line per Ingress only at DEBUG: a new leader (or 200 Ingresses in one apply)
            // would otherwise log one INFO line per object. INFO gets the summary below.
            LOG.debug("status {} {}", ref, IngressSummary.describe(status.conditions()));
            summary.changed(status.conditions());
          }
          if (addresses.isPresent()) {
            List<LoadBalancerAddress> desired = addresses.get();
            write = ingressAddresses.plan(ref, key, () -> live.ingress(ref), desired);
            if (write != null) {
              onSuccess.put(write, () -> ingressAddresses.written(key, desired, true));
              onFailure.put(write, () -> ingressAddresses.written(key, desired, false));
            }
          }
        }
        if (write == null) {
          failures.remove(key);
        } else {
          planned.add(write);
        }
      } catch (RuntimeException e) {
        failed(key, ref, e);
      }
    }
    // The API requests of this pass, a few at a time; the bookkeeping stays on this thread. Those
    // past the bound are planned again by the next pass, against what is true by then.
    List<StatusWrites.Write> ordered =
        StatusWrites.ordered(planned, w -> failures.containsKey(key(w.ref())));
    boolean more = ordered.size() > writesPerPass;
    if (more) {
      for (StatusWrites.Write left : ordered.subList(writesPerPass, ordered.size())) {
        again.add(key(left.ref()));
      }
      ordered = ordered.subList(0, writesPerPass);
    }
    long deadline = System.nanoTime() + passTime.toNanos();
    for (StatusWrites.Outcome outcome : writes.run(ordered, deadline)) {
      StatusWrites.Write write = outcome.write();
      if (!outcome.sent()) {
        more = true;
        again.add(key(write.ref()));
      } else if (outcome.ok()) {
        onSuccess.get(write).run();
        failures.remove(key(write.ref()));
      } else {
        onFailure.get(write).run();
        failed(key(write.ref()), write.ref(), outcome.error());
      }
    }
    summary.log(LOG);
    flushEvents(appeared);
    return more;
  }

  /**
   * The objects whose status differs from the last pass's, by {@link #key} in the result's order,
   * now in {@link #known}; objects gone from the result are forgotten. The compiler hands an
   * unchanged object's status on as the same instance (the incremental paths) or an equal one (a
   * full compile), so one walk over both lists by position finds the changes without a key per
   * object; an object added or removed next to another takes one look further; anything else
   * (or a first pass) compares every object by key.
   */
  private Map<String, ObjectStatus> changedSince(List<ObjectStatus> now) {
    Map<String, ObjectStatus> changed = new LinkedHashMap<>();
    List<ObjectStatus> before = seen;
    seen = now;
    if (before == now) {
      return changed;
    }
    List<String> gone = before == null ? null : StatusListWalk.walk(before, now, changed);
    if (gone == null) {
      changed.clear();
      gone = new ArrayList<>();
      Set<String> present = new HashSet<>();
      for (ObjectStatus status : now) {
        String key = key(status.object());
        present.add(key);
        if (!status.equals(known.get(key))) {
          changed.put(key, status);
        }
      }
      for (String key : known.keySet()) {
        if (!present.contains(key)) {
          gone.add(key);
        }
      }
    }
    for (String key : gone) {
      if (!changed.containsKey(key)) { // moved in the list, not gone
        forget(key);
      }
    }
    changed.forEach((key, status) -> {
      known.put(key, status);
      if ("ProxyRoute".equals(status.object().kind())) {
        routes.put(key, status);
      }
    });
    return changed;
  }

  /** An object's key in the writer's bookkeeping: kind, namespace and name (not its generation). */
  static String key(ObjectRef ref) {
    return ref.toString();
  }

  /** Forgets an object gone from the results (deleted, or no longer ours). */
  private void forget(String key) {
    known.remove(key);
    routes.remove(key);
    again.remove(key);
    written.remove(key);
    activeEvents.remove(key);
    ingressConditions.remove(key);
    failures.remove(key);
    ingressAddresses.forget(key);
    programmedRoutes.forget(key);
  }

  /**
   * One object the API server refuses must not hold up the others. Retried next pass; logged again
   * only when the error changes, so a lasting failure does not flood the log.
   */
  private void failed(String key, ObjectRef ref, RuntimeException e) {
    String error = e.toString();
    again.add(key);
    if (!error.equals(failures.put(key, error))) {
      LOG.warn("writing status of {} failed (will retry): {}", ref, error);
    }
  }

  private void recordEvents(String key, ObjectRef ref, List<ObjectStatus.Event> events,
      List<EventCorrelator.Occurrence> appeared) {
    if (events.isEmpty()) {
      activeEvents.remove(key);
      return;
    }
    Set<EventKey> before = activeEvents.getOrDefault(key, Set.of());
    Set<EventKey> now = new HashSet<>();
    for (ObjectStatus.Event event : events) {
      EventKey k = new EventKey(event.reason(), event.message());
      if (now.add(k) && !before.contains(k)) {
        appeared.add(new EventCorrelator.Occurrence(ref, event));
      }
    }
    activeEvents.put(key, now);
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
    // Not recorded: forget them, so the next pass tries again.
    for (EventCorrelator.Occurrence o : failed) {
      String key = key(o.object());
      Set<EventKey> active = activeEvents.get(key);
      if (active != null) {
        active.remove(new EventKey(o.event().reason(), o.event().message()));
      }
      again.add(key);
    }
  }

  /** An event as the writer tells them apart: the same reason and message is the same event. */
  private record EventKey(String reason, String message) {}

  /** The write that brings a ProxyRoute's status up to date, or null when it is. */
  private StatusWrites.Write planProxyRoute(
      ObjectRef ref, String key, ObjectStatus status, boolean programmed, Supplier<ProxyRoute> live,
      Map<StatusWrites.Write, Runnable> onSuccess, Map<StatusWrites.Write, Runnable> onFailure) {
    ProxyRouteStatus before = written.get(key);
    if (before == null) {
      ProxyRoute seenRoute = live.get();
      before = seenRoute == null ? null : seenRoute.getStatus();
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
