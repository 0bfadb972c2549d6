package io.portcullis.operator.chart;

import io.portcullis.operator.MockApiServer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.operator.ClusterOperator;
import io.portcullis.operator.OperatorOptions;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.leader.LeaderElection;
import io.portcullis.operator.rbac.ApiRequest;
import io.portcullis.operator.rbac.ApiRequestRecorder;
import io.portcullis.operator.rbac.ClusterObjects;
import io.portcullis.operator.rbac.GrantedRbac;
import io.portcullis.operator.replicas.ReplicaAckPublisher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.operator.MockApiServerSettled;

/**
 * The chart's RBAC grants every request the operator makes, and nothing it never makes.
 *
 * <p>Two operator replicas run as a pod runs them ({@link ClusterOperator}, configured from the
 * environment of the chart's own Deployment) against the mock API server, through a client that
 * records every request. The user's objects exercise what the operator reads and writes: Ingress
 * and ProxyRoute statuses, Events, the published address, TLS Secrets named by Ingresses, leader
 * election with a release on shutdown, the per-replica ack reports, the control channel's CA.
 * Every recorded request is mapped to its RBAC verb and must be allowed by the RBAC the chart
 * renders with real Helm for the same values; every granted verb no request used is reported (and
 * fails the test unless listed, with its reason, in {@link #GRANTED_BUT_NOT_EXERCISED}).
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
class RbacCoverageTest {
  private static final Duration DEADLINE = MockApiServer.DEADLINE;
  private static final String RELEASE = "pc";
  private static final String NS = "shop";
  private static final ClusterOperator.Timings FAST = new ClusterOperator.Timings(
      new LeaderElection.Timings(Duration.ofMillis(1500), Duration.ofMillis(1000), Duration.ofMillis(100)),
      new ReplicaAckPublisher.Timings(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(2)));

  /**
   * Granted on purpose although a short test run does not use them; each with why. Lines are
   * "verb group/resource scope" as {@link GrantedRbac#grantedLines()} prints them, without the
   * binding in brackets.
   */
  private static final String STATIC_SITES =
      "static sites: a ConfigMap is watched (by name) only while a ProxyRoute names one"
          + " (ReferencedConfigMapsTest exercises it)";

  static final Map<String, String> GRANTED_BUT_NOT_EXERCISED = Map.of(
      "update core/secrets in " + Chart.NAMESPACE + " names=[pc-portcullis-ca, pc-portcullis-dataplane-tls,"
          + " pc-portcullis-default-tls]",
      "renewing the dataplanes' certificate (and the generated default one) days before they expire",
      "create core/secrets in " + NS,
      "an OIDC session Secret that a route names and nobody made (SessionSecretsTest exercises it)",
      "list core/configmaps (cluster-wide)", STATIC_SITES,
      "watch core/configmaps (cluster-wide)", STATIC_SITES,
      "list core/configmaps in " + NS, STATIC_SITES,
      "watch core/configmaps in " + NS, STATIC_SITES);

  KubernetesClient client;

  static Stream<Arguments> modes() {
    return Stream.of(
        Arguments.of("endpointslices, all namespaces", Map.of()),
        Arguments.of("endpoints, all namespaces", Map.of("operator.endpointsSource", "endpoints")),
        Arguments.of("endpointslices, namespace-scoped", Map.of("operator.watchNamespaces[0]", NS)),
        Arguments.of("endpoints, namespace-scoped",
            Map.of("operator.watchNamespaces[0]", NS, "operator.endpointsSource", "endpoints")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void theChartGrantsEveryRequestTheOperatorMakes(String mode, Map<String, String> values) throws Exception {
    List<HasMetadata> rendered = Chart.render(values);
    Deployment deployment = Chart.one(rendered, Deployment.class, RELEASE + "-portcullis-operator");
    Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    String serviceAccount = deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
    GrantedRbac granted = GrantedRbac.of(rendered, Chart.NAMESPACE, serviceAccount);

    ApiRequestRecorder recorder = new ApiRequestRecorder();
    userObjects(rendered, values.getOrDefault("operator.endpointsSource", "endpointslices"));
    List<ClusterOperator> replicas = new ArrayList<>();
    List<KubernetesClient> clients = new ArrayList<>();
    try {
      for (String pod : List.of("a", "b")) {
        KubernetesClient operatorClient = recorder.client(client.getConfiguration());
        clients.add(operatorClient);
        ClusterOperator replica = new ClusterOperator(
            options(container), operatorClient, podEnv(container, deployment.getMetadata().getName() + "-" + pod), FAST);
        replicas.add(replica);
        replica.start();
      }
      awaitTheOperatorsDidTheirWork(replicas);
    } finally {
      // The leader first: it releases the Lease, the other takes over, then stops too.
      replicas.sort((x, y) -> Boolean.compare(y.election().isLeader(), x.election().isLeader()));
      replicas.forEach(ClusterOperator::close);
      clients.forEach(KubernetesClient::close);
    }

    Set<String> denied = new TreeSet<>();
    Set<String> used = new TreeSet<>();
    for (ApiRequest request : recorder.requests()) {
      if (granted.allows(request)) {
        used.addAll(granted.linesUsedBy(request));
      } else {
        denied.add(request.toString());
      }
    }
    Set<String> unused = new TreeSet<>(granted.grantedLines());
    unused.removeAll(used);
    report(mode, recorder.distinct(), denied, unused);
    assertEquals(Set.of(), denied, mode + ": requests the chart's RBAC does not allow (see target/rbac-coverage)");
    Set<String> unexpectedUnused = new TreeSet<>();
    for (String line : unused) {
      if (!GRANTED_BUT_NOT_EXERCISED.containsKey(line.replaceAll(" \\[.*\\]$", ""))) {
        unexpectedUnused.add(line);
      }
    }
    assertEquals(Set.of(), unexpectedUnused, mode + ": granted but never used (least privilege)");
  }

  /** What a user has in the cluster: routes, a backend, a missing Service, a Secret of the wrong type. */
  private void userObjects(List<HasMetadata> rendered, String endpointsSource) {
    ClusterObjects.apply(client, ClusterObjects.ingressClass());
    ClusterObjects.apply(client, ClusterObjects.service(NS, "web", 8080));
    ClusterObjects.apply(client, ClusterObjects.endpointsOf(endpointsSource, NS, "web", 8080, true));
    ClusterObjects.apply(client, ClusterObjects.ingress(NS, "web", "web.example.com", "web", "web-tls"));
    ClusterObjects.apply(client, ClusterObjects.ingress(NS, "broken", "broken.example.com", "missing", null));
    ClusterObjects.apply(client, ClusterObjects.secret(NS, "web-tls", "Opaque", Map.of("k", "dg==")));
    ClusterObjects.apply(client, ClusterObjects.proxyRoute(NS, "api", "api.example.com", "web"));
    // The release's dataplane Service, with the address a cloud load balancer gave it.
    Service dataplane = Chart.one(rendered, Service.class, RELEASE + "-portcullis-dataplane");
    dataplane.getMetadata().setNamespace(Chart.NAMESPACE);
    dataplane.setStatus(null);
    ClusterObjects.apply(client, dataplane);
    Service withAddress = client.services().inNamespace(Chart.NAMESPACE).withName(dataplane.getMetadata().getName()).get();
    withAddress.setStatus(new io.fabric8.kubernetes.api.model.ServiceStatusBuilder()
        .withNewLoadBalancer()
        .withIngress(new LoadBalancerIngressBuilder().withIp("203.0.113.7").build())
        .endLoadBalancer()
        .build());
    client.resource(withAddress).updateStatus();
  }

  private void awaitTheOperatorsDidTheirWork(List<ClusterOperator> replicas) {
    await().atMost(DEADLINE).until(() -> replicas.stream().anyMatch(r -> r.election().isLeader()));
    await().atMost(DEADLINE).until(() -> {
      ProxyRoute route = client.resources(ProxyRoute.class).inNamespace(NS).withName("api").get();
      return route.getStatus() != null && route.getStatus().getConditions() != null;
    });
    await().atMost(DEADLINE).until(() -> {
      Ingress web = client.network().v1().ingresses().inNamespace(NS).withName("web").get();
      return web.getStatus() != null && web.getStatus().getLoadBalancer() != null
          && web.getStatus().getLoadBalancer().getIngress() != null
          && !web.getStatus().getLoadBalancer().getIngress().isEmpty();
    });
    await().atMost(DEADLINE).until(() -> client.v1().events().inNamespace(NS).list().getItems().stream()
        .anyMatch(e -> "broken".equals(e.getInvolvedObject().getName())));
    // Both replicas publish their dataplanes' acks.
    await().atMost(DEADLINE).until(() -> client.resources(Lease.class).inNamespace(Chart.NAMESPACE).list()
        .getItems().size() >= 3);
    // A leader change: the leader releases the Lease, the other replica takes over and bumps the
    // Events the first one created.
    ClusterOperator leader = replicas.stream().filter(r -> r.election().isLeader()).findFirst().orElseThrow();
    // Counted now, not assumed 1: on a loaded machine a leader can lose a renew and take the
    // Lease back, bumping the Event once more before this point.
    int before = brokenEventCount();
    leader.close();
    await().atMost(DEADLINE).until(() -> replicas.stream().anyMatch(r -> r.election().isLeader()));
    await().atMost(DEADLINE).until(() -> brokenEventCount() > before);
  }

  private int brokenEventCount() {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> "broken".equals(e.getInvolvedObject().getName()))
        .mapToInt(e -> e.getCount() == null ? 1 : e.getCount())
        .max()
        .orElse(0);
  }

  /** The flags as the chart sets them, on loopback and free ports. */
  private static OperatorOptions options(Container container) {
    return OperatorOptions.parse(new String[0], podEnv(container, "unused"));
  }

  private static Map<String, String> podEnv(Container container, String podName) {
    Map<String, String> env = new HashMap<>();
    for (EnvVar var : container.getEnv()) {
      if (var.getValue() != null) {
        env.put(var.getName(), var.getValue());
      }
    }
    env.put("POD_NAME", podName);
    env.put("POD_NAMESPACE", Chart.NAMESPACE);
    env.put("PORTCULLIS_SNAPSHOT_ADDRESS", "127.0.0.1");
    env.put("PORTCULLIS_SNAPSHOT_PORT", "0");
    env.put("PORTCULLIS_METRICS_PORT", "0");
    return env;
  }

  private static void report(String mode, Set<String> requests, Set<String> denied, Set<String> unused) throws Exception {
    Path dir = Path.of("target", "rbac-coverage");
    Files.createDirectories(dir);
    Map<String, Set<String>> sections = new LinkedHashMap<>();
    sections.put("requests the operator made", requests);
    sections.put("DENIED by the chart's RBAC", denied);
    sections.put("granted but never used", unused);
    StringBuilder out = new StringBuilder("# " + mode + "\n");
    sections.forEach((title, lines) -> {
      out.append("\n## ").append(title).append(" (").append(lines.size()).append(")\n");
      lines.forEach(l -> out.append(l).append('\n'));
    });
    Files.writeString(dir.resolve(mode.replaceAll("[^a-z]+", "-") + ".txt"), out.toString());
    System.out.println(out);
    assertFalse(requests.isEmpty(), "nothing recorded");
  }
}
