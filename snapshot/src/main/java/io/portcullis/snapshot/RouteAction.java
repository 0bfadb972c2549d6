package io.portcullis.snapshot;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Comparator;
import java.util.List;

/** What a route does with a request it accepts. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = RouteAction.Forward.class, name = "forward"),
  @JsonSubTypes.Type(value = RouteAction.Redirect.class, name = "redirect"),
  @JsonSubTypes.Type(value = RouteAction.DirectResponse.class, name = "direct"),
  @JsonSubTypes.Type(value = RouteAction.Static.class, name = "static")
})
public sealed interface RouteAction {

  /** Names of the clusters this action may send requests to. */
  @JsonIgnore
  default List<String> clusterNames() {
    return List.of();
  }

  /**
   * Proxy to one of the backends, picked by weight.
   *
   * @param backends sorted by cluster name; weights are relative
   * @param prefixRewrite when set, the part of the path matched by the route's prefix is replaced
   *     by this value; an exact or regex route's whole path is replaced, and in a regex route's
   *     value {@code $1}..{@code $9} stand for the path regex's capture groups (empty when a group
   *     took no part), as in nginx's {@code rewrite}
   * @param timeoutMillis time allowed for the whole exchange, all retries included; 0 means the
   *     dataplane's default
   * @param idleTimeoutMillis the exchange fails when no byte moves either way for this long; 0
   *     means the dataplane's default
   * @param retries when to try again; null means {@link RetryPolicy#DEFAULT}
   * @param mirror shadow traffic, or null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Forward(
      List<WeightedBackend> backends,
      String prefixRewrite,
      long timeoutMillis,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) long idleTimeoutMillis,
      RetryPolicy retries,
      Mirror mirror)
      implements RouteAction {
    public Forward {
      backends = Sorted.copy(backends, Comparator.comparing(WeightedBackend::cluster));
      if (backends.isEmpty()) {
        throw new IllegalArgumentException("forward needs at least one backend");
      }
      Sorted.requireUnique(backends, WeightedBackend::cluster, "backend");
      if (backends.stream().mapToLong(WeightedBackend::weight).sum() == 0) {
        throw new IllegalArgumentException("backend weights must not all be 0");
      }
      if (timeoutMillis < 0 || idleTimeoutMillis < 0) {
        throw new IllegalArgumentException("timeout must not be negative");
      }
    }

    /** A forward with default idle timeout, retries and no mirror. */
    public Forward(List<WeightedBackend> backends, String prefixRewrite, long timeoutMillis) {
      this(backends, prefixRewrite, timeoutMillis, 0, null, null);
    }

    public static Forward to(String cluster) {
      return new Forward(List.of(new WeightedBackend(cluster, 1)), null, 0);
    }

    public RetryPolicy retriesOrDefault() {
      return retries == null ? RetryPolicy.DEFAULT : retries;
    }

    @Override
    public List<String> clusterNames() {
      if (mirror == null && backends.size() == 1) {
        return List.of(backends.get(0).cluster()); // most routes: validated for every snapshot
      }
      List<String> names = new java.util.ArrayList<>(backends.stream().map(WeightedBackend::cluster).toList());
      if (mirror != null && !names.contains(mirror.cluster())) {
        names.add(mirror.cluster());
      }
      return List.copyOf(names);
    }
  }

  /**
   * Answer with a redirect. Each null part keeps the request's own value.
   *
   * @param scheme {@code http} or {@code https}
   * @param host host name without port
   * @param port port, or 0 to keep the default for the scheme
   * @param path replaces the whole path (the query string is kept)
   * @param statusCode 301, 302, 303, 307 or 308
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Redirect(String scheme, String host, int port, String path, int statusCode)
      implements RouteAction {
    public Redirect {
      if (scheme != null && !scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException("redirect scheme must be http or https: " + scheme);
      }
      if (!List.of(301, 302, 303, 307, 308).contains(statusCode)) {
        throw new IllegalArgumentException("redirect status must be 301/302/303/307/308");
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("redirect port out of range: " + port);
      }
      if (path != null && !path.startsWith("/")) {
        throw new IllegalArgumentException("redirect path must start with /: " + path);
      }
    }
  }

  /**
   * Answer directly without a backend.
   *
   * @param status HTTP status code (200-599)
   * @param body plain-text body, may be empty
   */
  record DirectResponse(int status, String body) implements RouteAction {
    public DirectResponse {
      if (status < 200 || status > 599) {
        throw new IllegalArgumentException("direct response status out of range: " + status);
      }
      body = body == null ? "" : body;
    }
  }

  /**
   * Serve files: from the snapshot (a ConfigMap's) or from a directory mounted in the dataplane.
   * The part of the path the route's prefix matched is removed before the file is looked up.
   *
   * @param source where the files are
   * @param index the file served for a directory ({@code /} or a path ending in {@code /}); a
   *     plain file name, default {@code index.html}
   * @param spaFallback when true, a GET or HEAD for a file that does not exist is answered with
   *     the root's index file (a single-page application routes in the browser)
   */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  record Static(StaticSource source, String index, boolean spaFallback) implements RouteAction {
    public static final String DEFAULT_INDEX = "index.html";

    public Static {
      java.util.Objects.requireNonNull(source, "static source");
      index = index == null || index.isEmpty() ? DEFAULT_INDEX : index;
      if (index.contains("/") || index.equals(".") || index.equals("..")) {
        throw new IllegalArgumentException("static index must be a plain file name: " + index);
      }
    }
  }
}
