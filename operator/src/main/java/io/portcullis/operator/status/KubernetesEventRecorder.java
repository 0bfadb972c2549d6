package io.portcullis.operator.status;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.portcullis.operator.compile.ObjectRef;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what the {@link EventCorrelator} decides: an Event it has not seen is looked up by its
 * name first (get) and bumped (patch) if it exists, so a new leader continues the old leader's
 * Events; only a missing one is created. A known Event is bumped without the lookup. Events are
 * hints: a failed write is logged and dropped, never retried in a loop.
 */
final class KubernetesEventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesEventRecorder.class);

  /** Same bound as client-go's event recorder: Events are hints, not logs. */
  static final int MAX_MESSAGE_CHARS = 1024;

  private final KubernetesClient client;
  private final Clock clock;
  private final EventCorrelator correlator;
  /** Event name to the count it has on the server, as far as this replica wrote it. */
  private final Map<String, Integer> counts =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
          return size() > EventCorrelator.Settings.DEFAULT.maxTracked();
        }
      };
  private String lastError;

  KubernetesEventRecorder(KubernetesClient client, Clock clock, EventCorrelator.Settings settings) {
    this.client = client;
    this.clock = clock;
    this.correlator = new EventCorrelator(settings);
  }

  synchronized void record(List<EventCorrelator.Occurrence> batch) {
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    for (EventCorrelator.EventWrite write : correlator.correlate(batch, clock.instant())) {
      try {
        write(write, now);
        lastError = null;
      } catch (KubernetesClientException e) {
        counts.remove(write.name());
        String error = e.getCode() + " " + e.getMessage();
        if (!error.equals(lastError)) {
          LOG.warn("cannot record event {} on {}: {}", write.reason(), write.involved(), e.getMessage());
          lastError = error;
        }
      }
    }
  }

  private void write(EventCorrelator.EventWrite write, String now) {
    Integer known = counts.get(write.name());
    if (known == null && write.warning()) {
      // Once per Event this replica starts writing (bumps are not logged): what an operator sees
      // in the log, e.g. each refused ingress-nginx annotation, named.
      LOG.warn("event {} {}: {}", write.involved(), write.reason(), write.message());
    }
    if (known == null) {
      Event existing = client.v1().events().inNamespace(write.namespace()).withName(write.name()).get();
      if (existing == null) {
        try {
          client.v1().events().inNamespace(write.namespace()).resource(created(write, now)).create();
          counts.put(write.name(), write.count());
          return;
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409) {
            throw e;
          }
          existing = client.v1().events().inNamespace(write.namespace()).withName(write.name()).get();
          if (existing == null) {
            throw e;
          }
        }
      }
      known = existing.getCount() == null ? 1 : existing.getCount();
    }
    int count = known + write.count();
    String patch = client.getKubernetesSerialization().asJson(Map.of("count", count, "lastTimestamp", now));
    try {
      client.v1().events().inNamespace(write.namespace()).withName(write.name())
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      counts.put(write.name(), count);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      // Expired (Events live an hour) since we last wrote it: start over.
      counts.remove(write.name());
      client.v1().events().inNamespace(write.namespace()).resource(created(write, now)).create();
      counts.put(write.name(), write.count());
    }
  }

  private static Event created(EventCorrelator.EventWrite write, String now) {
    ObjectRef object = write.involved();
    return new EventBuilder()
        .withNewMetadata().withName(write.name()).withNamespace(write.namespace()).endMetadata()
        .withInvolvedObject(
            new ObjectReferenceBuilder()
                .withKind(object.kind())
                .withApiVersion(apiVersion(object.kind()))
                .withNamespace(object.namespace())
                .withName(object.name())
                .withUid(object.uid())
                .build())
        .withReason(write.reason())
        .withMessage(truncate(write.message()))
        .withType(write.warning() ? "Warning" : "Normal")
        .withNewSource().withComponent(KubernetesStatusSink.COMPONENT).endSource()
        .withReportingComponent(KubernetesStatusSink.COMPONENT)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(write.count())
        .build();
  }

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
