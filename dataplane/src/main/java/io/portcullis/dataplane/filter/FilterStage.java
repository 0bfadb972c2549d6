package io.portcullis.dataplane.filter;

/**
 * Where a filter kind runs in the chain: request phases in this order, response phases in the
 * reverse order. Fixed by us, like Envoy's HTTP connection manager, never by users: the order is
 * what makes the features compose safely.
 */
public enum FilterStage {
  /**
   * The connection's TLS facts against the host's TLS policy: 421 for a misdirected request, 403
   * or an https redirect over plain HTTP, HSTS on responses. First, so nothing is evaluated for a
   * request that belongs on another connection.
   */
  TLS,
  /** IP allow and deny lists: the cheapest refusal comes before anything that costs. */
  IP_RULES,
  /** Request-rate limits: before the expensive stages, so a flood cannot make them run. */
  RATE_LIMIT,
  /**
   * CORS: before authentication, because browsers send preflights without credentials; a
   * preflight is answered here and never reaches the backend.
   */
  CORS,
  /** Basic, JWT, external and OpenID Connect authentication. */
  AUTHENTICATION,
  /** The web application firewall, on authenticated requests (fewer requests, known identity). */
  WAF,
  /** The shared HTTP cache: a hit is answered here; on the way back it stores compressed bytes. */
  CACHE,
  /** Response compression (its response phase runs before the cache's, so the cache keeps it). */
  COMPRESSION,
  /**
   * Error pages: a response with a listed status is replaced by the error backend's page. Its
   * response phase runs before compression's, the cache's and CORS's, so the page is treated like
   * any response.
   */
  ERROR_PAGES,
  /** The route's own request and response header changes: closest to the backend. */
  HEADERS
}
