package io.portcullis.dataplane.proxy;

/**
 * Where one exchange is. The request side (is the whole request read?) runs independently and
 * is tracked apart; this is the exchange's answer side.
 */
enum ExchangePhase {
  /** The request head arrived; the route's filters run (they may pause). */
  FILTERS,
  /** The terminal step sends the request upstream and waits for a response head it accepts. */
  FORWARDING,
  /** A backend's response head went to the client; its body is being relayed. */
  RELAYING,
  /** The proxy answers itself (a filter, a redirect, an error): the local responder writes it. */
  LOCAL,
  /** Protocols were switched (101): bytes flow raw both ways and the exchange is over. */
  TUNNEL,
  /** The client connection closed, or the response broke off: nothing more is written. */
  CLOSED;

  /** Whether a response head went (or is going) to the client: nothing can be retried. */
  boolean answered() {
    return this == RELAYING || this == LOCAL || this == TUNNEL;
  }
}
