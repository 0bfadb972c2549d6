package io.portcullis.operator.compile.nginx;

import java.util.Objects;

/**
 * One annotation ingress-nginx documents and what Portcullis does with it.
 *
 * @param name the part after {@code nginx.ingress.kubernetes.io/}
 * @param support how far it is honoured
 * @param how what it compiles to, the difference, or why it is refused
 */
public record NginxAnnotation(String name, Support support, String how) {
  public NginxAnnotation {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(support, "support");
    Objects.requireNonNull(how, "how");
    if (name.startsWith(NginxAnnotations.PREFIX) || name.isBlank()) {
      throw new IllegalArgumentException("name without the prefix: " + name);
    }
  }

  public String fullName() {
    return NginxAnnotations.PREFIX + name;
  }

  public boolean honoured() {
    return support == Support.SUPPORTED || support == Support.PARTLY;
  }
}
