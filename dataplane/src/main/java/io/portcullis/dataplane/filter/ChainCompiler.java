package io.portcullis.dataplane.filter;

import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.VirtualHost;

/**
 * Compiles the filter chains of a snapshot while its routing index is built, so a request only
 * picks up the chain its route already holds.
 */
public interface ChainCompiler {

  /** Compiles nothing: every chain is empty (tests of routing alone). */
  ChainCompiler NONE = shared -> new SnapshotChains() {
    @Override
    public FilterChain route(VirtualHost vhost, Route route) {
      return FilterChain.EMPTY;
    }

    @Override
    public FilterChain host(VirtualHost vhost) {
      return FilterChain.EMPTY;
    }
  };

  /**
   * The chains of one snapshot whose hosts share {@code shared} (facts about the whole snapshot,
   * kept by the config per delta: a chain compiler never walks every host).
   */
  SnapshotChains forSnapshot(SharedChainInputs shared);

  /** The chains of one snapshot. */
  interface SnapshotChains {
    /** The chain of {@code route}, a route of {@code vhost}. */
    FilterChain route(VirtualHost vhost, Route route);

    /**
     * The chain for requests to {@code vhost} that none of its routes matched, or, with null,
     * for requests whose host has no virtual host at all: the host-wide filters only.
     */
    FilterChain host(VirtualHost vhost);
  }
}
