package io.portcullis.operator;

import io.portcullis.operator.store.SnapshotStore;
import java.net.InetSocketAddress;

/**
 * The seam to the snapshot stream server ({@code io.portcullis.operator.stream.StreamServer}),
 * so the operator's wiring compiles and is testable without it. {@link Main} adapts the real
 * server to this interface.
 */
public interface StreamEndpoint extends AutoCloseable {

  /** Binds and starts serving; returns the bound port. */
  int start() throws Exception;

  @Override
  void close();

  /** Builds the endpoint for a store and a bind address. */
  @FunctionalInterface
  interface Factory {
    StreamEndpoint create(SnapshotStore store, InetSocketAddress bind);
  }
}
