package io.portcullis.operator.compile.nginx;

import io.portcullis.snapshot.RetryPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** backend-protocol, proxy-*-timeout, proxy-next-upstream*. */
final class UpstreamAnnotations {
  /** ingress-nginx's default proxy_next_upstream_tries. */
  static final int DEFAULT_TRIES = 3;

  private UpstreamAnnotations() {}

  static void read(Reading r) {
    String protocol = r.take("backend-protocol");
    if (protocol != null) {
      String ours = switch (protocol.toUpperCase(Locale.ROOT)) {
        case "HTTP" -> "http1";
        case "HTTPS" -> "https";
        case "GRPC", "H2C" -> "h2c";
        case "GRPCS" -> "h2";
        default -> null;
      };
      if (ours == null) {
        r.invalid("backend-protocol", protocol,
            "HTTP, HTTPS, GRPC, GRPCS or H2C (AUTO_HTTP and FCGI are not supported); HTTP applies");
      } else {
        r.ours("portcullis.io/backend-protocol", ours);
        if (ours.equals("https") || ours.equals("h2")) {
          // ingress-nginx's proxy-ssl-verify defaults to off: any certificate is accepted.
          r.ours("portcullis.io/backend-tls-verify", "false");
        }
      }
    }
    String connect = r.take("proxy-connect-timeout");
    if (connect != null) {
      try {
        r.ours("portcullis.io/connect-timeout", Reading.seconds(connect) / 1000 + "s");
      } catch (IllegalArgumentException e) {
        r.invalid("proxy-connect-timeout", connect, e.getMessage());
      }
    }
    long idle = 0;
    for (String name : List.of("proxy-read-timeout", "proxy-send-timeout")) {
      String value = r.take(name);
      if (value != null) {
        try {
          idle = Math.max(idle, Reading.seconds(value));
        } catch (IllegalArgumentException e) {
          r.invalid(name, value, e.getMessage());
        }
      }
    }
    r.idleTimeoutMillis = idle;
    retries(r);
  }

  private static void retries(Reading r) {
    String on = r.take("proxy-next-upstream");
    String tries = r.take("proxy-next-upstream-tries");
    String timeout = r.take("proxy-next-upstream-timeout");
    if (on == null && tries == null && timeout == null) {
      return;
    }
    int attempts = DEFAULT_TRIES - 1;
    if (tries != null) {
      try {
        // 0 is "unlimited" in nginx; the snapshot allows 10 retries at most.
        int n = Reading.integer(tries, 0, 1000);
        attempts = n == 0 ? 10 : Math.min(10, n - 1);
      } catch (IllegalArgumentException e) {
        r.invalid("proxy-next-upstream-tries", tries, e.getMessage() + "; 3 applies");
      }
    }
    List<String> conditions = new ArrayList<>(List.of("connect-failure", "reset", "timeout"));
    boolean nonIdempotent = false;
    if (on != null) {
      conditions.clear();
      for (String word : on.trim().split("\\s+")) {
        switch (word) {
          case "error" -> {
            conditions.add("connect-failure");
            conditions.add("reset");
          }
          case "timeout" -> conditions.add("timeout");
          case "http_502" -> conditions.add("502");
          case "http_503" -> conditions.add("503");
          case "http_504" -> conditions.add("504");
          case "non_idempotent" -> nonIdempotent = true;
          case "off" -> attempts = 0;
          case "invalid_header", "http_500", "http_403", "http_404", "http_429" -> { }
          default -> r.invalid("proxy-next-upstream", word, "unknown condition");
        }
      }
    }
    long perTry = 0;
    if (timeout != null) {
      try {
        perTry = Reading.seconds(timeout);
      } catch (IllegalArgumentException e) {
        r.invalid("proxy-next-upstream-timeout", timeout, e.getMessage());
      }
    }
    RetryPolicy d = RetryPolicy.DEFAULT;
    r.retries = new RetryPolicy(attempts, conditions.stream().distinct().toList(), nonIdempotent,
        perTry, d.backoffBaseMillis(), d.backoffMaxMillis());
  }
}
