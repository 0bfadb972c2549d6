package io.portcullis.operator.compile;

import io.portcullis.cli.ByteSizes;
import io.portcullis.snapshot.filter.BodyLimit;
import io.portcullis.snapshot.filter.ConcurrencyLimit;
import io.portcullis.snapshot.filter.FilterConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Per-route request limits: the {@code maxRequestBody} and {@code concurrentRequestsPerClient}
 * fields of ProxyRoutes and the {@code portcullis.io/max-request-body} and
 * {@code portcullis.io/concurrent-requests-per-client} Ingress annotations. An unusable annotation
 * sets no limit (there is no size to guess) and is reported.
 */
final class LimitsTranslation {
  static final String MAX_REQUEST_BODY = "portcullis.io/max-request-body";
  static final String CONCURRENT_PER_CLIENT = "portcullis.io/concurrent-requests-per-client";
  static final int MAX_CONCURRENT = 1_000_000;

  private LimitsTranslation() {}

  /** The limits of a ProxyRoute (spec or route level); {@code field} prefixes the field names. */
  static List<FilterConfig> of(String maxRequestBody, Integer concurrentPerClient, String field)
      throws InvalidInputException {
    List<FilterConfig> out = new ArrayList<>(2);
    if (maxRequestBody != null) {
      out.add(body(maxRequestBody, field + "maxRequestBody"));
    }
    if (concurrentPerClient != null) {
      out.add(concurrency(concurrentPerClient, field + "concurrentRequestsPerClient"));
    }
    return out;
  }

  /**
   * The limits an Ingress's annotations ask for. Its concurrency limit is one count over all its
   * paths, as ingress-nginx keeps one {@code limit_conn} zone per Ingress.
   */
  static List<FilterConfig> of(ObjectRef ref, Map<String, String> annotations,
      FilterTranslation.Invalid invalid) {
    if (annotations == null || annotations.isEmpty()) {
      return List.of();
    }
    List<FilterConfig> out = new ArrayList<>(2);
    String body = annotations.get(MAX_REQUEST_BODY);
    if (body != null) {
      try {
        out.add(body(body, MAX_REQUEST_BODY));
      } catch (InvalidInputException e) {
        invalid.report(MAX_REQUEST_BODY, body, e);
      }
    }
    String concurrent = annotations.get(CONCURRENT_PER_CLIENT);
    if (concurrent != null) {
      try {
        int n;
        try {
          n = Integer.parseInt(concurrent.trim());
        } catch (NumberFormatException e) {
          throw new InvalidInputException(CONCURRENT_PER_CLIENT + " must be a whole number");
        }
        out.add(new ConcurrencyLimit(concurrency(n, CONCURRENT_PER_CLIENT).perClient(),
            "ingress/" + ref.namespace() + "/" + ref.name()));
      } catch (InvalidInputException e) {
        invalid.report(CONCURRENT_PER_CLIENT, concurrent, e);
      }
    }
    return out;
  }

  private static BodyLimit body(String size, String field) throws InvalidInputException {
    try {
      return new BodyLimit(ByteSizes.parse(size));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(field + ": " + e.getMessage() + "; 0 means unlimited");
    }
  }

  private static ConcurrencyLimit concurrency(int n, String field) throws InvalidInputException {
    if (n < 1 || n > MAX_CONCURRENT) {
      throw new InvalidInputException(field + " must be from 1 to " + MAX_CONCURRENT);
    }
    return new ConcurrencyLimit(n);
  }
}
