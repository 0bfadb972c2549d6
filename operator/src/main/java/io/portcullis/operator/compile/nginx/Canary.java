package io.portcullis.operator.compile.nginx;

/**
 * An Ingress marked {@code canary: "true"}: its paths are not routes of their own but a split of
 * the route another Ingress has for the same host and path.
 *
 * @param weight share of requests, out of {@code weightTotal}
 * @param weightTotal 100 unless {@code canary-weight-total} says otherwise
 * @param header canary-by-header's name, lower case, or null
 * @param headerValue canary-by-header-value, or null: then {@code always} and {@code never} decide
 */
public record Canary(int weight, int weightTotal, String header, String headerValue) {
  public Canary {
    if (weightTotal <= 0 || weight < 0 || weight > weightTotal) {
      throw new IllegalArgumentException("canary weight must be 0.." + weightTotal + ": " + weight);
    }
  }
}
