package io.portcullis.operator.it;

import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.portcullis.operator.Main;
import io.portcullis.operator.Operator;
import io.portcullis.operator.OperatorOptions;
import io.portcullis.operator.compile.Compiler;
import io.portcullis.operator.source.KubernetesSource;
import io.portcullis.operator.status.KubernetesStatusSink;
import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.operator.chart.ChartGrantsEveryRequest;
import java.util.List;
import java.util.Map;

/** What the mock-API-server tests set up alike: our IngressClass, and an operator on the client. */
final class ApiServerFixtures {
  private ApiServerFixtures() {}

  /** Creates the IngressClass {@code portcullis}, ours and the cluster's default. */
  static void defaultIngressClass(KubernetesClient client) {
    client.resource(
            new IngressClassBuilder()
                .withNewMetadata()
                .withName("portcullis")
                .addToAnnotations("ingressclass.kubernetes.io/is-default-class", "true")
                .endMetadata()
                .withNewSpec()
                .withController("portcullis.io/ingress-controller")
                .endSpec()
                .build())
        .create();
  }

  /**
   * Starts an operator watching through a client like {@code user}'s (see {@link
   * ChartGrantsEveryRequest#operatorClient}), its snapshot stream on 127.0.0.1:{@code
   * snapshotPort} (0: any free port), metrics on any free port.
   */
  static Operator startOperator(KubernetesClient user, int snapshotPort) throws Exception {
    return startOperator(user, snapshotPort, new String[0]);
  }

  /** As {@link #startOperator(KubernetesClient, int)}, with more flags. */
  static Operator startOperator(KubernetesClient user, int snapshotPort, String... moreFlags)
      throws Exception {
    // Recorded and checked against the chart's RBAC when the test class asks for it.
    KubernetesClient client = ChartGrantsEveryRequest.operatorClient(user);
    java.util.List<String> args = new java.util.ArrayList<>(List.of(
        "--snapshot-port", Integer.toString(snapshotPort),
        "--snapshot-address", "127.0.0.1",
        "--metrics-port", "0"));
    args.addAll(List.of(moreFlags));
    OperatorOptions options = OperatorOptions.parse(args.toArray(String[]::new), Map.of());
    Operator started =
        new Operator(
            options,
            new KubernetesSource(client, List.of(), options.endpointsSource()),
            new KubernetesStatusSink(client),
            new Compiler(options.compilerSettings())::compile,
            new SnapshotStore(),
            Main.streamServer());
    started.start();
    return started;
  }
}
