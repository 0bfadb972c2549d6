package io.portcullis.operator.status;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
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
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Statuses and Events on the API server. A ProxyRoute status goes out as a JSON patch of the
 * status subresource holding only the status, so it never conflicts with the user's edits of the
 * spec, needs no resourceVersion, and works where server-side apply does not (the mock server).
 * An event that comes back after it was cleared bumps the count of the Event it created before.
 */
public final class KubernetesStatusSink implements StatusSink {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesStatusSink.class);

  /** The {@code source.component} of every Event we create. */
  public static final String COMPONENT = "portcullis-operator";

  /** How many created Events are remembered for count bumps; older ones get a new Event. */
  static final int MAX_REMEMBERED_EVENTS = 10_000;

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<String, String> eventNames =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > MAX_REMEMBERED_EVENTS;
        }
      };

  public KubernetesStatusSink(KubernetesClient client) {
    this(client, Clock.systemUTC());
  }

  public KubernetesStatusSink(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  @Override
  public void writeProxyRouteStatus(ObjectRef route, ProxyRouteStatus status) {
    patchStatus(
        client.resources(ProxyRoute.class).inNamespace(route.namespace()).withName(route.name()),
        route,
        status);
  }

  @Override
  public void writeIngressLoadBalancer(ObjectRef ingress, List<LoadBalancerAddress> addresses) {
    IngressStatus status = new IngressStatusBuilder()
        .withNewLoadBalancer()
        .withIngress(addresses.stream().map(LoadBalancerAddress::toModel).toList())
        .endLoadBalancer()
        .build();
    patchStatus(
        client.network().v1().ingresses().inNamespace(ingress.namespace()).withName(ingress.name()),
        ingress,
        status);
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
  public synchronized void recordEvent(ObjectRef object, ObjectStatus.Event event) {
    String key = object + "\n" + event.reason() + "\n" + event.message();
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    String existing = eventNames.get(key);
    if (existing != null && bump(object.namespace(), existing, now)) {
      return;
    }
    // Object names may use all 253 characters an Event name may have: leave room for the suffix.
    String base = object.name().length() > 200 ? object.name().substring(0, 200) : object.name();
    String name = base + "." + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    Event created =
        new EventBuilder()
            .withMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace(object.namespace()).build())
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withKind(object.kind())
                    .withApiVersion(apiVersion(object.kind()))
                    .withNamespace(object.namespace())
                    .withName(object.name())
                    .withUid(object.uid())
                    .build())
            .withReason(event.reason())
            .withMessage(truncate(event.message()))
            .withType(event.warning() ? "Warning" : "Normal")
            .withNewSource()
            .withComponent(COMPONENT)
            .endSource()
            .withReportingComponent(COMPONENT)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .build();
    client.v1().events().inNamespace(object.namespace()).resource(created).create();
    eventNames.put(key, name);
  }

  /** @return false when the old Event no longer exists (expired) and a new one is needed */
  private boolean bump(String namespace, String name, String now) {
    try {
      Event updated =
          client
              .v1()
              .events()
              .inNamespace(namespace)
              .withName(name)
              .edit(
                  e -> {
                    e.setCount(e.getCount() == null ? 2 : e.getCount() + 1);
                    e.setLastTimestamp(now);
                    return e;
                  });
      return updated != null;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  /** Same bound as client-go's event recorder: Events are hints, not logs. */
  static final int MAX_MESSAGE_CHARS = 1024;

  static String truncate(String message) {
    return message.length() <= MAX_MESSAGE_CHARS
        ? message
        : message.substring(0, MAX_MESSAGE_CHARS - 3) + "...";
  }

  static String apiVersion(String kind) {
    return switch (kind) {
      case "Ingress" -> "networking.k8s.io/v1";
      case "ProxyRoute" -> "portcullis.io/v1alpha1";
      default -> "v1";
    };
  }

}
