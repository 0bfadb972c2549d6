package io.portcullis.dataplane.config;

import io.portcullis.snapshot.Snapshot;

/**
 * An applied snapshot, indexed for routing. Immutable once built; a request keeps the instance it
 * started with even when a newer one is swapped in.
 */
public final class RuntimeConfig {
  private final Snapshot snapshot;

  private RuntimeConfig(Snapshot snapshot) {
    this.snapshot = snapshot;
  }

  /**
   * Indexes {@code snapshot}.
   *
   * @param previous the config being replaced (its unchanged clusters are reused), or null
   * @throws ConfigRejectedException when the snapshot cannot be served, naming the resources
   */
  public static RuntimeConfig build(Snapshot snapshot, RuntimeConfig previous) {
    return new RuntimeConfig(snapshot);
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  public String version() {
    return snapshot.version();
  }

  /** Routes one request. Cost does not grow with the number of routes. */
  public RouteDecision route(RequestHead request) {
    return new RouteDecision.NotFound();
  }
}
