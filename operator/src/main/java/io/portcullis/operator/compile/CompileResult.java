package io.portcullis.operator.compile;

import io.portcullis.snapshot.Snapshot;
import java.util.List;

/**
 * What one compile produces: the snapshot for every dataplane, and for every object of ours that
 * was looked at, its conditions and the events to emit.
 */
public record CompileResult(Snapshot snapshot, List<ObjectStatus> statuses) {
  public CompileResult {
    statuses = List.copyOf(statuses);
  }
}
