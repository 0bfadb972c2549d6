package io.portcullis.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * What a route does instead of forwarding: redirect, answer directly, serve static files (part of
 * the ProxyRoute CRD model, see {@link ProxyRouteSpec}).
 */
public final class ActionSpec {
  private ActionSpec() {}

  /** Static content: exactly one of {@code configMap} and {@code directory}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "has(self.configMap) != has(self.directory)",
      message = "static needs exactly one of configMap or directory")
  public static class StaticContent {
    @JsonPropertyDescription("A ConfigMap in the route's namespace: each key of data and binaryData is a file.")
    @Pattern(ProxyRouteSpec.DNS_NAME)
    @Size(max = 253)
    public String configMap;
    @JsonPropertyDescription("An absolute path in the dataplane pods (a volume mounted through the chart's values).")
    @Pattern("^/[^\\s]*$")
    public String directory;
    @JsonPropertyDescription("The file served for a directory; default index.html.")
    @Pattern("^[^/]+$")
    public String index;
    @JsonPropertyDescription("Serve the root index for paths that name no file (a single-page app); default false.")
    public Boolean spaFallback;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Redirect {
    @JsonPropertyDescription("http or https. Default: the request's.")
    @SchemaFrom(type = ProxyRouteSpec.Scheme.class)
    public String scheme;

    @JsonPropertyDescription("The host to send the client to. Default: the request's.")
    @Pattern(ProxyRouteSpec.DNS_NAME)
    @Size(max = 253)
    public String host;

    @JsonPropertyDescription("The port to send the client to. Default: none in the URL, so the scheme's default port.")
    @Min(1)
    @Max(65535)
    public Integer port;

    @JsonPropertyDescription("The path to send the client to. Default: the request's.")
    @Pattern(ProxyRouteSpec.PATH_PATTERN)
    public String path;

    @JsonPropertyDescription("301, 302, 303, 307 or 308. Default 302.")
    @Min(301)
    @Max(308)
    @ValidationRule(value = "self in [301, 302, 303, 307, 308]", message = "statusCode must be 301, 302, 303, 307 or 308")
    public Integer statusCode;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class DirectResponse {
    @JsonPropertyDescription("The status to answer with, 200 to 599.")
    @Required
    @Min(200)
    @Max(599)
    public Integer status;

    @JsonPropertyDescription("A plain-text body, at most 64 KiB. Default: none.")
    @Size(max = 65536)
    public String body;
  }
}
