package io.portcullis.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
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
  /** DNS name, or a wildcard of one leading label; IP literals are refused by the compiler. */
  static final String HOST_PATTERN =
      "^(\\*\\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$";
  /** A DNS name, no wildcard: where a redirect sends the client. */
  static final String DNS_NAME =
      "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$";
  /** An absolute request path: no whitespace, no query or fragment. */
  static final String PATH_PATTERN = "^/[^\\s?#]*$";
  /** A DNS label: route and Service names. */
  static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
  /** An HTTP header field name (RFC 9110 token). */
  static final String HEADER_NAME = "^[-!#$%&'*+.^_`|~0-9A-Za-z]+$";
  /** A duration as {@code io.portcullis.snapshot.cli.Durations} reads it. */
  static final String DURATION = "^[0-9]{1,9}(ms|s|m|h)$";

  /** Name of the IngressClass this route belongs to; empty means the default class. */
  public String ingressClassName;

  /** Exact host names, or wildcards of one leading label ({@code *.example.com}). */
  @Required
  @Size(min = 1, max = 64)
  @Pattern(HOST_PATTERN)
  public List<String> hosts = new ArrayList<>();

  /** TLS for all hosts of this route. */
  public Tls tls;

  /** Routes in the order the user wrote them; precedence is computed, not taken from this order. */
  @Required
  @Size(min = 1, max = 256)
  public List<RouteSpec> routes = new ArrayList<>();

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Tls {
    /** A {@code kubernetes.io/tls} Secret in the ProxyRoute's namespace. */
    @Required
    @Size(min = 1, max = 253)
    @Pattern(DNS_NAME)
    public String secretName;

    /** Answer plain-HTTP requests for these hosts with a 308 to https; default true. */
    public Boolean redirectHttp;

    /** Add a Strict-Transport-Security header to HTTPS responses; none when absent. */
    public Hsts hsts;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Hsts {
    /** max-age in seconds, at most ten years; 0 tells browsers to forget the host. */
    @Required
    @Min(0)
    @Max(315_360_000)
    public Long maxAge;

    /** Also covers every subdomain; default false. */
    public Boolean includeSubDomains;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class RouteSpec {
    /** Optional name, used in metrics and route names; defaults to the route's index. */
    @Pattern(DNS_LABEL)
    public String name;

    public Match match;
    /** Where to forward; exclusive with {@code redirect} and {@code directResponse}. */
    @Size(min = 1, max = 64)
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
    @SchemaFrom(type = Method[].class)
    public List<String> methods;
  }

  /** Exactly one of exact, prefix or regex. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class PathMatch {
    @Pattern(PATH_PATTERN)
    @Size(max = 1024)
    public String exact;

    @Pattern(PATH_PATTERN)
    @Size(max = 1024)
    public String prefix;

    /** RE2 syntax, matched against the whole path. */
    @Pattern("^/")
    @Size(max = 1024)
    public String regex;
  }

  /** A header name and exactly one of exact, prefix or present. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class HeaderMatch {
    @Required
    @Pattern(HEADER_NAME)
    public String name;
    public String exact;
    public String prefix;
    public Boolean present;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Backend {
    /** A Service in the ProxyRoute's namespace. */
    @Required
    @Pattern(DNS_LABEL)
    public String service;

    /** Service port number. */
    @Required
    @Min(1)
    @Max(65535)
    public Integer port;

    /** Relative weight, 0 to 1,000,000; default 1. */
    @Min(0)
    @Max(1_000_000)
    public Integer weight;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Timeouts {
    /** Time for the backend's whole response, as a duration such as {@code 15s} or {@code 500ms}. */
    @Pattern(DURATION)
    public String request;

    /** Idle time allowed on the connection, such as {@code 60s}. */
    @Pattern(DURATION)
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
    @Pattern(PATH_PATTERN)
    public String pathPrefix;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Redirect {
    @SchemaFrom(type = Scheme.class)
    public String scheme;

    @Pattern(DNS_NAME)
    @Size(max = 253)
    public String host;

    @Min(1)
    @Max(65535)
    public Integer port;

    @Pattern(PATH_PATTERN)
    public String path;

    /** 301, 302, 303, 307 or 308; default 302. */
    @Min(301)
    @Max(308)
    @ValidationRule(value = "self in [301, 302, 303, 307, 308]", message = "statusCode must be 301, 302, 303, 307 or 308")
    public Integer statusCode;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class DirectResponse {
    @Required
    @Min(200)
    @Max(599)
    public Integer status;

    /** Plain text, at most 64 KiB. */
    @Size(max = 65536)
    public String body;
  }

  // Schema-only types: the fields stay Strings (an unknown value then rejects one route with a
  // condition instead of failing deserialisation of the whole object), while the CRD lists the
  // allowed values so the API server refuses them first.

  /** Schema of {@link Match#methods}. */
  public enum Method { GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH }

  /** Schema of {@link Redirect#scheme}. */
  public enum Scheme {
    @com.fasterxml.jackson.annotation.JsonProperty("http") HTTP,
    @com.fasterxml.jackson.annotation.JsonProperty("https") HTTPS
  }
}
