package io.portcullis.operator.status;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressStatus;
import io.fabric8.kubernetes.api.model.networking.v1.IngressStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.portcullis.operator.compile.ObjectRef;
import io.portcullis.operator.compile.ObjectStatus;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteStatus;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Statuses and Events on the API server. A ProxyRoute status goes out as a JSON patch of the
 * status subresource holding only the status, so it never conflicts with the user's edits of the
 * spec, needs no resourceVersion, and works where server-side apply does not (the mock server).
 * Events go through an {@link EventCorrelator}: one Event per (object, reason, message), found
 * again by name after a leader change, similar ones combined, a rate limit per object.
 */
public final class KubernetesStatusSink implements StatusSink {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesStatusSink.class);

  /** The {@code source.component} of every Event we create. */
  public static final String COMPONENT = "portcullis-operator";

  private final KubernetesClient client;
  private final KubernetesEventRecorder events;

  public KubernetesStatusSink(KubernetesClient client) {
    this(client, Clock.systemUTC());
  }

  public KubernetesStatusSink(KubernetesClient client, Clock clock) {
    this(client, clock, EventCorrelator.Settings.DEFAULT);
  }

  public KubernetesStatusSink(KubernetesClient client, Clock clock, EventCorrelator.Settings events) {
    this.client = client;
    this.events = new KubernetesEventRecorder(client, clock, events);
  }

  @Override
  public void writeProxyRouteStatus(ObjectRef route, ProxyRouteStatus status) {
    ProxyRoute named = new ProxyRoute();
    named.setMetadata(named(route));
    patchStatus(client.resources(ProxyRoute.class).resource(named), route, status);
  }

  @Override
  public void writeIngressLoadBalancer(ObjectRef ingress, List<LoadBalancerAddress> addresses) {
    IngressStatus status = new IngressStatusBuilder()
        .withNewLoadBalancer()
        .withIngress(addresses.stream().map(LoadBalancerAddress::toModel).toList())
        .endLoadBalancer()
        .build();
    patchStatus(
        client.network().v1().ingresses().resource(new Ingress(null, null, named(ingress), null, null)),
        ingress,
        status);
  }

  /**
   * The object by name only: a patch through a resource handle that holds an object is sent as
   * it is, while one through a handle by name first GETs the object (fabric8 7.8), which doubled
   * the requests per status write (and on the mock API server every request scans every object).
   */
  private static ObjectMeta named(ObjectRef ref) {
    return new ObjectMetaBuilder().withNamespace(ref.namespace()).withName(ref.name()).build();
  }

  /**
   * One JSON Patch "add" of /status on the status subresource: it replaces the whole status
   * whether or not one exists, and sends nothing of the spec. (A merge patch would do on a real
   * API server, but the mock server merges lists inside merge patches instead of replacing them.)
   * An object deleted since the compile is skipped: the next compile forgets it.
   */
  private void patchStatus(Resource<?> object, ObjectRef ref, Object status) {
    String patch =
        client
            .getKubernetesSerialization()
            .asJson(List.of(Map.of("op", "add", "path", "/status", "value", status)));
    try {
      object.subresource("status").patch(PatchContext.of(PatchType.JSON), patch);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        LOG.debug("{} is gone, status not written", ref);
        return;
      }
      throw e;
    }
  }

  @Override
  public void recordEvent(ObjectRef object, ObjectStatus.Event event) {
    recordEvents(List.of(new EventCorrelator.Occurrence(object, event)));
  }

  /**
   * Through the correlator: deduplicated by name, aggregated, rate-limited per object. Best
   * effort, like client-go's recorder: a failed write is logged, not offered again.
   */
  @Override
  public List<EventCorrelator.Occurrence> recordEvents(List<EventCorrelator.Occurrence> occurrences) {
    events.record(occurrences);
    return List.of();
  }

  static String truncate(String message) {
    return KubernetesEventRecorder.truncate(message);
  }

  static final int MAX_MESSAGE_CHARS = KubernetesEventRecorder.MAX_MESSAGE_CHARS;
}
