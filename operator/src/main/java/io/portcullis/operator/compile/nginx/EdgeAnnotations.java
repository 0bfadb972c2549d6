package io.portcullis.operator.compile.nginx;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * allowlist-source-range (and its older name whitelist-source-range, which ingress-nginx still
 * reads as an alias) and denylist-source-range onto {@code portcullis.io/ip-allow} and {@code
 * ip-deny}. An entry that is not an address or CIDR fails closed there (403 for every client, and
 * an Event), as an unreadable IP rule must.
 */
final class EdgeAnnotations {
  private EdgeAnnotations() {}

  static void read(Reading r) {
    String allow = r.take("allowlist-source-range");
    String whitelist = r.take("whitelist-source-range");
    if (allow != null && whitelist != null) {
      r.invalid("whitelist-source-range", whitelist, "allowlist-source-range applies");
    }
    list(r, allow != null ? allow : whitelist, "portcullis.io/ip-allow");
    list(r, r.take("denylist-source-range"), "portcullis.io/ip-deny");
  }

  private static void list(Reading r, String value, String ours) {
    if (value != null) {
      r.ours(ours, Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
          .collect(Collectors.joining(",")));
    }
  }
}
