package io.portcullis.operator.it;

import io.portcullis.operator.MockApiServer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.operator.chart.ChartGrantsEveryRequest;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.operator.Main;
import io.portcullis.operator.Operator;
import io.portcullis.operator.OperatorOptions;
import io.portcullis.operator.compile.Compiler;
import io.portcullis.operator.leader.LeaderElection;
import io.portcullis.operator.source.KubernetesSource;
import io.portcullis.operator.status.KubernetesStatusSink;
import io.portcullis.operator.store.SnapshotStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.portcullis.operator.MockApiServerSettled;

/**
 * Ingress {@code status.loadBalancer} on the mock API server: from the dataplane Service or fixed
 * addresses, written only on change, and only by the leader among several operators.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
@ExtendWith(ChartGrantsEveryRequest.class)
class IngressStatusTest {
  private static final Duration DEADLINE = MockApiServer.DEADLINE;
  private static final String NS = "shop";
  private static final String SYSTEM = "portcullis-system";
  private static final LeaderElection.Timings FAST =
      new LeaderElection.Timings(Duration.ofMillis(1500), Duration.ofMillis(1000), Duration.ofMillis(100));

  KubernetesClient client;

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> started = new ArrayList<>();

  @BeforeEach
  void ourClassIsTheDefault() {
    ApiServerFixtures.defaultIngressClass(client);
  }

  @AfterEach
  void stopAll() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  @Test
  void theIngressShowsTheDataplaneServiceAddressAndFollowsItButIsNotRewrittenWhenNothingChanged()
      throws Exception {
    loadBalancerService("203.0.113.10", null);
    Operator operator = operator("--publish-service", SYSTEM + "/portcullis-dataplane");
    ingress("shop");

    await().atMost(DEADLINE).until(() -> addresses("shop").equals(List.of("ip=203.0.113.10")));
    await().atMost(DEADLINE).until(() -> ingressWrites(operator) == 1);
    String version = live("shop").getMetadata().getResourceVersion();

    // Other changes make the operator compile and re-check statuses: the address did not change.
    double compiles = metric(operator, "portcullis_operator_compile_seconds_count");
    ingress("other");
    await().atMost(DEADLINE).until(() -> addresses("other").equals(List.of("ip=203.0.113.10")));
    await().atMost(DEADLINE)
        .until(() -> metric(operator, "portcullis_operator_compile_seconds_count") > compiles);
    assertEquals(2, ingressWrites(operator), "one write per Ingress, none repeated");
    assertEquals(version, live("shop").getMetadata().getResourceVersion());

    // The cloud gives the load balancer a host name instead.
    loadBalancerService(null, "lb.example.net");
    await().atMost(DEADLINE).until(() -> addresses("shop").equals(List.of("hostname=lb.example.net")));
    await().atMost(DEADLINE).until(() -> addresses("other").equals(List.of("hostname=lb.example.net")));
    assertEquals(4, ingressWrites(operator));
  }

  @Test
  void aFixedPublishAddressWinsOverTheService() throws Exception {
    loadBalancerService("203.0.113.10", null);
    operator("--publish-service", SYSTEM + "/portcullis-dataplane",
        "--publish-address", "lb.example.org,198.51.100.7");
    ingress("shop");
    await().atMost(DEADLINE).until(() -> addresses("shop")
        .equals(List.of("hostname=lb.example.org", "ip=198.51.100.7")));
  }

  @Test
  void withTwoOperatorsOnlyTheLeaderWritesAndTheOtherTakesOverWhenItStops() throws Exception {
    Operator a = operator("--publish-address", "198.51.100.7");
    LeaderElection electionA = election(a, "operator-a");
    Operator b = operator("--publish-address", "198.51.100.7");
    LeaderElection electionB = election(b, "operator-b");

    ingress("first");
    await().atMost(DEADLINE).until(() -> addresses("first").equals(List.of("ip=198.51.100.7")));
    await().atMost(DEADLINE).until(() -> electionA.isLeader() ^ electionB.isLeader());
    boolean aLeads = electionA.isLeader();
    Operator leader = aLeads ? a : b;
    Operator follower = aLeads ? b : a;
    LeaderElection leaderElection = aLeads ? electionA : electionB;
    LeaderElection followerElection = aLeads ? electionB : electionA;
    assertEquals(1, ingressWrites(leader));
    assertEquals(0, ingressWrites(follower), "the follower writes nothing");

    leaderElection.close();
    leader.close();
    await().atMost(DEADLINE).until(followerElection::isLeader);
    ingress("second");
    await().atMost(DEADLINE).until(() -> addresses("second").equals(List.of("ip=198.51.100.7")));
    // It compared with what the objects show: the first Ingress was already right.
    assertEquals(1, ingressWrites(follower), "the new leader wrote only what was missing");
    assertFalse(leaderElection.isLeader());
  }

  // ---------------------------------------------------------------- helpers

  private Operator operator(String... flags) throws Exception {
    List<String> args = new ArrayList<>(List.of(
        "--snapshot-port", "0", "--snapshot-address", "127.0.0.1", "--metrics-port", "0"));
    args.addAll(List.of(flags));
    OperatorOptions options = OperatorOptions.parse(args.toArray(String[]::new), Map.of());
    KubernetesClient operatorClient = ChartGrantsEveryRequest.operatorClient(client);
    Operator operator = new Operator(
        options,
        new KubernetesSource(operatorClient, List.of(), options.endpointsSource()),
        new KubernetesStatusSink(operatorClient),
        new Compiler(options.compilerSettings())::compile,
        new SnapshotStore(),
        Main.streamServer());
    operator.publishAddresses(Main.publishedAddresses(options, operatorClient));
    started.add(operator);
    operator.start();
    return operator;
  }

  private LeaderElection election(Operator operator, String identity) {
    LeaderElection election = new LeaderElection(client, SYSTEM,
        LeaderElection.leaseName("portcullis"), identity, FAST, new LeaderElection.Listener() {});
    operator.writeStatusOnlyWhile(election::isLeader);
    started.add(election);
    election.start();
    return election;
  }

  private void loadBalancerService(String ip, String hostname) {
    Service service = new ServiceBuilder()
        .withNewMetadata().withNamespace(SYSTEM).withName("portcullis-dataplane").endMetadata()
        .withNewSpec().withType("LoadBalancer").withClusterIP("10.96.0.20").addNewPort()
        .withName("http").withPort(80).endPort().endSpec()
        .build();
    Service current = client.services().inNamespace(SYSTEM).withName("portcullis-dataplane").get();
    if (current == null) {
      current = client.resource(service).create();
    }
    current.setStatus(new io.fabric8.kubernetes.api.model.ServiceStatusBuilder()
        .withNewLoadBalancer()
        .withIngress(new LoadBalancerIngressBuilder().withIp(ip).withHostname(hostname).build())
        .endLoadBalancer()
        .build());
    client.services().inNamespace(SYSTEM).resource(current).updateStatus();
  }

  private void ingress(String name) {
    client.resource(new IngressBuilder()
            .withNewMetadata().withNamespace(NS).withName(name).endMetadata()
            .withNewSpec()
            .addNewRule().withHost(name + ".example.com").withNewHttp().addNewPath()
            .withPath("/").withPathType("Prefix").withNewBackend().withNewService()
            .withName("web").withNewPort().withNumber(80).endPort().endService().endBackend()
            .endPath().endHttp().endRule()
            .endSpec()
            .build())
        .create();
  }

  private Ingress live(String name) {
    return client.network().v1().ingresses().inNamespace(NS).withName(name).get();
  }

  private List<String> addresses(String name) {
    Ingress ingress = live(name);
    if (ingress == null || ingress.getStatus() == null
        || ingress.getStatus().getLoadBalancer() == null
        || ingress.getStatus().getLoadBalancer().getIngress() == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (IngressLoadBalancerIngress e : ingress.getStatus().getLoadBalancer().getIngress()) {
      out.add(e.getIp() != null ? "ip=" + e.getIp() : "hostname=" + e.getHostname());
    }
    return out;
  }

  private int ingressWrites(Operator operator) throws Exception {
    return (int) metric(operator,
        "portcullis_operator_status_writes_total{kind=\"Ingress\",result=\"ok\"}");
  }

  /** A sample's value from the operator's /metrics; 0 when absent. */
  private double metric(Operator operator, String sample) throws Exception {
    String body = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.metricsPort() + "/metrics"))
            .build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(body);
    assertTrue(body.contains("portcullis_operator_compile_seconds"), body);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
