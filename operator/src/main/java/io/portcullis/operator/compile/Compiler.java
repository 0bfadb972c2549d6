package io.portcullis.operator.compile;

import io.portcullis.snapshot.Snapshot;
import java.util.List;

/**
 * Cluster state in, snapshot and statuses out. Pure: no I/O, no clock, no client.
 * PLACEHOLDER until the compiler lands: compiles nothing.
 */
public final class Compiler {
  private final CompilerSettings settings;

  public Compiler(CompilerSettings settings) {
    this.settings = settings;
  }

  public CompileResult compile(ClusterState state) {
    return new CompileResult(Snapshot.empty(), List.of());
  }
}
