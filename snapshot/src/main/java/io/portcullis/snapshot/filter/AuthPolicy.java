package io.portcullis.snapshot.filter;

import java.util.Objects;

/**
 * Authentication at the edge: one mechanism per virtual host or route (a route's replaces its
 * host's, as for every kind). Requests that do not authenticate are answered by the proxy and
 * never reach the backend.
 *
 * @param mechanism how requests authenticate
 */
public record AuthPolicy(AuthMechanism mechanism) implements FilterConfig {
  public static final String KIND = "auth";

  public AuthPolicy {
    Objects.requireNonNull(mechanism, "auth needs a mechanism");
  }

  @Override
  public String kind() {
    return KIND;
  }
}
