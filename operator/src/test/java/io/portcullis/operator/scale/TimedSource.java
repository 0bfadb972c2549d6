package io.portcullis.operator.scale;

import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.source.ClusterSource;
import java.util.Queue;

/** The operator's own source, with the time ({@link System#nanoTime()}) of each change it reports to the rebuild loop. */
record TimedSource(ClusterSource source, Queue<Long> events) implements ClusterSource {
  @Override
  public void start(Runnable onChange) throws Exception {
    source.start(() -> {
      events.add(System.nanoTime());
      onChange.run();
    });
  }

  @Override
  public boolean synced() {
    return source.synced();
  }

  @Override
  public ClusterState state() {
    return source.state();
  }

  @Override
  public void close() {
    source.close();
  }
}
