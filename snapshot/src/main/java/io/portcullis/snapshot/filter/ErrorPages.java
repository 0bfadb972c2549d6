package io.portcullis.snapshot.filter;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Error pages from an error backend (ingress-nginx's {@code custom-http-errors} with its default
 * backend): when the response to a request has one of {@code codes} (from the backend, or the
 * proxy's own 502/503/504), the client gets instead what {@code cluster} answers to a GET of
 * {@code /} carrying {@code X-Code}, {@code X-Format}, {@code X-Original-URI}, {@code
 * X-Request-ID} and {@code requestHeaders}. The original body is discarded.
 *
 * @param codes the statuses replaced, 400-599, sorted, without duplicates
 * @param cluster the error backend's cluster (a cluster of the snapshot)
 * @param status which status the client gets
 * @param requestHeaders more headers sent to the error backend (ingress-nginx: {@code
 *     X-Namespace}, {@code X-Ingress-Name}, {@code X-Service-Name}, {@code X-Service-Port}),
 *     sorted by name
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record ErrorPages(
    List<Integer> codes, String cluster, Status status, Map<String, String> requestHeaders)
    implements FilterConfig {
  public static final String KIND = "errorPages";
  public static final int MAX_CODES = 200;
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  /** The status the client gets with an error page. */
  public enum Status {
    /** The status of the response the page replaces (the error backend's page, that status). */
    ORIGINAL,
    /**
     * The error backend's own status, as ingress-nginx ({@code error_page CODE = @custom}: "the
     * custom backend is expected to return the correct HTTP status code").
     */
    ERROR_BACKEND
  }

  public ErrorPages {
    Objects.requireNonNull(codes, "error pages need codes");
    codes = codes.stream().distinct().sorted().toList();
    if (codes.isEmpty() || codes.size() > MAX_CODES) {
      throw new IllegalArgumentException("error pages need 1 to " + MAX_CODES + " codes");
    }
    for (int code : codes) {
      if (code < 400 || code > 599) {
        throw new IllegalArgumentException("error page code must be 400 to 599: " + code);
      }
    }
    if (cluster == null || cluster.isBlank()) {
      throw new IllegalArgumentException("error pages need the error backend's cluster");
    }
    status = status == null ? Status.ORIGINAL : status;
    TreeMap<String, String> headers = new TreeMap<>();
    if (requestHeaders != null) {
      requestHeaders.forEach((name, value) -> {
        if (name == null || !TOKEN.matcher(name).matches()) {
          throw new IllegalArgumentException("error pages: not a header name: " + name);
        }
        if (value == null || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
          throw new IllegalArgumentException("error pages: bad value of header " + name);
        }
        headers.put(name.toLowerCase(java.util.Locale.ROOT), value);
      });
    }
    requestHeaders = java.util.Collections.unmodifiableMap(headers);
  }

  @Override
  public String kind() {
    return KIND;
  }
}
