package io.portcullis.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * {@code cache: {}}: the shared HTTP cache (RFC 9111) for a ProxyRoute's routes (at {@code spec})
 * or one route (a route's own {@code cache} replaces the spec's). What is stored, and for how
 * long, is the origin's Cache-Control; these fields only bound it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CacheSpec {
  @JsonPropertyDescription("Largest response body stored, such as 1Mi; larger ones are relayed. Default 8Mi.")
  @Pattern("^[0-9]{1,15}(Ki|Mi|Gi|k|M|G)?$")
  public String maxObjectSize;

  @JsonPropertyDescription("Request headers whose values become part of the cache key (beside the URL).")
  @Size(max = 16)
  public List<@Pattern(ProxyRouteSpec.HEADER_NAME) String> keyHeaders;

  @JsonPropertyDescription("Set false to turn caching off for one route when the spec turns it on. Default true.")
  public Boolean enabled;
}
