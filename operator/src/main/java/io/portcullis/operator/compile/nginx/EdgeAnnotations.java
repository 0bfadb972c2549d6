package io.portcullis.operator.compile.nginx;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * whitelist-source-range and denylist-source-range onto {@code portcullis.io/ip-allow} and
 * {@code ip-deny}. An entry that is not an address or CIDR fails closed there (403 for every
 * client, and an Event), as an unreadable IP rule must.
 */
final class EdgeAnnotations {
  private EdgeAnnotations() {}

  static void read(Reading r) {
    list(r, "whitelist-source-range", "portcullis.io/ip-allow");
    list(r, "denylist-source-range", "portcullis.io/ip-deny");
  }

  private static void list(Reading r, String annotation, String ours) {
    String value = r.take(annotation);
    if (value != null) {
      r.ours(ours, Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
          .collect(Collectors.joining(",")));
    }
  }
}
