package io.portcullis.operator.compile.nginx;

import java.util.regex.Pattern;

/** rewrite-target, use-regex, app-root, x-forwarded-prefix, upstream-vhost, server-alias. */
final class PathAnnotations {
  private static final Pattern HOST =
      Pattern.compile("(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern HEADER_VALUE = Pattern.compile("[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?");

  private PathAnnotations() {}

  static void read(Reading r) {
    String regex = r.take("use-regex");
    String target = r.take("rewrite-target");
    try {
      // ingress-nginx: rewrite-target implies regex paths.
      if ((regex != null && Reading.bool(regex)) || target != null) {
        r.ours("portcullis.io/use-regex", "true");
      }
    } catch (IllegalArgumentException e) {
      r.invalid("use-regex", regex, e.getMessage());
    }
    if (target != null) {
      if (target.isEmpty() || !target.startsWith("/") || !HEADER_VALUE.matcher(target).matches()) {
        r.invalid("rewrite-target", target, "expected a path starting with /");
      } else {
        r.rewriteTarget = target;
      }
    }
    String appRoot = r.take("app-root");
    if (appRoot != null) {
      if (!appRoot.startsWith("/") || appRoot.equals("/") || !HEADER_VALUE.matcher(appRoot).matches()) {
        r.invalid("app-root", appRoot, "expected a path other than / starting with /");
      } else {
        r.appRoot = appRoot;
      }
    }
    header(r, "x-forwarded-prefix", "x-forwarded-prefix");
    header(r, "upstream-vhost", "host");
    String aliases = r.take("server-alias");
    if (aliases != null) {
      for (String alias : aliases.split("[,\\s]+")) {
        String host = alias.trim().toLowerCase(java.util.Locale.ROOT);
        if (host.isEmpty()) {
          continue;
        }
        if (!HOST.matcher(host).matches() || host.length() > 253) {
          r.invalid("server-alias", alias, "not a host name (regex aliases are not supported)");
        } else if (!r.aliases.contains(host)) {
          r.aliases.add(host);
        }
      }
    }
  }

  private static void header(Reading r, String annotation, String header) {
    String value = r.take(annotation);
    if (value == null) {
      return;
    }
    if (!HEADER_VALUE.matcher(value).matches()) {
      r.invalid(annotation, value, "not a usable header value");
    } else {
      r.headers.put(header, value);
    }
  }
}
