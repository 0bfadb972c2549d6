package io.portcullis.operator.pki;

import java.util.regex.Pattern;

/** A {@code namespace/name} reference to a Secret or Service, as given on the command line. */
public record NamespacedName(String namespace, String name) {
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  public NamespacedName {
    if (namespace == null || !DNS_LABEL.matcher(namespace).matches()) {
      throw new IllegalArgumentException("'" + namespace + "' is not a valid namespace name");
    }
    if (name == null || !DNS_SUBDOMAIN.matcher(name).matches()) {
      throw new IllegalArgumentException("'" + name + "' is not a valid object name");
    }
  }

  /** Parses {@code namespace/name}. */
  public static NamespacedName parse(String text) {
    int slash = text.indexOf('/');
    if (slash <= 0 || slash != text.lastIndexOf('/')) {
      throw new IllegalArgumentException("expected namespace/name");
    }
    return new NamespacedName(text.substring(0, slash), text.substring(slash + 1));
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
