package io.portcullis.operator.status;

/**
 * Whether a published version is served: asked by the {@link StatusWriter} for the {@code
 * Programmed} condition. With one replica the snapshot store answers for its own dataplanes
 * ({@code SnapshotStore::isProgrammedEverywhere}); with several, the leader must also count the
 * dataplanes connected to the other replicas (see {@code replicas.ClusterAcks}).
 */
@FunctionalInterface
public interface ProgrammedCheck {
  /** True when at least one dataplane runs and every dataplane applied {@code version} or later. */
  boolean isProgrammed(String version);
}
