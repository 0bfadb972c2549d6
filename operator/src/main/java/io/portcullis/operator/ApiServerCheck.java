package io.portcullis.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Cluster mode's first step: one quick request to the API server, so that an operator started
 * without a cluster says so within seconds, with what to do, instead of retrying for half a
 * minute and failing with a network exception's name.
 */
final class ApiServerCheck {
  /** Connect plus answer; the whole check stays under the 5 s a user waits before giving up. */
  static final Duration TIMEOUT = Duration.ofSeconds(3);

  private ApiServerCheck() {}

  /**
   * @return empty when the API server answered, else the one line to print before exiting
   */
  static Optional<String> check(Config config, Map<String, String> env) {
    Config quick = new ConfigBuilder(config)
        .withConnectionTimeout((int) TIMEOUT.toMillis())
        .withRequestTimeout((int) TIMEOUT.toMillis())
        .withRequestRetryBackoffLimit(0)
        .build();
    // A hard deadline around the whole request: name resolution is not bound by the client's
    // timeouts, and a resolver that does not answer must not hold the start-up either.
    ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "api-server-check");
      t.setDaemon(true);
      return t;
    });
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(quick).build()) {
      thread.submit(() -> client.getKubernetesVersion()).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return Optional.empty();
    } catch (TimeoutException e) {
      return Optional.of(unreachable(config, "no answer within " + TIMEOUT.toSeconds() + " s", env));
    } catch (ExecutionException e) {
      return Optional.of(unreachable(config, rootCause(e.getCause()), env));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of(unreachable(config, "interrupted", env));
    } catch (RuntimeException e) {
      return Optional.of(unreachable(config, rootCause(e), env));
    } finally {
      thread.shutdownNow();
    }
  }

  private static String unreachable(Config config, String why, Map<String, String> env) {
    return "cannot reach the Kubernetes API server at " + config.getMasterUrl() + " (" + why + "). " + hint(env);
  }

  /** Where the address came from, and the two ways forward. */
  private static String hint(Map<String, String> env) {
    String source;
    if (env.get("KUBECONFIG") != null && !env.get("KUBECONFIG").isBlank()) {
      source = "KUBECONFIG=" + env.get("KUBECONFIG") + " names it";
    } else if (Files.exists(Path.of(System.getProperty("user.home"), ".kube", "config"))) {
      source = "~/.kube/config names it";
    } else if (env.containsKey("KUBERNETES_SERVICE_HOST")) {
      source = "the pod's service account names it";
    } else {
      source = "No KUBECONFIG, no ~/.kube/config and not in a pod, so the in-cluster default was tried";
    }
    return source + ". Point KUBECONFIG at a reachable cluster, or run without one: --manifests DIR"
        + " (local mode; ./run-local.sh does that for you).";
  }

  /** The cause in a user's words: the exception chain's names are no help to them. */
  private static String rootCause(Throwable e) {
    String last = null;
    boolean refused = false;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String name = t.getClass().getSimpleName();
      if (name.equals("UnresolvedAddressException") || name.equals("UnknownHostException")) {
        return "its host name does not resolve";
      }
      if (name.contains("Timeout")) {
        return "no answer within " + TIMEOUT.toSeconds() + " s";
      }
      if (name.contains("SSL")) {
        return "TLS handshake failed: " + t.getMessage();
      }
      refused |= name.equals("ConnectException") || name.equals("ClosedChannelException");
      if (t.getMessage() != null) {
        last = t.getMessage().lines().findFirst().orElse(null);
      }
    }
    return refused ? "connection refused" : last == null ? "no answer" : last;
  }
}
