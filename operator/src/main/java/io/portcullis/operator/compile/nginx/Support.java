package io.portcullis.operator.compile.nginx;

/** How far an ingress-nginx annotation is honoured (the README's migration table says the same). */
public enum Support {
  /** Compiled with ingress-nginx's documented meaning. */
  SUPPORTED,
  /** Compiled, with a documented difference. */
  PARTLY,
  /** Never honoured: an Event names it, the rest of the Ingress is served. */
  REFUSED,
  /** Waits for a snapshot feature being built; refused until it lands. */
  PENDING
}
