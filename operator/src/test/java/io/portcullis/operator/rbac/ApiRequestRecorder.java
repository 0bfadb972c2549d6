package io.portcullis.operator.rbac;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * Records every request a fabric8 client sends, as {@link ApiRequest}s: give the operator a client
 * made by {@link #client(Config)} and the test's own set-up (another client) stays out of the
 * record. Watches count too: the interceptor also sees the upgrade request of a web socket.
 */
public final class ApiRequestRecorder implements Interceptor {
  private final ConcurrentLinkedQueue<ApiRequest> requests = new ConcurrentLinkedQueue<>();

  /** A new client on {@code config} whose requests this recorder records. */
  public KubernetesClient client(Config config) {
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("rbac-recorder", this))
        .build();
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    ApiRequest.of(request.method(), request.uri()).ifPresent(requests::add);
  }

  public List<ApiRequest> requests() {
    return List.copyOf(requests);
  }

  public long count(Predicate<ApiRequest> which) {
    return requests.stream().filter(which).count();
  }

  /** The distinct requests, sorted by their description. */
  public Set<String> distinct() {
    Set<String> out = new TreeSet<>();
    requests.forEach(r -> out.add(r.toString()));
    return out;
  }

  public void clear() {
    requests.clear();
  }
}
