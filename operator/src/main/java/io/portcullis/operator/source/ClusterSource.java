package io.portcullis.operator.source;

import io.portcullis.operator.compile.ClusterState;

/**
 * Where cluster state comes from: the API server ({@link KubernetesSource}) or a directory of
 * manifests ({@link ManifestsSource}). A source calls its listener after every change that may
 * alter what the compiler sees, from any thread, and never before it has synced.
 */
public interface ClusterSource extends AutoCloseable {

  /**
   * Starts watching and returns once the initial state is complete (every informer synced, every
   * file read). The listener is called once at the end of start and after each later change.
   *
   * @throws Exception when the source cannot sync
   */
  void start(Runnable onChange) throws Exception;

  /** True once {@link #start} completed: before that, nothing may be compiled. */
  boolean synced();

  /** The current state; cheap enough to call once per rebuild. */
  ClusterState state();

  /** Stops watching; idempotent. */
  @Override
  void close();
}
