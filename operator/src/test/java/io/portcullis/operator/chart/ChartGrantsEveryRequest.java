package io.portcullis.operator.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.portcullis.operator.rbac.ApiRequest;
import io.portcullis.operator.rbac.ApiRequestRecorder;
import io.portcullis.operator.rbac.GrantedRbac;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Records every request the operators of a mock-API-server test class make, and after the class
 * asserts that the chart's RBAC (default values, release {@code portcullis} as in {@code deploy/},
 * rendered by real Helm) allows each one. Operators get their client from {@link
 * #operatorClient(KubernetesClient)}; the test's own set-up keeps using its own client and is not
 * recorded. {@link RbacCoverageTest} covers the other chart settings and least privilege.
 */
public final class ChartGrantsEveryRequest implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
  private static volatile ApiRequestRecorder active;
  private static final List<KubernetesClient> CLIENTS = new ArrayList<>();
  private static GrantedRbac defaults;

  /**
   * A client for an operator under test: recording when a test class runs with this extension,
   * else {@code user} itself. Closed after each test.
   */
  public static KubernetesClient operatorClient(KubernetesClient user) {
    ApiRequestRecorder recorder = active;
    if (recorder == null) {
      return user;
    }
    KubernetesClient client = recorder.client(user.getConfiguration());
    synchronized (CLIENTS) {
      CLIENTS.add(client);
    }
    return client;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    active = new ApiRequestRecorder();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    synchronized (CLIENTS) {
      CLIENTS.forEach(KubernetesClient::close);
      CLIENTS.clear();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    ApiRequestRecorder recorder = active;
    active = null;
    GrantedRbac granted = chartDefaults();
    Set<String> denied = new TreeSet<>();
    for (ApiRequest request : recorder.requests()) {
      if (!granted.allows(request)) {
        denied.add(request.toString());
      }
    }
    Path dir = Path.of("target", "rbac-coverage");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(context.getRequiredTestClass().getSimpleName() + ".txt"),
        String.join("\n", recorder.distinct()) + "\n\nDENIED:\n" + String.join("\n", denied) + "\n");
    assertEquals(Set.of(), denied,
        context.getRequiredTestClass().getSimpleName() + ": requests the chart's RBAC does not allow");
  }

  private static synchronized GrantedRbac chartDefaults() {
    if (defaults == null) {
      List<HasMetadata> rendered = Chart.parse(Chart.template(DeployManifestsTest.RELEASE, Map.of()));
      Deployment operator = Chart.all(rendered, Deployment.class).stream()
          .filter(d -> d.getMetadata().getName().endsWith("-operator"))
          .findFirst()
          .orElseThrow();
      defaults = GrantedRbac.of(rendered, Chart.NAMESPACE,
          operator.getSpec().getTemplate().getSpec().getServiceAccountName());
    }
    return defaults;
  }
}
