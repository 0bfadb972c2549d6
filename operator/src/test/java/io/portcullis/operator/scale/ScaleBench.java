package io.portcullis.operator.scale;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.stream.ConfigApplier;
import io.portcullis.dataplane.stream.StreamClient;
import io.portcullis.dataplane.stream.StreamClientSettings;
import io.portcullis.operator.CompilerWarmUp;
import io.portcullis.operator.Main;
import io.portcullis.operator.Operator;
import io.portcullis.operator.OperatorOptions;
import io.portcullis.operator.cache.ResourceCache;
import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.compile.CompileResult;
import io.portcullis.operator.compile.Compiler;
import io.portcullis.operator.compile.CompilerSettings;
import io.portcullis.operator.compile.IncrementalCompiler;
import io.portcullis.operator.compile.TestCertificates;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.source.ClusterSource;
import io.portcullis.operator.source.KubernetesSource;
import io.portcullis.operator.status.KubernetesStatusSink;
import io.portcullis.operator.status.PublishedAddresses;
import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.MessageFraming;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.StreamMessage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.VirtualHost;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.operator.MockApiServerSettled;

/**
 * The scale benchmark behind {@code bench/scale.sh}: not a test (surefire's default includes skip
 * the name), run by name with sizes as system properties ({@code scale.ingresses},
 * {@code scale.endpoints}, {@code scale.proxyRoutes}, {@code scale.dataplanes},
 * {@code scale.changes}, {@code scale.compileOnly}); writes its table to {@code scale.out}.
 *
 * <p>Two parts. The compiler alone, on the objects in memory: full compile, the incremental path
 * for one changed Ingress, EndpointSlice and Secret, and the encoded sizes of the snapshot and of
 * each delta. Then the real thing on the fabric8 mock API server (CRUD mode): the operator (as
 * {@link io.portcullis.operator.ClusterOperator} wires it, minus leader election and mTLS) and D
 * dataplane stream clients in this JVM, each applying to its own {@link LiveConfig}: time until
 * every dataplane serves the whole config and every object's status says so, API write to every
 * dataplane applied over a series of changes, and heap after GC.
 */
@Tag("bench")
@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
class ScaleBench {
  KubernetesClient client;

  private final int ingresses = Integer.getInteger("scale.ingresses", 1000);
  private final int endpoints = Integer.getInteger("scale.endpoints", 5);
  private final int proxyRoutes = Integer.getInteger("scale.proxyRoutes", 100);
  private final int dataplanes = Integer.getInteger("scale.dataplanes", 1);
  private final int changes = Integer.getInteger("scale.changes", 100);
  private final Duration deadline = Duration.ofMinutes(Integer.getInteger("scale.deadlineMinutes", 10));
  private final Map<String, String> rows = new LinkedHashMap<>();
  /** The operator in a JVM of its own ({@code bench/scale.sh --operator-jvm}), not in this one. */
  private final boolean ownJvm = Boolean.getBoolean("scale.operatorJvm");

  @Test
  void measure() throws Exception {
    log("building objects: %d Ingresses, %d endpoints each, %d ProxyRoutes", ingresses, endpoints, proxyRoutes);
    ScaleObjects objects = new ScaleObjects(ingresses, endpoints, proxyRoutes);
    rows.put("objects", String.format("%d Ingresses, %d Services/EndpointSlices, %d endpoints, %d TLS Secrets, %d ProxyRoutes, %d dataplanes",
        objects.ingresses.size(), objects.services.size(), objects.slices.size() * endpoints,
        objects.secrets.size(), objects.proxyRoutes.size(), dataplanes));
    compilerAlone(objects);
    try {
      if (!Boolean.getBoolean("scale.compileOnly")) {
        onTheMockApiServer(objects);
      }
    } catch (Exception | AssertionError e) {
      // What was measured before the failure is still worth its table.
      rows.put("run ended early", e.toString());
      throw e;
    } finally {
      report();
    }
  }

  // ---------------------------------------------------------------- the compiler alone

  private void compilerAlone(ScaleObjects objects) {
    ResourceCache cache = new ResourceCache();
    objects.all().forEach(cache::upsert);
    Instant now = Instant.now();
    ClusterState state = cache.state().withNow(now);
    CompilerSettings settings = OperatorOptions.parse(new String[0], Map.of()).compilerSettings();
    // As the operator does while its informers sync (unless --no-warm-up: a cold JVM).
    boolean warmUp = Boolean.parseBoolean(System.getProperty("scale.warmUp", "true"));
    if (warmUp) {
      long t = System.nanoTime();
      long c = cpu();
      int rounds = CompilerWarmUp.run(settings, CompilerWarmUp.ROUNDS, () -> false);
      rows.put("start-up warm-up (CompilerWarmUp, " + rounds + " rounds; the operator runs it while its informers sync): CPU / wall",
          ms(cpu() - c) + " / " + ms(System.nanoTime() - t));
    }
    Compiler compiler = new Compiler(settings);
    CompileResult full = null;
    long[] fullNanos = new long[7];
    long[] fullCpu = new long[7];
    for (int i = 0; i < fullNanos.length; i++) {
      long t = System.nanoTime();
      long c = cpu();
      full = compiler.compile(state);
      fullCpu[i] = cpu() - c;
      fullNanos[i] = System.nanoTime() - t;
    }
    Snapshot snapshot = full.snapshot();
    rows.put("routes / virtual hosts / clusters", snapshot.virtualHosts().stream().mapToInt(v -> v.routes().size()).sum()
        + " / " + snapshot.virtualHosts().size() + " / " + snapshot.clusters().size());
    rows.put(warmUp ? "full compile, first after a start (after the warm-up; every Secret parsed): CPU / wall"
        : "full compile, first in a cold JVM (no warm-up; every Secret parsed): CPU / wall",
        ms(fullCpu[0]) + " / " + ms(fullNanos[0]));
    rows.put("full compile, steady (median of 5 after 2 warm-up): CPU / wall",
        ms(median(Arrays.copyOfRange(fullCpu, 2, fullCpu.length))) + " / "
            + ms(median(Arrays.copyOfRange(fullNanos, 2, fullNanos.length))));
    rows.put("snapshot on the wire", bytes(MessageFraming.encode(new StreamMessage.SnapshotMsg("n", snapshot)).length));

    int target = objects.ingresses.size() / 2;
    Ingress ingress = objects.ingresses.get(target);
    incremental(objects, cache, now, "Ingress", () -> cache.upsert(withVersion(ScaleObjects.ingress(
        ingress.getMetadata().getNamespace(), ingress.getMetadata().getName(), ScaleObjects.host(target),
        ingress.getSpec().getTls().isEmpty() ? null : ingress.getSpec().getTls().get(0).getSecretName(),
        target % 5 == 0, "/changed"))));
    EndpointSlice slice = objects.slices.get(target);
    incremental(objects, cache, now, "EndpointSlice", () -> cache.upsert(withVersion(ScaleObjects.slice(
        slice.getMetadata().getNamespace(), slice.getMetadata().getLabels().get("kubernetes.io/service-name"),
        target, endpoints, 1))));
    Secret secret = objects.secrets.get(objects.secrets.size() / 2);
    incremental(objects, cache, now, "Secret", () -> cache.upsert(withVersion(TestCertificates.tlsSecret(
        secret.getMetadata().getNamespace(), secret.getMetadata().getName(), objects.rotated.get(0)))));
  }

  private static final AtomicLong VERSIONS = new AtomicLong(1_000_000);

  private static <T extends HasMetadata> T withVersion(T object) {
    object.getMetadata().setResourceVersion(Long.toString(VERSIONS.incrementAndGet()));
    return object;
  }

  /** One changed object through the incremental compiler, as the rebuild loop would see it. */
  private void incremental(ScaleObjects objects, ResourceCache cache, Instant now, String kind, Runnable change) {
    IncrementalCompiler compiler =
        new IncrementalCompiler(new Compiler(OperatorOptions.parse(new String[0], Map.of()).compilerSettings()));
    ClusterState before = cache.state().withNow(now);
    Snapshot base = compiler.apply(before).snapshot();
    change.run();
    ClusterState after = cache.state().withNow(now);
    // Warm the changed path without keeping its result: the last compile is the one measured.
    long[] nanos = new long[5];
    long[] cpus = new long[5];
    Snapshot changed = null;
    for (int i = 0; i < nanos.length; i++) {
      // The predecessor the operator would diff against: it shares every untouched part with the
      // result (the first compile's snapshot does not, since the first apply(before) of this loop
      // is a full compile of an unchanged state).
      base = compiler.apply(before).snapshot();
      long t = System.nanoTime();
      long c = cpu();
      changed = compiler.apply(after).snapshot();
      cpus[i] = cpu() - c;
      nanos[i] = System.nanoTime() - t;
    }
    rows.put("incremental compile, one " + kind + " changed: CPU / wall",
        ms(median(Arrays.copyOfRange(cpus, 2, cpus.length))) + " / " + ms(median(Arrays.copyOfRange(nanos, 2, nanos.length)))
        + " (" + (compiler.endpointUpdates() > 0 ? "endpoint path"
            : compiler.partialCompiles() > 0 ? "partial path" : "full path") + ")");
    Delta delta = Delta.between(base, changed);
    rows.put("delta on the wire, one " + kind + " changed",
        bytes(MessageFraming.encode(new StreamMessage.DeltaMsg("n", delta)).length)
            + " (" + delta.resourceNames().size() + " resources)");
    // The stream's share, per dataplane: the operator diffs and encodes, the dataplane decodes,
    // applies the delta to what it holds (re-hashing the result) and indexes the new config.
    // The dataplane applies each delta to what it applied last, as a connected one does (each
    // snapshot hands its validation index on to the next); the change is undone untimed.
    LiveConfig config = new LiveConfig();
    config.apply(base);
    Snapshot held = base;
    Delta back = Delta.between(changed, base);
    long[][] stages = new long[5][7];
    for (int i = 0; i < stages.length; i++) {
      long[] at = stages[i];
      at[0] = cpu();
      Delta diff = Delta.between(base, changed);
      at[1] = cpu();
      byte[] wire = MessageFraming.encode(new StreamMessage.DeltaMsg("n", diff));
      at[2] = cpu();
      StreamMessage.DeltaMsg received = (StreamMessage.DeltaMsg) MessageFraming.decode(
          Arrays.copyOfRange(wire, 4, wire.length));
      at[3] = cpu();
      Snapshot result = received.delta().applyTo(held);
      at[4] = cpu();
      config.apply(result, received.delta()); // as StreamClient hands it on
      at[5] = cpu();
      held = back.applyTo(result);
      config.apply(held, back);
    }
    rows.put("  stream, one " + kind + " changed (CPU): operator diff / encode; dataplane decode / "
        + "apply delta + version / index + swap",
        stage(stages, 0, 1) + " / " + stage(stages, 1, 2) + "; " + stage(stages, 2, 3) + " / "
            + stage(stages, 3, 4) + " / " + stage(stages, 4, 5));
  }

  /** Median over the runs after two warm-ups of the time between two recorded instants. */
  private static String stage(long[][] runs, int from, int to) {
    long[] took = new long[runs.length - 2];
    for (int i = 2; i < runs.length; i++) {
      took[i - 2] = runs[i][to] - runs[i][from];
    }
    return ms(median(took));
  }

  // ---------------------------------------------------------------- the mock API server

  private void onTheMockApiServer(ScaleObjects objects) throws Exception {
    long created = System.nanoTime();
    createAll(objects.all());
    log("created %d objects in %s", objects.all().size(), ms(System.nanoTime() - created));
    long baseline = heapAfterGc();

    List<LiveConfig> configs = new ArrayList<>();
    List<Queue<Applied>> applied = new ArrayList<>();
    List<StreamClient> clients = new ArrayList<>();
    Operator operator = null;
    OperatorJvm child = null;
    SharedIndexInformer<Ingress> ingressWatch = null;
    SharedIndexInformer<ProxyRoute> routeWatch = null;
    try {
      OperatorOptions options = OperatorOptions.parse(new String[] {
          "--snapshot-port", "0", "--snapshot-address", "127.0.0.1", "--metrics-port", "0",
          "--publish-address", "10.0.0.1"}, Map.of());
      IncrementalCompiler compiler = new IncrementalCompiler(new Compiler(options.compilerSettings()));
      SnapshotStore store = new SnapshotStore();
      if (!ownJvm) {
        operator = new Operator(options,
            new TimedSource(new KubernetesSource(client, List.of(), options.endpointsSource()), events),
            new KubernetesStatusSink(client),
            state -> {
              compileStarts.add(System.nanoTime());
              CompileResult result = compiler.apply(state.withNow(Instant.now()));
              compileEnds.add(System.nanoTime());
              return result;
            },
            store, Main.streamServer());
        operator.publishAddresses(PublishedAddresses.fixed(List.of("10.0.0.1")));
      }
      ingressWatch = client.network().v1().ingresses().inAnyNamespace().inform();
      routeWatch = client.resources(ProxyRoute.class).inAnyNamespace().inform();
      long started = System.nanoTime();
      long synced;
      int snapshotPort;
      if (ownJvm) {
        // The operator alone in a JVM of its own: its heap holds nothing of the mock, the bench
        // or the dataplanes. "started" then includes the JVM's own start (about a second).
        child = OperatorJvm.start(client.getConfiguration().getMasterUrl(),
            System.getProperty("scale.operatorJvmOptions", OperatorJvm.DEFAULT_OPTIONS), operatorLog(), deadline);
        synced = System.nanoTime();
        snapshotPort = child.port();
        rows.put("operator JVM: its own Operator.start() until synced", child.syncedMillis() + " ms");
      } else {
        operator.start();
        synced = System.nanoTime();
        snapshotPort = operator.snapshotPort();
      }
      for (int d = 0; d < dataplanes; d++) {
        LiveConfig config = new LiveConfig();
        Queue<Applied> log = new ConcurrentLinkedQueue<>();
        // When the stream handed the (decoded, delta-applied) snapshot to LiveConfig: splits the
        // "compile end -> applied" stage into the stream's part and the dataplane's index and swap.
        AtomicLong handed = new AtomicLong();
        config.onApplied(c -> log.add(new Applied(System.nanoTime(), c.snapshot(), handed.get())));
        applied.add(log);
        ConfigApplier timed = new ConfigApplier() {
          @Override
          public void apply(Snapshot snapshot) {
            handed.set(System.nanoTime());
            config.apply(snapshot);
          }

          @Override
          public void apply(Snapshot snapshot, io.portcullis.snapshot.Delta delta) {
            handed.set(System.nanoTime());
            config.apply(snapshot, delta);
          }
        };
        StreamClient sc = new StreamClient(URI.create("http://127.0.0.1:" + snapshotPort),
            "dataplane-" + d, config, new ProxyMetrics(), StreamClientSettings.defaults(), timed);
        sc.start();
        configs.add(config);
        clients.add(sc);
      }
      int expectedHosts = objects.ingresses.size() + objects.proxyRoutes.size();
      await().atMost(deadline).pollInterval(Duration.ofMillis(20)).until(() -> {
        // The applied logs, not LiveConfig.current(): current is set just before the listeners
        // that fill the logs run, so it can be seen first. An operator in its own JVM has no
        // store here: then every dataplane applied a config with every host.
        if (ownJvm) {
          return applied.stream().allMatch(q -> q.stream().anyMatch(a -> a.snapshot().virtualHosts().size() >= expectedHosts));
        }
        Snapshot s = store.current();
        return s.virtualHosts().size() >= expectedHosts
            && applied.stream().allMatch(q -> q.stream().anyMatch(a -> a.snapshot().version().equals(s.version())));
      });
      long appliedWhole = 0;
      for (Queue<Applied> q : applied) {
        appliedWhole = Math.max(appliedWhole, q.stream()
            .filter(a -> a.snapshot().virtualHosts().size() >= expectedHosts)
            .mapToLong(Applied::at).min().orElseThrow());
      }
      String from = ownJvm ? "operator JVM launched" : "operator start";
      rows.put(from + ": informers synced", ms(synced - started));
      rows.put(from + " -> every dataplane applied the whole config", ms(appliedWhole - started));
      String programmedRow = "operator start -> every ProxyRoute Programmed and every Ingress's address written";
      StatusProgress progress = new StatusProgress();
      try {
        long programmed = awaitProgrammed(objects, ingressWatch, routeWatch, progress);
        rows.put(programmedRow, ms(programmed - started));
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        // Say how far it got and go on measuring: one missed goal must not hide the others.
        rows.put(programmedRow, String.format("not within %d min: %d of %d Ingresses, %d of %d ProxyRoutes",
            deadline.toMinutes(),
            ingressWatch.getStore().list().stream().filter(ScaleBench::hasAddress).count(), objects.ingresses.size(),
            routeWatch.getStore().list().stream().filter(ScaleBench::programmed).count(), objects.proxyRoutes.size()));
      }
      // Apart: the ProxyRoutes' conditions are what a user waits for; the Ingress addresses are
      // bounded by how fast the API server takes status writes.
      rows.put(from + " -> every ProxyRoute Programmed", progress.routesAt == 0 ? "not reached"
          : ms(progress.routesAt - started));
      rows.put(from + " -> every Ingress's address written", progress.addressesAt == 0 ? "not reached"
          : ms(progress.addressesAt - started));
      if (ownJvm) {
        OperatorJvm.Histogram settledHeap = child.histogram();
        rows.put("operator JVM: live heap after a full GC, once the start-up's statuses were written (class histogram)",
            mib(settledHeap.bytes()) + " (" + String.format("%,d", settledHeap.objects()) + " objects)");
      }
      if (progress.firstAddressAt != 0 && progress.lastCountAt > progress.firstAddressAt) {
        rows.put("Ingress address writes seen per second (first seen -> last seen, bench informer)",
            String.format("%.1f", (progress.lastCount - 1) * 1e9 / (progress.lastCountAt - progress.firstAddressAt)));
      }
      // The start-up's status writes are done once every Ingress showed its address (later, a
      // changed Ingress is written again: the bench's update replaces its status).
      SharedIndexInformer<Ingress> addressWatch = ingressWatch;
      java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean(progress.addressesAt != 0);
      propagation(objects, applied, child, () -> {
        if (!settled.get() && addressWatch.getStore().list().stream().filter(ScaleBench::hasAddress).count()
            == objects.ingresses.size()) {
          settled.set(true);
        }
        return !settled.get();
      });
      applied.clear();
      mockWriteRate(objects);
      ingressWatch.close();
      routeWatch.close();

      long withAll = heapAfterGc();
      for (StreamClient sc : clients) {
        sc.close();
      }
      clients.clear();
      configs.clear();
      long operatorOnly = heapAfterGc();
      if (ownJvm) {
        operatorJvmHeap(child);
      } else {
        // Counts what the mock's store grew by since the baseline too (status writes): --operator-jvm
        // measures the operator alone.
        rows.put("operator heap after GC (this JVM's heap minus a baseline taken when the objects were first in the mock)",
            mib(operatorOnly - baseline));
      }
      rows.put("dataplane heap after GC, config per dataplane (in-process)", mib((withAll - operatorOnly) / dataplanes));
    } finally {
      for (StreamClient sc : clients) {
        sc.close();
      }
      if (operator != null) {
        operator.close();
      }
      if (child != null) {
        child.close();
      }
      if (ingressWatch != null) {
        ingressWatch.close();
        routeWatch.close();
      }
    }
  }

  /**
   * The operator JVM's live heap at the end (class histogram: a full GC, then every reachable
   * object), its resident memory, the classes that hold the most, and its own breakdown by part.
   */
  private void operatorJvmHeap(OperatorJvm child) throws Exception {
    OperatorJvm.Histogram heap = child.histogram();
    rows.put("operator JVM: live heap after a full GC at the end (class histogram)",
        mib(heap.bytes()) + " (" + String.format("%,d", heap.objects()) + " objects)");
    rows.put("operator JVM: resident memory (VmRSS) at the end, JVM flags",
        mib(child.residentBytes()) + "; " + System.getProperty("scale.operatorJvmOptions", OperatorJvm.DEFAULT_OPTIONS));
    rows.put("operator JVM: largest classes (live)", String.join("; ", heap.top()));
    List<HeapBreakdown.Row> breakdown;
    try {
      breakdown = child.breakdown(Duration.ofMinutes(20));
    } catch (Exception e) {
      // The walk needs heap of its own: under a small -Xmx it may not fit. The rows above stand.
      rows.put("operator JVM: heap parts", "not measured: " + e.getMessage());
      return;
    }
    long parts = 0;
    for (HeapBreakdown.Row row : breakdown) {
      if (row.label().startsWith("(note) ")) {
        rows.put("operator JVM: " + row.label().substring("(note) ".length()), row.top());
        continue;
      }
      boolean cumulative = !row.label().startsWith("(not cumulative)");
      if (cumulative) {
        parts += row.bytes();
      }
      rows.put("  heap part: " + row.label(), mib(row.bytes()) + (row.top().isEmpty() ? "" : " (" + row.top() + ")"));
    }
    rows.put("  heap part: the rest of the live heap (classes' static data, fabric8 client, Netty, threads, metrics)",
        mib(heap.bytes() - parts));
  }

  /** Where the operator JVM's log goes: beside the table. */
  private static Path operatorLog() {
    String out = System.getProperty("scale.out", "target/scale-report.md");
    return Path.of(out.endsWith(".md") ? out.substring(0, out.length() - 3) + "-operator.log" : out + "-operator.log");
  }

  /** Creates every object with a few client threads (the mock server is the slow part). */
  private void createAll(List<HasMetadata> all) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (HasMetadata object : all) {
        done.add(pool.submit(() -> create(object)));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** A create the client retried after a timeout may find its own first attempt: that is fine. */
  private void create(HasMetadata object) {
    try {
      client.resource(object).create();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  /**
   * When every ProxyRoute says Programmed and every Ingress shows its address, as watched through
   * informers of the bench's own (started before the operator): listing 10,000 Ingresses every
   * few hundred milliseconds would load the mock server more than the operator does.
   */
  private long awaitProgrammed(ScaleObjects objects, SharedIndexInformer<Ingress> ingressWatch,
      SharedIndexInformer<ProxyRoute> routeWatch, StatusProgress progress) {
    await().atMost(deadline).pollInterval(Duration.ofMillis(100)).until(() -> {
      long now = System.nanoTime();
      boolean routes = routeWatch.getStore().list().stream().filter(ScaleBench::programmed).count()
          == objects.proxyRoutes.size();
      long addresses = ingressWatch.getStore().list().stream().filter(ScaleBench::hasAddress).count();
      if (routes && progress.routesAt == 0) {
        progress.routesAt = now;
      }
      if (addresses > 0 && progress.firstAddressAt == 0) {
        progress.firstAddressAt = now;
      }
      if (addresses > progress.lastCount) {
        progress.lastCount = addresses;
        progress.lastCountAt = now;
      }
      boolean all = addresses == objects.ingresses.size();
      if (all && progress.addressesAt == 0) {
        progress.addressesAt = now;
      }
      return routes && all;
    });
    return System.nanoTime();
  }

  /** When the Programmed wait saw what (System.nanoTime, 0: not yet), polled every 100 ms. */
  private static final class StatusProgress {
    volatile long routesAt;
    volatile long addressesAt;
    volatile long firstAddressAt;
    volatile long lastCount;
    volatile long lastCountAt;
  }

  private static boolean hasAddress(Ingress i) {
    return i.getStatus() != null && i.getStatus().getLoadBalancer() != null
        && i.getStatus().getLoadBalancer().getIngress() != null
        && !i.getStatus().getLoadBalancer().getIngress().isEmpty();
  }

  private static boolean programmed(ProxyRoute route) {
    if (route.getStatus() == null || route.getStatus().getConditions() == null) {
      return false;
    }
    return route.getStatus().getConditions().stream()
        .anyMatch(c -> "Programmed".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /**
   * {@code changes} single-object writes through the API server (Ingresses, EndpointSlices and
   * Secrets in turn), each timed from just before the write to the moment the last dataplane
   * swapped in a config that carries it (checked by content: another version published meanwhile
   * must not count).
   */
  private void propagation(ScaleObjects objects, List<Queue<Applied>> applied, OperatorJvm child,
      java.util.function.BooleanSupplier statusWritesPending) throws Exception {
    Map<String, List<Long>> byKind = new LinkedHashMap<>();
    // Apart: changes made while the status writer was still writing Ingress addresses (the mock
    // API server then delivers watch events late), and those after.
    Map<String, List<Long>> byPhase = new LinkedHashMap<>();
    java.util.Set<String> rotatedSecrets = new java.util.HashSet<>();
    List<Long> all = new ArrayList<>();
    Map<String, OperatorJvm.ThreadUse> threadsBefore = child == null ? null : child.threads(Duration.ofSeconds(30));
    for (int i = 0; i < changes; i++) {
      int target = (i * 37) % objects.ingresses.size();
      String kind;
      HasMetadata object;
      Predicate<Snapshot> carries;
      switch (i % 3) {
        case 0 -> {
          kind = "Ingress";
          Ingress old = objects.ingresses.get(target);
          String path = "/v" + i;
          object = ScaleObjects.ingress(old.getMetadata().getNamespace(), old.getMetadata().getName(),
              ScaleObjects.host(target), old.getSpec().getTls().isEmpty() ? null : old.getSpec().getTls().get(0).getSecretName(),
              target % 5 == 0, path);
          String host = ScaleObjects.host(target);
          carries = s -> {
            VirtualHost v = s.virtualHostsByHost().get(host);
            return v != null && v.routes().stream()
                .anyMatch(r -> r.match().path() instanceof PathMatch.Prefix p && p.value().equals(path));
          };
        }
        case 1 -> {
          kind = "EndpointSlice";
          EndpointSlice old = objects.slices.get(target);
          String service = old.getMetadata().getLabels().get("kubernetes.io/service-name");
          EndpointSlice slice = ScaleObjects.slice(old.getMetadata().getNamespace(), service, target, endpoints, i);
          object = slice;
          String clusterPrefix = old.getMetadata().getNamespace() + "/" + service + ":";
          java.util.Set<String> addresses = new java.util.HashSet<>();
          slice.getEndpoints().forEach(e -> addresses.addAll(e.getAddresses()));
          carries = s -> s.clusters().stream()
              .filter(c -> c.name().startsWith(clusterPrefix))
              .anyMatch(c -> c.endpoints().stream().map(Endpoint::address).collect(Collectors.toSet()).equals(addresses));
        }
        default -> {
          kind = "Secret";
          Secret old = objects.secrets.get(target % objects.secrets.size());
          int ns = Integer.parseInt(old.getMetadata().getNamespace().substring("team-".length()));
          // Each Secret flips between its namespace's two certificates.
          String key = old.getMetadata().getNamespace() + "/" + old.getMetadata().getName();
          boolean back = rotatedSecrets.remove(key);
          if (!back) {
            rotatedSecrets.add(key);
          }
          TestCertificates.Issued cert = back ? objects.certificates.get(ns) : objects.rotated.get(ns);
          object = TestCertificates.tlsSecret(old.getMetadata().getNamespace(), old.getMetadata().getName(), cert);
          String body = base64(cert).substring(40, 120);
          carries = s -> {
            TlsCertificate c = s.certificatesByName().get(key);
            return c != null && c.certificateChain().replace("\n", "").contains(body);
          };
        }
      }
      // Each applied snapshot is checked once: re-checking every queued snapshot every
      // millisecond (a 10,000-entry map per check) kept one of the two cores busy in the bench
      // itself and slowed the operator and dataplanes it measures.
      Predicate<Snapshot> test = carries;
      Map<Snapshot, Boolean> checked = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
      Predicate<Snapshot> once = s -> checked.computeIfAbsent(s, test::test);
      applied.forEach(Queue::clear);
      if (child != null) {
        child.stages(events, compileStarts, compileEnds, Duration.ofSeconds(30));
      }
      events.clear();
      compileStarts.clear();
      compileEnds.clear();
      String phase = statusWritesPending.getAsBoolean() ? "during" : "after";
      // The write is one PUT: fabric8's update() of an object without a resourceVersion GETs it
      // first, and that GET (a scan of every object on the mock, ~25 ms at 10,000) was timed as
      // part of the change until round 6.
      object.getMetadata().setResourceVersion(
          client.resource(object).get().getMetadata().getResourceVersion());
      long t = System.nanoTime();
      client.resource(object).update();
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(1)).until(() ->
          applied.stream().allMatch(q -> q.stream().anyMatch(a -> once.test(a.snapshot()))));
      if (child != null) {
        // The child's System.nanoTime() is the same clock (CLOCK_MONOTONIC, machine-wide on Linux).
        child.stages(events, compileStarts, compileEnds, Duration.ofSeconds(30));
      }
      long last = 0;
      long firstApplied = Long.MAX_VALUE;
      long firstHanded = 0;
      for (Queue<Applied> q : applied) {
        Applied first = q.stream().filter(a -> once.test(a.snapshot()))
            .min(java.util.Comparator.comparingLong(Applied::at)).orElseThrow();
        last = Math.max(last, first.at());
        if (first.at() < firstApplied) {
          firstApplied = first.at();
          firstHanded = first.handed();
        }
      }
      long took = last - t;
      // Where the time went: the compile that carried the change is the last one to start
      // before the first dataplane applied it.
      long event = firstAfter(events, t);
      long compileStart = -1;
      for (long s : compileStarts) {
        if (s >= event && s <= firstApplied && s > compileStart) {
          compileStart = s;
        }
      }
      long compileEnd = firstAfter(compileEnds, compileStart);
      if (event > 0 && compileStart > 0 && compileEnd > 0) {
        long[] st = {event - t, compileStart - event, compileEnd - compileStart,
            firstApplied - compileEnd, last - firstApplied, firstHanded - compileEnd, firstApplied - firstHanded};
        for (int k = 0; k < st.length; k++) {
          stageTimes.computeIfAbsent(k, x -> new ArrayList<>()).add(st[k]);
          phaseStageTimes.computeIfAbsent(phase + k, x -> new ArrayList<>()).add(st[k]);
        }
      }
      log("change %d %s at %s: %s (compile end -> first dataplane handed %s, its apply %s)", i, kind,
          java.time.LocalTime.now(java.time.ZoneOffset.UTC), ms(took),
          compileEnd > 0 ? ms(firstHanded - compileEnd) : "?", ms(firstApplied - firstHanded));
      all.add(took);
      byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(took);
      byPhase.computeIfAbsent(phase, k -> new ArrayList<>()).add(took);
    }
    if (child != null) {
      threadRows(threadsBefore, child.threads(Duration.ofSeconds(30)), all.size());
    }
    rows.put("API write -> every dataplane applied, all " + all.size() + " changes (p50 / p99 / max)", percentiles(all));
    byKind.forEach((kind, list) -> rows.put("  of which " + kind + " (" + list.size() + ", p50 / p99 / max)", percentiles(list)));
    String[] names = {"API write -> operator informer event", "event -> compile start (quiet time, queue)",
        "compile start -> end (incremental compiler, snapshot, version)",
        "compile end -> first dataplane applied (publish, diff, encode, send, decode, apply, index)",
        "first -> last dataplane applied",
        "  of compile end -> first applied: to the stream handing it over (publish, diff, encode, send, decode, Delta.applyTo)",
        "  of compile end -> first applied: LiveConfig.apply (index, swap)"};
    for (int k = 0; k < names.length; k++) {
      List<Long> list = stageTimes.get(k);
      if (list != null) {
        rows.put("  stage: " + names[k] + " (" + list.size() + ", p50 / p99 / max)", percentiles(list));
      }
    }
    for (String phase : List.of("during", "after")) {
      List<Long> list = byPhase.get(phase);
      if (list == null) {
        continue;
      }
      String label = phase.equals("during") ? "while the status writer still wrote Ingress addresses"
          : "after every Ingress address was written";
      rows.put("changes " + label + " (" + list.size() + ", p50 / p99 / max)", percentiles(list));
      for (int k = 0; k < names.length; k++) {
        List<Long> stage = phaseStageTimes.get(phase + k);
        if (stage != null) {
          rows.put("  stage: " + names[k] + " (" + stage.size() + ", p50 / p99 / max)", percentiles(stage));
        }
      }
    }
  }

  private final Map<String, List<Long>> phaseStageTimes = new java.util.HashMap<>();

  /**
   * The operator JVM's threads over the timed changes, per change: CPU time and bytes allocated
   * (the JVM's own per-thread counters), the status writer always and the busiest others.
   */
  private void threadRows(Map<String, OperatorJvm.ThreadUse> before, Map<String, OperatorJvm.ThreadUse> after, int n) {
    record Use(String name, long cpu, long allocated) {}
    List<Use> uses = new ArrayList<>();
    after.forEach((name, a) -> {
      OperatorJvm.ThreadUse b = before.getOrDefault(name, new OperatorJvm.ThreadUse(0, 0));
      uses.add(new Use(name, a.cpuNanos() - b.cpuNanos(), a.allocatedBytes() - b.allocatedBytes()));
    });
    uses.sort(java.util.Comparator.comparingLong(Use::cpu).reversed());
    long totalCpu = uses.stream().mapToLong(Use::cpu).sum();
    long totalAllocated = uses.stream().mapToLong(Use::allocated).sum();
    rows.put("operator JVM threads during the " + n + " changes, per change: all threads, CPU / allocated",
        String.format("%.2f ms / %.2f MiB", totalCpu / 1e6 / n, totalAllocated / 1048576.0 / n));
    int shown = 0;
    for (Use u : uses) {
      if (shown++ < 6 || u.name().equals("status-writer")) {
        rows.put("  thread " + u.name() + ", CPU / allocated per change",
            String.format("%.2f ms / %.2f MiB", u.cpu() / 1e6 / n, u.allocated() / 1048576.0 / n));
      }
    }
  }

  /**
   * How fast the mock API server takes Ingress status writes with everything in it: the JSON patch
   * of the status subresource our writer sends, from a plain fabric8 handle by name (which GETs
   * the object first) and through our {@link KubernetesStatusSink} (one PATCH), one at a time and
   * 8 in flight. Each write sets the address the operator already wrote, so nothing changes for
   * the operator.
   */
  private void mockWriteRate(ScaleObjects objects) throws Exception {
    int writes = Math.min(200, objects.ingresses.size());
    List<Ingress> targets = new ArrayList<>();
    for (int i = 0; i < writes; i++) {
      targets.add(objects.ingresses.get((int) ((long) i * objects.ingresses.size() / writes)));
    }
    String patch = client.getKubernetesSerialization().asJson(List.of(Map.of("op", "add", "path", "/status",
        "value", Map.of("loadBalancer", Map.of("ingress", List.of(Map.of("ip", "10.0.0.1")))))));
    java.util.function.Consumer<Ingress> bare = ingress -> client.network().v1().ingresses()
        .inNamespace(ingress.getMetadata().getNamespace()).withName(ingress.getMetadata().getName())
        .subresource("status").patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
            io.fabric8.kubernetes.client.dsl.base.PatchType.JSON), patch);
    KubernetesStatusSink sink = new KubernetesStatusSink(client);
    java.util.function.Consumer<Ingress> ours = ingress -> sink.writeIngressLoadBalancer(
        new io.portcullis.operator.compile.ObjectRef("Ingress", ingress.getMetadata().getNamespace(),
            ingress.getMetadata().getName(), 0, null),
        List.of(io.portcullis.operator.status.LoadBalancerAddress.ip("10.0.0.1")));
    rows.put("mock API server status writes/s, same object set: plain client by name (GET + PATCH, as round 3 wrote), serial / 8 in flight",
        String.format("%.1f / %.1f (%d writes each)", rate(targets, bare, 1), rate(targets, bare, 8), writes));
    rows.put("mock API server status writes/s, same object set: ours (KubernetesStatusSink, one PATCH), serial / 8 in flight",
        String.format("%.1f / %.1f (%d writes each)", rate(targets, ours, 1), rate(targets, ours, 8), writes));
  }

  private static double rate(List<Ingress> targets, java.util.function.Consumer<Ingress> write, int inFlight)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(inFlight);
    try {
      long t = System.nanoTime();
      List<Future<?>> done = new ArrayList<>();
      for (Ingress ingress : targets) {
        done.add(pool.submit(() -> write.accept(ingress)));
      }
      for (Future<?> f : done) {
        f.get();
      }
      return targets.size() * 1e9 / (System.nanoTime() - t);
    } finally {
      pool.shutdownNow();
    }
  }

  private final Map<Integer, List<Long>> stageTimes = new java.util.TreeMap<>();

  /** A config a dataplane swapped in, and when. */
  /** A dataplane swapped in {@code snapshot} at {@code at}; the stream handed it over at {@code handed}. */
  record Applied(long at, Snapshot snapshot, long handed) {}

  /** When the operator's source reported a change, and when each compile started and ended. */
  private final Queue<Long> events = new ConcurrentLinkedQueue<>();
  private final Queue<Long> compileStarts = new ConcurrentLinkedQueue<>();
  private final Queue<Long> compileEnds = new ConcurrentLinkedQueue<>();

  /** First of {@code times} at or after {@code from}, or -1. */
  private static long firstAfter(Queue<Long> times, long from) {
    long best = -1;
    for (long t : times) {
      if (t >= from && (best < 0 || t < best)) {
        best = t;
      }
    }
    return best;
  }

  private static String base64(TestCertificates.Issued cert) {
    try {
      return java.util.Base64.getEncoder().encodeToString(cert.certificate().getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- measuring and printing

  /** CPU time of this thread: on a shared machine wall time mostly measures the neighbours. */
  private static long cpu() {
    return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static String percentiles(List<Long> nanos) {
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    Function<Double, Long> at = p -> sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    return ms(at.apply(0.50)) + " / " + ms(at.apply(0.99)) + " / " + ms(sorted[sorted.length - 1]);
  }

  private static String ms(long nanos) {
    return String.format("%.1f ms", nanos / 1e6);
  }

  private static String bytes(long n) {
    return n < 10_000 ? n + " B" : String.format("%.1f KiB", n / 1024.0);
  }

  private static String mib(long n) {
    return String.format("%.1f MiB", n / (1024.0 * 1024.0));
  }

  private static void log(String format, Object... args) {
    System.out.println("[scale] " + String.format(format, args));
  }

  private void report() throws IOException {
    StringBuilder out = new StringBuilder();
    out.append(String.format("## N=%d Ingresses, M=%d endpoints each, K=%d ProxyRoutes, D=%d dataplanes (%s)%n%n",
        ingresses, endpoints, proxyRoutes, dataplanes, Instant.now()));
    out.append("| measure | value |\n| --- | --- |\n");
    rows.forEach((k, v) -> out.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    String path = System.getProperty("scale.out", "target/scale-report.md");
    Files.writeString(Path.of(path), out.toString());
    System.out.println(out);
  }
}
