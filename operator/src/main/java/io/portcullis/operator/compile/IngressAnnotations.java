package io.portcullis.operator.compile;

import io.portcullis.snapshot.filter.FilterConfig;
import java.util.List;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.HashOn;
import io.portcullis.snapshot.ClusterPolicy.LoadBalancer;
import io.portcullis.snapshot.ClusterPolicy.Policy;
import io.portcullis.snapshot.RetryPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The traffic-policy annotations of an Ingress, applied to every path of it. A value we cannot
 * use is reported in a Warning event naming the annotation and its default applies, as for the
 * other Ingress annotations: an Ingress has no conditions to carry a rejection, and dropping every
 * rule of it over a tuning knob would turn a typo into an outage.
 *
 * @param policy the backends' cluster policy, protocol and TLS aside
 * @param upstream the protocol the backends speak
 * @param timeoutMillis the whole exchange's timeout, 0 for the default
 * @param retries the retry policy, null for the default
 * @param filters request-path filters (CORS, ...) for every path
 */
record IngressAnnotations(
    ClusterPolicy policy, UpstreamRequest upstream, long timeoutMillis, RetryPolicy retries,
    List<FilterConfig> filters) {
  static final String LOAD_BALANCER = "portcullis.io/load-balancer";
  static final String RETRIES = "portcullis.io/retries";
  static final String REQUEST_TIMEOUT = "portcullis.io/request-timeout";
  static final String CONNECT_TIMEOUT = "portcullis.io/connect-timeout";
  static final String BACKEND_PROTOCOL = "portcullis.io/backend-protocol";
  /** {@code "false"}: a TLS backend's certificate is not verified (ingress-nginx's default). */
  static final String BACKEND_TLS_VERIFY = "portcullis.io/backend-tls-verify";
  private static final ClusterPolicy.UpstreamTls SKIP_VERIFY = new ClusterPolicy.UpstreamTls(null, null, true);

  static final IngressAnnotations NONE =
      new IngressAnnotations(ClusterPolicy.DEFAULT, UpstreamRequest.FROM_SERVICE, 0, null, List.of());

  static IngressAnnotations read(ObjectRef ref, Map<String, String> annotations, StatusCollector status) {
    if (annotations == null || annotations.isEmpty()) {
      return NONE;
    }
    LoadBalancer lb = null;
    long connect = 0;
    long timeout = 0;
    RetryPolicy retries = null;
    UpstreamRequest upstream = UpstreamRequest.FROM_SERVICE;
    String value = null;
    String key = null;
    try {
      key = LOAD_BALANCER;
      value = annotations.get(key);
      lb = value == null ? null : loadBalancer(value.trim());
    } catch (InvalidInputException e) {
      report(ref, status, key, value, e);
    }
    try {
      key = CONNECT_TIMEOUT;
      value = annotations.get(key);
      connect = ClusterPolicies.millis(value == null ? null : value.trim(), "the value", 0);
    } catch (InvalidInputException e) {
      report(ref, status, key, value, e);
    }
    try {
      key = REQUEST_TIMEOUT;
      value = annotations.get(key);
      timeout = ClusterPolicies.millis(value == null ? null : value.trim(), "the value", 0);
    } catch (InvalidInputException e) {
      report(ref, status, key, value, e);
    }
    try {
      key = RETRIES;
      value = annotations.get(key);
      retries = value == null ? null : retries(value.trim());
    } catch (InvalidInputException e) {
      report(ref, status, key, value, e);
    }
    try {
      key = BACKEND_PROTOCOL;
      value = annotations.get(key);
      upstream = value == null ? upstream : UpstreamRequest.of(value.trim(), null);
      String protocol = value;
      key = BACKEND_TLS_VERIFY;
      value = annotations.get(key);
      if (value != null && !value.trim().equals("true")) {
        if (!value.trim().equals("false")) {
          throw new InvalidInputException("expected \"true\" or \"false\"");
        }
        if (!upstream.tlsImplied()) {
          throw new InvalidInputException("only with " + BACKEND_PROTOCOL + " https or h2");
        }
        upstream = UpstreamRequest.of(protocol.trim(), SKIP_VERIFY);
      }
    } catch (InvalidInputException e) {
      report(ref, status, key, value, e);
    }
    ClusterPolicy policy = new ClusterPolicy(null, null, lb, 0, null, null, null, connect, null);
    List<FilterConfig> filters = FilterTranslation.ofIngress(
        annotations, (annotation, bad, e) -> report(ref, status, annotation, bad, e));
    filters.addAll(LimitsTranslation.of(ref, annotations, (a, bad, e) -> report(ref, status, a, bad, e)));
    return new IngressAnnotations(policy, upstream, timeout, retries, filters);
  }

  /** The same annotations with {@code other} filters. */
  IngressAnnotations withFilters(List<FilterConfig> other) {
    return other == filters ? this
        : new IngressAnnotations(policy, upstream, timeoutMillis, retries, other);
  }

  private static void report(
      ObjectRef ref, StatusCollector status, String key, String value, InvalidInputException e) {
    // An exception with a reason of its own says what happens instead of the default.
    String outcome = e.reasonOr(null) == null ? "; the default applies" : "";
    status.event(ref, true, e.reasonOr(Reasons.INVALID_ANNOTATION), "annotation " + key + ": \""
        + StatusCollector.bounded(value) + "\" is not usable (" + e.getMessage() + ")" + outcome);
  }

  /**
   * {@code round-robin}, {@code least-request}, {@code random}, {@code maglev-header:<name>},
   * {@code maglev-cookie:<name>}, {@code maglev-query:<name>}, {@code maglev-client-address},
   * {@code cookie-affinity:<name>}.
   */
  static LoadBalancer loadBalancer(String value) throws InvalidInputException {
    int colon = value.indexOf(':');
    String kind = colon < 0 ? value : value.substring(0, colon);
    String name = colon < 0 ? null : value.substring(colon + 1).trim();
    if (colon >= 0 && name.isEmpty()) {
      throw new InvalidInputException("a name must follow ':'");
    }
    boolean needsName = kind.equals("maglev-header") || kind.equals("maglev-cookie")
        || kind.equals("maglev-query") || kind.equals("cookie-affinity");
    if (needsName != (name != null) && List.of("round-robin", "least-request", "random",
        "maglev-client-address", "maglev-header", "maglev-cookie", "maglev-query",
        "cookie-affinity").contains(kind)) {
      throw new InvalidInputException(needsName ? kind + " needs a name: " + kind + ":<name>"
          : kind + " takes no name");
    }
    return switch (kind) {
      case "round-robin" -> LoadBalancer.of(Policy.ROUND_ROBIN);
      case "least-request" -> LoadBalancer.of(Policy.LEAST_REQUEST);
      case "random" -> LoadBalancer.of(Policy.RANDOM);
      case "maglev-client-address" -> new LoadBalancer(Policy.MAGLEV, HashOn.CLIENT_ADDRESS, null, null);
      case "maglev-header" -> ClusterPolicies.maglev(HashOn.HEADER, name, "header name");
      case "maglev-cookie" -> ClusterPolicies.maglev(HashOn.COOKIE, name, "cookie name");
      case "maglev-query" -> ClusterPolicies.maglev(HashOn.QUERY_PARAMETER, name, "query parameter");
      case "cookie-affinity" -> {
        if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}")) {
          throw new InvalidInputException("the cookie name must be a token");
        }
        yield new LoadBalancer(Policy.COOKIE_AFFINITY, null, null,
            new ClusterPolicy.AffinityCookie(name, 0, null));
      }
      default -> throw new InvalidInputException("unknown policy (round-robin, least-request, "
          + "random, maglev-header:<name>, maglev-cookie:<name>, maglev-query:<name>, "
          + "maglev-client-address or cookie-affinity:<name>)");
    };
  }

  /** {@code "2"} or {@code "2 on connect-failure,503"}. */
  static RetryPolicy retries(String value) throws InvalidInputException {
    String[] parts = value.split("\\s+", 3);
    int attempts;
    try {
      attempts = Integer.parseInt(parts[0]);
    } catch (NumberFormatException e) {
      throw new InvalidInputException("expected a number of attempts, optionally followed by "
          + "'on' and conditions, as in \"2 on connect-failure,503\"");
    }
    if (attempts < 0 || attempts > 10) {
      throw new InvalidInputException("attempts must be 0 to 10");
    }
    List<String> on = ClusterPolicies.DEFAULT_RETRY_ON;
    if (parts.length > 1) {
      if (parts.length != 3 || !parts[1].equals("on")) {
        throw new InvalidInputException("expected 'on' and conditions after the attempts, as in "
            + "\"2 on connect-failure,503\"");
      }
      on = new ArrayList<>();
      for (String c : Arrays.asList(parts[2].split(","))) {
        String condition = c.trim();
        if (!RetryPolicy.CONDITIONS.contains(condition)) {
          throw new InvalidInputException("unknown retry condition '" + condition + "' (one of "
              + String.join(", ", RetryPolicy.CONDITIONS.stream().sorted().toList()) + ")");
        }
        if (!on.contains(condition)) {
          on.add(condition);
        }
      }
    }
    RetryPolicy d = RetryPolicy.DEFAULT;
    return new RetryPolicy(attempts, on, false, 0, d.backoffBaseMillis(), d.backoffMaxMillis());
  }
}
