package io.portcullis.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The desired routing of a ProxyRoute. Plain data bound by Jackson; validation that the API server
 * can do lives in the CRD schema (annotations here), the rest in the compiler, which rejects only
 * the offending route with a condition.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProxyRouteSpec {
  /** Name of the IngressClass this route belongs to; empty means the default class. */
  public String ingressClassName;

  /** Exact host names, or wildcards of one leading label ({@code *.example.com}). */
  public List<String> hosts = new ArrayList<>();

  /** TLS for all hosts of this route. */
  public Tls tls;

  /** Routes in the order the user wrote them; precedence is computed, not taken from this order. */
  public List<RouteSpec> routes = new ArrayList<>();

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Tls {
    /** A {@code kubernetes.io/tls} Secret in the ProxyRoute's namespace. */
    public String secretName;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class RouteSpec {
    /** Optional name, used in metrics and route names; defaults to the route's index. */
    public String name;

    public Match match;
    /** Where to forward; exclusive with {@code redirect} and {@code directResponse}. */
    public List<Backend> backends;

    public Timeouts timeouts;
    public HeaderChanges requestHeaders;
    public HeaderChanges responseHeaders;
    public Rewrite rewrite;
    public Redirect redirect;
    public DirectResponse directResponse;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Match {
    public PathMatch path;
    public List<HeaderMatch> headers;
    /** HTTP methods, any of which matches; empty means all. */
    public List<String> methods;
  }

  /** Exactly one of exact, prefix or regex. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class PathMatch {
    public String exact;
    public String prefix;
    /** RE2 syntax, matched against the whole path. */
    public String regex;
  }

  /** A header name and exactly one of exact, prefix or present. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class HeaderMatch {
    public String name;
    public String exact;
    public String prefix;
    public Boolean present;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Backend {
    /** A Service in the ProxyRoute's namespace. */
    public String service;

    /** Service port number. */
    public Integer port;

    /** Relative weight, 0 to 1,000,000; default 1. */
    public Integer weight;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Timeouts {
    /** Time for the backend's whole response, as a duration such as {@code 15s} or {@code 500ms}. */
    public String request;

    /** Idle time allowed on the connection, such as {@code 60s}. */
    public String idle;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class HeaderChanges {
    public Map<String, String> set = new LinkedHashMap<>();
    public List<String> remove = new ArrayList<>();
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Rewrite {
    /** Replaces the matched path prefix. */
    public String pathPrefix;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Redirect {
    public String scheme;
    public String host;
    public Integer port;
    public String path;
    /** 301, 302, 303, 307 or 308; default 302. */
    public Integer statusCode;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class DirectResponse {
    public Integer status;
    public String body;
  }
}
