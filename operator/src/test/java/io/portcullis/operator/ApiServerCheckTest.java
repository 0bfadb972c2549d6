package io.portcullis.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ApiServerCheckTest {

  @Test
  void aReachableApiServerPasses() {
    KubernetesMockServer server = new KubernetesMockServer(false);
    server.init();
    try {
      Config config = new ConfigBuilder(Config.empty()).withMasterUrl(server.url("/")).withTrustCerts(true).build();
      assertEquals(Optional.empty(), ApiServerCheck.check(config, Map.of()));
    } finally {
      server.destroy();
    }
  }

  @Test
  void noApiServerFailsFastAndSaysWhatToDo() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:" + closed).build();
    // Bounded by the test itself, not by a wall-clock assertion: the check must give up well
    // within the 5 s a user waits.
    String message = CompletableFuture.supplyAsync(() -> ApiServerCheck.check(config, Map.of("KUBECONFIG", "/tmp/kc")))
        .get(ApiServerCheck.TIMEOUT.plus(Duration.ofSeconds(2)).toMillis(), TimeUnit.MILLISECONDS)
        .orElseThrow();
    assertTrue(message.startsWith("cannot reach the Kubernetes API server at https://127.0.0.1:" + closed), message);
    assertTrue(message.contains("KUBECONFIG=/tmp/kc"), message);
    assertTrue(message.contains("--manifests DIR"), message);
    assertTrue(!message.contains("Exception"), message);
  }

  @Test
  void anUnresolvableHostSaysSo() {
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://kubernetes.invalid:6443").build();
    String message = ApiServerCheck.check(config, Map.of()).orElseThrow();
    // A resolver may answer "no such host" or not answer at all; both end within the deadline.
    assertTrue(message.contains("does not resolve") || message.contains("no answer within"), message);
    assertTrue(message.contains("--manifests DIR"), message);
  }
}
