package io.portcullis.operator.compile.nginx;


/**
 * proxy-body-size onto {@code portcullis.io/max-request-body} (nginx's
 * {@code client_max_body_size}: a number with an optional k, m or g, binary units, any case;
 * 0 is unlimited) and limit-connections onto {@code portcullis.io/concurrent-requests-per-client}
 * (nginx's {@code limit_conn} per client address: requests in progress, each HTTP/2 stream
 * counted, 503 over it).
 */
final class LimitAnnotations {
  static final String MAX_REQUEST_BODY = "portcullis.io/max-request-body";
  static final String CONCURRENT_PER_CLIENT = "portcullis.io/concurrent-requests-per-client";

  private LimitAnnotations() {}

  static void read(Reading r) {
    String size = r.take("proxy-body-size");
    if (size != null) {
      try {
        r.ours(MAX_REQUEST_BODY, Long.toString(nginxSize(size)));
      } catch (IllegalArgumentException e) {
        r.invalid("proxy-body-size", size, e.getMessage() + "; the dataplane's limit applies");
      }
    }
    String connections = r.take("limit-connections");
    if (connections != null) {
      try {
        r.ours(CONCURRENT_PER_CLIENT,
            Integer.toString(Reading.integer(connections, 1, 1_000_000)));
      } catch (IllegalArgumentException e) {
        r.invalid("limit-connections", connections, e.getMessage() + "; no limit applies");
      }
    }
  }

  /** A size as nginx reads one: bytes, or k, m, g times 1024, 1024², 1024³. */
  static long nginxSize(String value) {
    if (!value.matches("\\d{1,12}[kKmMgG]?")) {
      throw new IllegalArgumentException("expected a size such as 8m (units k, m, g; 0 = unlimited)");
    }
    char unit = Character.toLowerCase(value.charAt(value.length() - 1));
    String digits = Character.isDigit(unit) ? value : value.substring(0, value.length() - 1);
    long n = Long.parseLong(digits);
    int shift = switch (unit) {
      case 'k' -> 10;
      case 'm' -> 20;
      case 'g' -> 30;
      default -> 0;
    };
    if (n > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException("size too large");
    }
    return n << shift;
  }
}
