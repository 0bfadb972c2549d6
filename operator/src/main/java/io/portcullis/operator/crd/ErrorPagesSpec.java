package io.portcullis.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * Error pages from an error backend Service (ingress-nginx's custom-http-errors): responses with
 * one of the codes are replaced by what the Service answers to a GET of {@code /} with the headers
 * X-Code, X-Format (the client's Accept), X-Original-URI, X-Namespace, X-Service-Name,
 * X-Service-Port and X-Request-ID.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ErrorPagesSpec {
  @JsonPropertyDescription("The statuses replaced, 400 to 599 (the backend's, and the proxy's own 502, 503, 504).")
  @Required
  @Size(min = 1, max = 200)
  @ValidationRule(value = "self.all(c, c >= 400 && c <= 599)", message = "codes must be 400 to 599")
  public List<Integer> codes;

  @JsonPropertyDescription("The error backend: a Service in the ProxyRoute's namespace.")
  @Required
  @Pattern(ProxyRouteSpec.DNS_LABEL)
  public String service;

  @JsonPropertyDescription("The Service's port number.")
  @Required
  @Min(1)
  @Max(65535)
  public Integer port;

  @JsonPropertyDescription("Original (default): the client gets the replaced response's status. ErrorBackend: the error backend's own status, as ingress-nginx.")
  @Pattern("^(Original|ErrorBackend)$")
  public String status;
}
