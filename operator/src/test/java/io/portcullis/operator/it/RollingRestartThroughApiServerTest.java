package io.portcullis.operator.it;

import io.portcullis.operator.MockApiServer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.operator.chart.ChartGrantsEveryRequest;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.config.RuntimeConfig;
import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.dataplane.proxy.ProxyServer;
import io.portcullis.dataplane.proxy.ProxySettings;
import io.portcullis.dataplane.stream.StreamClient;
import io.portcullis.operator.Operator;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.portcullis.operator.MockApiServerSettled;

/**
 * Mock API server tier: a Deployment's rolling update as the proxy sees it, through EndpointSlice
 * churn on the API server, the real operator, the snapshot stream and the real dataplane, while
 * clients keep sending GETs. Every old pod is replaced in turn: the new pod joins the slice ready,
 * the old one turns terminating (its preStop delay), leaves the slice and is killed; one old pod
 * instead hangs and is killed while still listed ready, cutting the requests it holds, so the
 * proxy meets it dead before the API server says so. No client may see a failure, and a pod
 * takes no new request once the proxy knows it is terminating.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
@ExtendWith(ChartGrantsEveryRequest.class)
class RollingRestartThroughApiServerTest {
  private static final Duration DEADLINE = MockApiServer.DEADLINE;
  private static final String NS = "shop";
  private static final String SERVICE = "web";
  private static final int CLIENTS = 3;
  /** The step whose old pod is killed while the slice still lists it ready. */
  private static final int CRASH_STEP = 1;

  KubernetesClient client;

  /** The pods behind the Service, in slice order, and whether each is terminating. */
  private final List<Pod> pods = new ArrayList<>();
  private final List<LoopbackBackend> backends = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  /** Per client thread: requests started, and requests answered or failed. */
  private final AtomicLongArray started = new AtomicLongArray(CLIENTS);
  private final AtomicLongArray finished = new AtomicLongArray(CLIENTS);
  private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private int podPort;
  private Operator operator;
  private LiveConfig config;
  private ProxyServer proxy;
  private int proxyPort;
  private StreamClient streamClient;
  private ExecutorService load;

  private record Pod(LoopbackBackend backend, boolean terminating) {}

  /** Request {@code index} of client {@code thread} was answered 200 by {@code backend}. */
  private record Answer(int thread, long index, String backend) {}

  @BeforeEach
  void start() throws Exception {
    ApiServerFixtures.defaultIngressClass(client);
    operator = ApiServerFixtures.startOperator(client, 0);
    config = new LiveConfig();
    ProxyMetrics metrics = new ProxyMetrics();
    proxy =
        new ProxyServer(
            ProxySettings.builder().bindAddress("127.0.0.1").port(0).build(), config, metrics);
    proxyPort = proxy.start();
    streamClient =
        new StreamClient(
            URI.create("http://127.0.0.1:" + operator.snapshotPort()), "dataplane-1", config, metrics);
    streamClient.start();
  }

  @AfterEach
  void stop() throws Exception {
    running.set(false);
    if (load != null) {
      load.shutdownNow();
      load.awaitTermination(10, TimeUnit.SECONDS);
    }
    List<AutoCloseable> all = new ArrayList<>(List.of(streamClient, proxy, operator));
    all.addAll(backends);
    for (AutoCloseable c : all) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // best effort: the next test starts from fresh ports
      }
    }
  }

  @Test
  void aRollingUpdateOfEveryPodUnderSteadyLoadFailsNoRequest() throws Exception {
    List<LoopbackBackend> old = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      old.add(pod("old" + i, 11 + i));
      pods.add(new Pod(old.get(i), false));
    }
    service();
    publishSlice();
    ingress();
    // Load starts once the route and all three endpoints are live, so every failure counts.
    for (LoopbackBackend b : old) {
      await().atMost(DEADLINE).until(() -> upstream(b).isPresent());
    }
    await().atMost(DEADLINE).until(() -> probe() == 200);
    startLoad();
    for (LoopbackBackend b : old) {
      await().atMost(DEADLINE).until(() -> b.requests() > 0);
    }

    List<LoopbackBackend> fresh = new ArrayList<>();
    for (int step = 0; step < old.size(); step++) {
      LoopbackBackend leaving = old.get(step);
      LoopbackBackend joining = pod("new" + step, 21 + step);
      fresh.add(joining);
      pods.add(new Pod(joining, false));
      publishSlice();
      await().atMost(DEADLINE).until(() -> joining.requests() > 0);

      if (step == CRASH_STEP) {
        // The pod hangs and is killed (OOM kill, lost node) while the slice still lists it ready:
        // the requests it holds are cut, and until the API server says so, new ones meet a refused
        // connect or a pooled connection that breaks. All of them must be retried elsewhere.
        leaving.hold();
        await().atMost(DEADLINE).until(() -> leaving.held() > 0);
        leaving.close();
        long cutFailures = leaving.held();
        await()
            .atMost(DEADLINE)
            .until(() -> upstream(leaving).map(UpstreamEndpoint::failures).orElse(0L) > cutFailures);
        setPods(leaving, null);
        await().atMost(DEADLINE).until(() -> upstream(leaving).isEmpty());
        continue;
      }

      // Kubernetes marks the old pod terminating while its preStop delay runs: it still serves.
      setPods(leaving, true);
      await().atMost(DEADLINE).until(() -> upstream(leaving).map(UpstreamEndpoint::terminating).orElse(false));
      long[] terminatingSeen = mark();
      awaitEveryClientPast(terminatingSeen);
      // Then the pod leaves the slice, and once the proxy knows, it is killed: connections the
      // proxy still pools to it break.
      setPods(leaving, null);
      await().atMost(DEADLINE).until(() -> upstream(leaving).isEmpty());
      leaving.close();
      awaitEveryClientPast(mark());
      assertEquals(
          List.of(),
          answersAfter(terminatingSeen).filter(a -> a.backend().equals(leaving.name())).toList(),
          leaving.name() + " took no new request once the proxy knew it was terminating");
    }

    // All traffic now goes to the new pods only, and each of them takes some.
    long[] done = mark();
    for (LoopbackBackend b : fresh) {
      long before = b.requests();
      await().atMost(DEADLINE).until(() -> b.requests() > before);
    }
    awaitEveryClientPast(done);
    running.set(false);
    load.shutdown();
    assertTrue(load.awaitTermination(10, TimeUnit.SECONDS), "clients stopped");

    assertEquals(List.of(), List.copyOf(failures), "failed requests");
    List<String> newNames = fresh.stream().map(LoopbackBackend::name).toList();
    assertEquals(
        List.of(),
        answersAfter(done).filter(a -> !newNames.contains(a.backend())).toList(),
        "answers from old pods after the rollout");
    assertTrue(answers.size() > 50, "steady load: " + answers.size() + " requests");
  }

  // ---------------------------------------------------------------- load

  private void startLoad() {
    load = Executors.newFixedThreadPool(CLIENTS);
    for (int t = 0; t < CLIENTS; t++) {
      int thread = t;
      load.submit(() -> sendUntilStopped(thread));
    }
  }

  /** One client: GETs back to back, every outcome recorded. */
  private void sendUntilStopped(int thread) {
    while (running.get()) {
      long index = started.incrementAndGet(thread);
      try {
        HttpRequest request =
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/t" + thread + "/" + index))
                .header("Host", "shop.example.com")
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        String body = response.body();
        if (response.statusCode() == 200 && body.endsWith(" /t" + thread + "/" + index)) {
          answers.add(new Answer(thread, index, body.substring(0, body.indexOf(' '))));
        } else {
          failures.add("request " + index + ": " + response.statusCode() + " " + body);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        if (running.get()) {
          failures.add("request " + index + ": " + e);
        }
      }
      finished.incrementAndGet(thread);
    }
  }

  private int probe() throws Exception {
    return http
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/probe"))
                .header("Host", "shop.example.com")
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** How many requests each client has started: later ones are picked under the proxy's config now. */
  private long[] mark() {
    long[] m = new long[CLIENTS];
    for (int t = 0; t < CLIENTS; t++) {
      m[t] = started.get(t);
    }
    return m;
  }

  /** Waits until every client finished a request it started after {@code mark}. */
  private void awaitEveryClientPast(long[] mark) {
    for (int t = 0; t < CLIENTS; t++) {
      int thread = t;
      await().atMost(DEADLINE).until(() -> finished.get(thread) > mark[thread]);
    }
  }

  private java.util.stream.Stream<Answer> answersAfter(long[] mark) {
    return answers.stream().filter(a -> a.index() > mark[a.thread()]);
  }

  // ---------------------------------------------------------------- cluster

  /** A pod on its own loopback address; every pod listens on the same port, as in a Deployment. */
  private LoopbackBackend pod(String name, int lastOctet) throws Exception {
    LoopbackBackend b =
        new LoopbackBackend(name, InetAddress.getByName("127.0.0." + lastOctet), podPort);
    podPort = b.port();
    backends.add(b);
    return b;
  }

  /** The dataplane's live endpoint for {@code pod}, if its current config has one. */
  private Optional<UpstreamEndpoint> upstream(LoopbackBackend pod) {
    RuntimeConfig current = config.current();
    if (current == null) {
      return Optional.empty();
    }
    return current.clusters().stream()
        .flatMap(c -> c.endpoints().stream())
        .filter(e -> e.endpoint().address().equals(pod.address()) && e.endpoint().port() == pod.port())
        .findFirst();
  }

  /** Marks {@code pod} terminating (true) or removes it from the slice (null). */
  private void setPods(LoopbackBackend pod, Boolean terminating) {
    for (int i = 0; i < pods.size(); i++) {
      if (pods.get(i).backend() == pod) {
        if (terminating == null) {
          pods.remove(i);
        } else {
          pods.set(i, new Pod(pod, terminating));
        }
        publishSlice();
        return;
      }
    }
    throw new IllegalArgumentException("no such pod: " + pod.name());
  }

  /** Writes the Service's one EndpointSlice as the EndpointSlice controller would. */
  private void publishSlice() {
    EndpointSliceBuilder slice =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withNamespace(NS)
            .withName(SERVICE + "-abc")
            .addToLabels("kubernetes.io/service-name", SERVICE)
            .endMetadata()
            .withAddressType("IPv4")
            .addNewPort()
            .withName("http")
            .withPort(podPort)
            .withProtocol("TCP")
            .endPort();
    for (Pod p : pods) {
      slice
          .addNewEndpoint()
          .withAddresses(p.backend().address())
          .withNewConditions()
          .withReady(!p.terminating())
          .withServing(true)
          .withTerminating(p.terminating())
          .endConditions()
          .endEndpoint();
    }
    EndpointSlice built = slice.build();
    client.resource(built).createOr(existing -> existing.update());
  }

  private void service() {
    client
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withNamespace(NS)
                .withName(SERVICE)
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName("http")
                .withPort(80)
                .withTargetPort(new IntOrString(podPort))
                .endPort()
                .endSpec()
                .build())
        .create();
  }

  private void ingress() {
    client
        .resource(
            new IngressBuilder()
                .withNewMetadata()
                .withNamespace(NS)
                .withName("shop")
                // What a user who wants pod crashes hidden sets: the default retries only a
                // failed connect, and a GET cut in flight needs "reset" too.
                .addToAnnotations("portcullis.io/retries", "2 on connect-failure,reset")
                .endMetadata()
                .withNewSpec()
                .addNewRule()
                .withHost("shop.example.com")
                .withNewHttp()
                .addNewPath()
                .withPath("/")
                .withPathType("Prefix")
                .withNewBackend()
                .withNewService()
                .withName(SERVICE)
                .withNewPort()
                .withNumber(80)
                .endPort()
                .endService()
                .endBackend()
                .endPath()
                .endHttp()
                .endRule()
                .endSpec()
                .build())
        .create();
  }

}
