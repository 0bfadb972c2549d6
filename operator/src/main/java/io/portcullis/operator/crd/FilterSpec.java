package io.portcullis.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * Request-path filter settings of a ProxyRoute (spec or route level) that have no file of their
 * own: CORS, compression, the WAF (part of the ProxyRoute CRD model, see {@link ProxyRouteSpec}).
 */
public final class FilterSpec {
  private FilterSpec() {}

  /** IP lists: descriptions shared by spec and route level, and a bound on their length. */
  public static final String IP_ALLOW = "Client addresses allowed (IPv4/IPv6 CIDRs or addresses); anyone else gets 403."
      + " Default: everyone. An unreadable entry makes the route refuse everyone (fail closed).";
  public static final String IP_DENY = "Client addresses refused with 403 (CIDRs or addresses); deny wins over ipAllow."
      + " An unreadable entry makes the route refuse everyone (fail closed).";
  public static final int MAX_IP_ENTRIES = 10_000;

  /**
   * The web application firewall: the OWASP Core Rule Set with anomaly scoring over each request's
   * headers and the first 128 KiB of its body.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Waf {
    @JsonPropertyDescription("block (403, the default), detect (log only) or off.")
    @Pattern("^(block|detect|off)$")
    public String mode;
    @JsonPropertyDescription("CRS paranoia level, 1 (default, fewest false positives) to 4.")
    @Min(1)
    @Max(4)
    public Integer paranoiaLevel;
    @JsonPropertyDescription("Inbound anomaly score that condemns a request; default 5 (one critical match).")
    @Min(1)
    @Max(10000)
    public Integer anomalyThreshold;
    @JsonPropertyDescription("Rule ids or id ranges that do not run here, such as 942100 or 920000-920999.")
    @Size(max = 256)
    @Pattern("^[1-9][0-9]{0,8}(-[1-9][0-9]{0,8})?$")
    public List<String> excludeRules;
  }

  /**
   * Cross-origin resource sharing, answered by the proxy: preflights never reach the backend, a
   * disallowed preflight gets 403, a disallowed origin gets no CORS headers.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Cors {
    @JsonPropertyDescription("Origins allowed to read responses: exact (https://app.example.com), a wildcard subdomain (https://*.example.com), or * (not with allowCredentials).")
    @Required
    @Size(min = 1, max = 64)
    public List<String> allowOrigins;
    @JsonPropertyDescription("Methods a preflight may ask for. Default GET, HEAD, POST.")
    @Size(max = 32)
    public List<String> allowMethods;
    @JsonPropertyDescription("Request headers a preflight may ask for; * allows any (not with allowCredentials).")
    @Size(max = 64)
    public List<String> allowHeaders;
    @JsonPropertyDescription("Response headers scripts may read, besides the CORS-safelisted ones.")
    @Size(max = 64)
    public List<String> exposeHeaders;
    @JsonPropertyDescription("Whether cookies and credentials may be sent. Default false.")
    public Boolean allowCredentials;
    @JsonPropertyDescription("How long browsers may cache a preflight answer, such as 10m. Default: the browser's (5s in most).")
    @Pattern(ProxyRouteSpec.DURATION)
    public String maxAge;
  }

  /** Response compression: off unless this is present (and {@code enabled} is not false). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Compression {
    @JsonPropertyDescription("False turns compression off for a route although the spec enables it; default true.")
    public Boolean enabled;
    @JsonPropertyDescription("Encodings in order of preference; default [br, zstd, gzip].")
    @SchemaFrom(type = ProxyRouteSpec.Algorithm[].class)
    public List<String> algorithms;
    @JsonPropertyDescription("Responses with a Content-Length below this are sent as they are; default 1024.")
    @Min(0)
    public Integer minLength;
    @JsonPropertyDescription("Media types to compress, type/subtype or type/*; default: text types.")
    @Size(max = 64)
    @Pattern("^[a-zA-Z0-9][-a-zA-Z0-9.+]*/(\\*|[a-zA-Z0-9][-a-zA-Z0-9.+]*)$")
    public List<String> contentTypes;
    @JsonPropertyDescription("gzip level 1-9; default 5.")
    @Min(1)
    @Max(9)
    public Integer gzipLevel;
    @JsonPropertyDescription("brotli quality 1-11; default 5.")
    @Min(1)
    @Max(11)
    public Integer brotliLevel;
    @JsonPropertyDescription("zstd level 1-22; default 3.")
    @Min(1)
    @Max(22)
    public Integer zstdLevel;
  }
}
