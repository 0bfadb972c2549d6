package io.portcullis.operator.compile.nginx;

/**
 * An Ingress marked {@code canary: "true"}: its paths are not routes of their own but a split of
 * the route another Ingress has for the same host and path. ingress-nginx's precedence holds:
 * the header decides first, then the cookie, then the weight.
 *
 * @param weight share of requests, out of {@code weightTotal}
 * @param weightTotal 100 unless {@code canary-weight-total} says otherwise
 * @param header canary-by-header's name, lower case, or null
 * @param headerValue canary-by-header-value, or null: then {@code headerPattern}, or else
 *     {@code always} and {@code never}, decide
 * @param headerPattern canary-by-header-pattern as an RE2 expression for the header's whole value
 *     (ingress-nginx's unanchored search, wrapped so), or null; unused with a header value
 * @param cookie canary-by-cookie's name, or null: {@code always} takes the canary, {@code never}
 *     the main backend, other values fall through to the weight
 */
public record Canary(int weight, int weightTotal, String header, String headerValue,
    String headerPattern, String cookie) {
  public Canary {
    if (weightTotal <= 0 || weight < 0 || weight > weightTotal) {
      throw new IllegalArgumentException("canary weight must be 0.." + weightTotal + ": " + weight);
    }
  }

  /** A canary by header and weight only. */
  public Canary(int weight, int weightTotal, String header, String headerValue) {
    this(weight, weightTotal, header, headerValue, null, null);
  }
}
