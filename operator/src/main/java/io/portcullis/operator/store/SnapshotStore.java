package io.portcullis.operator.store;

import io.portcullis.snapshot.Snapshot;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The versions the operator has published and which dataplane acked which. The rebuild loop
 * publishes; stream sessions subscribe and report acks; the status writer asks whether a version
 * is programmed everywhere. Thread-safe.
 *
 * <p>FIRST CUT: the stream work extends this (sequence numbers, per-node acks, NACK counts).
 */
public class SnapshotStore {
  private volatile Snapshot current = Snapshot.empty();
  private final List<Consumer<Snapshot>> subscribers = new CopyOnWriteArrayList<>();

  public void publish(Snapshot snapshot) {
    if (snapshot.version().equals(current.version())) {
      return;
    }
    current = snapshot;
    subscribers.forEach(s -> s.accept(snapshot));
  }

  public Snapshot current() {
    return current;
  }

  public void subscribe(Consumer<Snapshot> subscriber) {
    subscribers.add(subscriber);
  }

  /** True when every connected dataplane acked {@code version} or a later one. */
  public boolean isProgrammedEverywhere(String version) {
    return false;
  }
}
