package io.portcullis.operator.pki;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A value the operator generates once and keeps in a Secret, so that restarts and every replica
 * share it. Creation is create-if-absent: when two replicas race, the API server accepts one
 * create and answers 409 to the other, which then reads the winner's value. A Secret that exists
 * but cannot be decoded is never overwritten (it may be someone else's): the caller gets a
 * {@link PkiException} naming it.
 *
 * @param <T> the decoded value
 */
final class CreateOnceSecret<T> {
  private static final Logger log = LoggerFactory.getLogger(CreateOnceSecret.class);
  private static final int ATTEMPTS = 3;

  /** How a value is stored in a Secret's data and read back. */
  interface Codec<T> {
    /** The Secret's type, e.g. {@code Opaque} or {@code kubernetes.io/tls}. */
    String type();

    Map<String, String> encode(T value);

    /** Decodes the Secret's value; throws {@link PkiException} when it holds no usable value. */
    T decode(Secret secret);
  }

  private final KubernetesClient client;
  private final NamespacedName ref;
  private final String what;
  private final Codec<T> codec;

  /**
   * @param what what the Secret holds, for log lines and errors (e.g. "CA")
   */
  CreateOnceSecret(KubernetesClient client, NamespacedName ref, String what, Codec<T> codec) {
    this.client = client;
    this.ref = ref;
    this.what = what;
    this.codec = codec;
  }

  /** The stored value, or a new one from {@code create} stored first. */
  T loadOrCreate(Supplier<T> create) {
    return loadOrReplace(create, existing -> true);
  }

  /**
   * The stored value while {@code keep} accepts it; otherwise (or when absent) a new one from
   * {@code create} replaces it. A replacement lost to a concurrent writer reads the winner's.
   */
  T loadOrReplace(Supplier<T> create, Function<T, Boolean> keep) {
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Secret existing = read();
      if (existing != null) {
        T value = codec.decode(existing);
        if (keep.apply(value)) {
          log.info("{} loaded from Secret {}", what, ref);
          return value;
        }
      }
      T value = create.get();
      try {
        Secret secret = SecretData.build(ref, codec.type(), codec.encode(value));
        if (existing == null) {
          client.secrets().inNamespace(ref.namespace()).resource(secret).create();
          log.info("{} created in Secret {}", what, ref);
        } else {
          // Optimistic: the resourceVersion we read makes a concurrent replacement a 409.
          secret.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
          client.secrets().inNamespace(ref.namespace()).resource(secret).update();
          log.info("{} replaced in Secret {}", what, ref);
        }
        return value;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw new PkiException("cannot write " + what + " Secret " + ref + ": " + reason(e), e);
        }
        log.info("{} Secret {} was written concurrently by another replica; reading it", what, ref);
      }
    }
    throw new PkiException(what + " Secret " + ref + " keeps conflicting; giving up after "
        + ATTEMPTS + " attempts");
  }

  private Secret read() {
    try {
      return client.secrets().inNamespace(ref.namespace()).withName(ref.name()).get();
    } catch (KubernetesClientException e) {
      throw new PkiException("cannot read " + what + " Secret " + ref + ": " + reason(e), e);
    }
  }

  static String reason(KubernetesClientException e) {
    String status = e.getStatus() == null ? null : e.getStatus().getMessage();
    if (e.getCode() > 0) {
      return "HTTP " + e.getCode() + " " + firstLine(status != null ? status : e.getMessage());
    }
    // No answer from the API server: the innermost cause says why (DNS, refused, TLS ...).
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? firstLine(e.getMessage()) : "API server unreachable: " + root;
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl);
  }
}
