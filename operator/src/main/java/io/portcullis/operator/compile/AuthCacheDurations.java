package io.portcullis.operator.compile;

import io.portcullis.snapshot.filter.ExternalAuth;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long external auth reuses an answer, per status: ingress-nginx's auth-cache-duration, which
 * is nginx's {@code proxy_cache_valid} ({@code "200 202 10m, 401 5m"}: statuses, then one time;
 * no status means 200; the first group naming a status wins; a zero time caches nothing). Only
 * the answers that decide are reusable (2xx, 401, 403): other statuses are left out; times
 * longer than the snapshot's limit are cut to it.
 */
final class AuthCacheDurations {
  /** ingress-nginx's default once auth-cache-key is set. */
  static final String NGINX_DEFAULT = "200 202 401 5m";
  private static final Pattern TIME = Pattern.compile("(\\d{1,9})(ms|s|m|h|d|w|M|y)");
  private static final Pattern STATUS = Pattern.compile("\\d{3}");

  private AuthCacheDurations() {}

  static Map<Integer, Long> parse(String value) throws InvalidInputException {
    Map<Integer, Long> out = new LinkedHashMap<>();
    for (String group : value.split(",")) {
      String[] tokens = group.trim().split("\\s+");
      if (tokens.length == 0 || tokens[0].isEmpty()) {
        continue;
      }
      Matcher time = TIME.matcher(tokens[tokens.length - 1]);
      if (!time.matches()) {
        throw new InvalidInputException("auth cache duration '" + StatusCollector.bounded(group.trim())
            + "' does not end in a time such as 5m");
      }
      long millis = Math.min(ExternalAuth.MAX_CACHE_MILLIS, toMillis(time));
      List<String> statuses = List.of(tokens).subList(0, tokens.length - 1);
      if (statuses.isEmpty()) {
        statuses = List.of("200");
      }
      for (String status : statuses) {
        if (!STATUS.matcher(status).matches()) {
          throw new InvalidInputException("auth cache duration: '" + StatusCollector.bounded(status)
              + "' is not a status (name the statuses, such as 200 202 401 5m)");
        }
        int code = Integer.parseInt(status);
        if (decides(code)) {
          out.putIfAbsent(code, millis);
        } // nginx would keep a 500 too; here such an answer is asked for again each time

      }
    }
    out.values().removeIf(millis -> millis == 0); // nginx: a zero time caches nothing
    return out;
  }

  /** The same time for each of {@code statuses}. */
  static Map<Integer, Long> of(List<Integer> statuses, long millis) throws InvalidInputException {
    Map<Integer, Long> out = new LinkedHashMap<>();
    for (Integer status : statuses) {
      out.put(checked(status == null ? 0 : status), millis);
    }
    return out;
  }

  private static boolean decides(int status) {
    return (status >= 200 && status <= 299) || status == 401 || status == 403;
  }

  private static int checked(int status) throws InvalidInputException {
    if (!decides(status)) {
      throw new InvalidInputException("auth cache: a " + status
          + " answer does not decide and is never reused (2xx, 401 and 403 are)");
    }
    return status;
  }

  private static long toMillis(Matcher time) {
    long n = Long.parseLong(time.group(1));
    long unit = switch (time.group(2)) {
      case "ms" -> 1;
      case "s" -> 1_000;
      case "m" -> 60_000;
      case "h" -> 3_600_000;
      case "d" -> 86_400_000;
      case "w" -> 7 * 86_400_000L;
      case "M" -> 30 * 86_400_000L;
      default -> 365 * 86_400_000L; // y
    };
    return n > Long.MAX_VALUE / unit ? Long.MAX_VALUE : n * unit;
  }
}
