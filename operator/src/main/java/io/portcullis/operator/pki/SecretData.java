package io.portcullis.operator.pki;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads and writes the base64 {@code data} of Secrets the PKI owns. */
final class SecretData {
  static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  static final String MANAGER = "portcullis-operator";

  private SecretData() {}

  /** The decoded value of {@code key}, or a {@link PkiException} naming the Secret and key. */
  static String require(Secret secret, String key) {
    Map<String, String> data = secret.getData();
    String value = data == null ? null : data.get(key);
    if (value == null) {
      throw new PkiException("Secret " + nameOf(secret) + " has no key " + key);
    }
    try {
      return new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new PkiException("Secret " + nameOf(secret) + " key " + key + " is not base64", e);
    }
  }

  static Secret build(NamespacedName ref, String type, Map<String, String> plain) {
    Map<String, String> data = new LinkedHashMap<>();
    plain.forEach((k, v) ->
        data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return new SecretBuilder()
        .withNewMetadata()
        .withNamespace(ref.namespace())
        .withName(ref.name())
        .addToLabels(MANAGED_BY, MANAGER)
        .endMetadata()
        .withType(type)
        .withData(data)
        .build();
  }

  static String nameOf(Secret secret) {
    return secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName();
  }
}
