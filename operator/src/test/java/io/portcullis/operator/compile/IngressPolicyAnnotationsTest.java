package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.AffinityCookie;
import io.portcullis.snapshot.ClusterPolicy.HashOn;
import io.portcullis.snapshot.ClusterPolicy.LoadBalancer;
import io.portcullis.snapshot.ClusterPolicy.Policy;
import io.portcullis.snapshot.ClusterPolicy.Protocol;
import io.portcullis.snapshot.RetryPolicy;
import io.portcullis.snapshot.RouteAction;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Ingress traffic-policy annotations, each value and each mistake. */
class IngressPolicyAnnotationsTest {
  private static final String ROUTE = "ingress/default/shop/shop.example.com/";

  private static Compiled compileWith(String key, String value) {
    return compile(ingress("default", "shop").annotation(key, value).host("shop.example.com")
        .prefix("/", "web", 80), backendWithEndpoints("default", "web", 80, "10.0.0.1"));
  }

  private static RouteAction.Forward forward(Compiled c) {
    return (RouteAction.Forward) c.route(ROUTE).action();
  }

  private static Cluster cluster(Compiled c) {
    return c.cluster(forward(c).backends().get(0).cluster());
  }

  private static ClusterPolicy lb(LoadBalancer lb) {
    return new ClusterPolicy(null, null, lb, 0, null, null, null, 0, null);
  }

  static Stream<Arguments> clusterAnnotations() {
    return Stream.of(
        Arguments.of(IngressAnnotations.LOAD_BALANCER, "least-request", lb(LoadBalancer.of(Policy.LEAST_REQUEST))),
        Arguments.of(IngressAnnotations.LOAD_BALANCER, "random", lb(LoadBalancer.of(Policy.RANDOM))),
        Arguments.of(IngressAnnotations.LOAD_BALANCER, "maglev-header:X-User",
            lb(new LoadBalancer(Policy.MAGLEV, HashOn.HEADER, "x-user", null))),
        Arguments.of(IngressAnnotations.LOAD_BALANCER, "maglev-cookie:session",
            lb(new LoadBalancer(Policy.MAGLEV, HashOn.COOKIE, "session", null))),
        Arguments.of(IngressAnnotations.LOAD_BALANCER, "maglev-query:user",
            lb(new LoadBalancer(Policy.MAGLEV, HashOn.QUERY_PARAMETER, "user", null))),
        Arguments.of(IngressAnnotations.LOAD_BALANCER, "maglev-client-address",
            lb(new LoadBalancer(Policy.MAGLEV, HashOn.CLIENT_ADDRESS, null, null))),
        Arguments.of(IngressAnnotations.LOAD_BALANCER, "cookie-affinity:sticky",
            lb(new LoadBalancer(Policy.COOKIE_AFFINITY, null, null, new AffinityCookie("sticky", 0, null)))),
        Arguments.of(IngressAnnotations.CONNECT_TIMEOUT, "2s",
            new ClusterPolicy(null, null, null, 0, null, null, null, 2000, null)),
        Arguments.of(IngressAnnotations.BACKEND_PROTOCOL, "h2c",
            new ClusterPolicy(Protocol.H2, null, null, 0, null, null, null, 0, null)),
        Arguments.of(IngressAnnotations.BACKEND_PROTOCOL, "h2",
            new ClusterPolicy(Protocol.H2, UpstreamRequest.DEFAULT_TRUST, null, 0, null, null, null, 0, null)),
        Arguments.of(IngressAnnotations.BACKEND_PROTOCOL, "https",
            new ClusterPolicy(null, UpstreamRequest.DEFAULT_TRUST, null, 0, null, null, null, 0, null)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("clusterAnnotations")
  void clusterAnnotation(String key, String value, ClusterPolicy expected) {
    Compiled c = compileWith(key, value);
    assertEquals(expected, cluster(c).policy());
    assertTrue(cluster(c).name().matches("default/web:80/[0-9a-f]{8}"), cluster(c).name());
    assertAllGood(c.ingressStatus("default", "shop"));
  }

  @Test
  @DisplayName("round-robin and http1 are the defaults: the plain cluster")
  void defaultsKeepPlainCluster() {
    assertEquals("default/web:80", cluster(compileWith(IngressAnnotations.LOAD_BALANCER, "round-robin")).name());
    assertEquals("default/web:80", cluster(compileWith(IngressAnnotations.BACKEND_PROTOCOL, "http1")).name());
  }

  @Test
  @DisplayName("retries \"2\" retries twice on the default conditions")
  void retriesCount() {
    RetryPolicy d = RetryPolicy.DEFAULT;
    assertEquals(new RetryPolicy(2, ClusterPolicies.DEFAULT_RETRY_ON, false, 0, d.backoffBaseMillis(), d.backoffMaxMillis()),
        forward(compileWith(IngressAnnotations.RETRIES, "2")).retries());
  }

  @Test
  @DisplayName("retries \"2 on connect-failure,503\" names its conditions")
  void retriesConditions() {
    RetryPolicy d = RetryPolicy.DEFAULT;
    assertEquals(new RetryPolicy(2, List.of("connect-failure", "503"), false, 0, d.backoffBaseMillis(), d.backoffMaxMillis()),
        forward(compileWith(IngressAnnotations.RETRIES, "2 on connect-failure,503")).retries());
  }

  @Test
  @DisplayName("request-timeout sets the route's total timeout")
  void requestTimeout() {
    Compiled c = compileWith(IngressAnnotations.REQUEST_TIMEOUT, "30s");
    assertEquals(30_000, forward(c).timeoutMillis());
    assertEquals("default/web:80", cluster(c).name());
  }

  static Stream<Arguments> badAnnotations() {
    return Stream.of(
        Arguments.of(IngressAnnotations.LOAD_BALANCER, "fastest", "unknown policy"),
        Arguments.of(IngressAnnotations.LOAD_BALANCER, "maglev-header", "maglev-header needs a name"),
        Arguments.of(IngressAnnotations.LOAD_BALANCER, "random:x", "random takes no name"),
        Arguments.of(IngressAnnotations.LOAD_BALANCER, "cookie-affinity:", "a name must follow"),
        Arguments.of(IngressAnnotations.RETRIES, "two", "expected a number of attempts"),
        Arguments.of(IngressAnnotations.RETRIES, "2 on 5xx", "unknown retry condition '5xx'"),
        Arguments.of(IngressAnnotations.RETRIES, "2 when 503", "expected 'on'"),
        Arguments.of(IngressAnnotations.RETRIES, "50", "attempts must be 0 to 10"),
        Arguments.of(IngressAnnotations.REQUEST_TIMEOUT, "soon", "is not a duration"),
        Arguments.of(IngressAnnotations.CONNECT_TIMEOUT, "1.5s", "is not a duration"),
        Arguments.of(IngressAnnotations.BACKEND_PROTOCOL, "grpc", "unknown protocol 'grpc'"));
  }

  @ParameterizedTest(name = "{0}: \"{1}\" warns and falls back to the default")
  @MethodSource("badAnnotations")
  void badAnnotation(String key, String value, String problem) {
    Compiled c = compileWith(key, value);
    ObjectStatus.Event e = warning(c.ingressStatus("default", "shop"), Reasons.INVALID_ANNOTATION);
    assertTrue(e.message().contains("annotation " + key) && e.message().contains(problem), e.message());
    assertEquals(RouteAction.Forward.to("default/web:80"), forward(c), "the default applies");
    assertNull(cluster(c).policy());
  }
}
