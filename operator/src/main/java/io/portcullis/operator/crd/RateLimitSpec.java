package io.portcullis.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * {@code rateLimit: {requestsPerSecond, burst, key}}: a token bucket per client (or per header
 * value) for a ProxyRoute's routes (at {@code spec}) or one route (a route's own replaces the
 * spec's). Excess requests get 429 with Retry-After.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RateLimitSpec {
  @JsonPropertyDescription("Sustained requests per second per key, across all dataplane replicas (each enforces its share; approximate).")
  @Required
  @Min(1)
  @Max(1000000)
  public Integer requestsPerSecond;

  @JsonPropertyDescription("Requests a key may send at once before the rate applies. Default: requestsPerSecond.")
  @Min(1)
  @Max(10000000)
  public Integer burst;

  @JsonPropertyDescription("What a bucket belongs to: client (the client address, the default) or header:<name> (the header's value; requests without it count per client address).")
  @Pattern("^(client|header:[!#$%&'*+.^_`|~0-9A-Za-z-]+|claim:[^\\s]+)$")
  public String key;
}
