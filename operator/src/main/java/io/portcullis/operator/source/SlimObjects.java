package io.portcullis.operator.source;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Drops what the operator never reads from an object before an informer stores it: the
 * {@code managedFields} the API server records for every writer (often larger than the spec),
 * and the copy of the whole object that {@code kubectl apply} keeps in an annotation (for a
 * Secret, its certificate and private key a second time). At 10,000 Ingresses with their
 * Services, EndpointSlices and Secrets that is tens of MiB held for nothing. The empty maps
 * fabric8 gives every object for unknown fields become one shared map ({@link SharedEmptyExtras}).
 */
final class SlimObjects {
  /** The annotation {@code kubectl apply} writes; no other annotation is touched. */
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private SlimObjects() {}

  /** Strips {@code object} in place (it was just decoded for the informer) and returns it. */
  static <T extends HasMetadata> T slim(T object) {
    ObjectMeta meta = object.getMetadata();
    if (meta == null) {
      return object;
    }
    if (meta.getManagedFields() != null && !meta.getManagedFields().isEmpty()) {
      meta.setManagedFields(null);
    }
    Map<String, String> annotations = meta.getAnnotations();
    if (annotations != null && annotations.containsKey(LAST_APPLIED)) {
      // A copy: the decoded map is mutable, but nothing here should depend on that.
      Map<String, String> kept = new LinkedHashMap<>(annotations);
      kept.remove(LAST_APPLIED);
      meta.setAnnotations(kept);
    }
    return SharedEmptyExtras.share(object);
  }
}
