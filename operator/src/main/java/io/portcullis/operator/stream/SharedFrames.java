package io.portcullis.operator.stream;

import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.SharedFrame;
import io.portcullis.snapshot.Snapshot;
import java.util.HashMap;
import java.util.Map;

/**
 * The encoded messages the stream sessions of one server have in flight, shared: dataplanes that
 * need the same message (the same version, from the same base) get one encoding of it, each framed
 * with its own nonce. A message is encoded by the first session that needs it and forgotten when
 * the last one that sent it has its answer (or its stream ended), so nothing is kept between
 * pushes. At 10,000 Ingresses a full snapshot is about 12 MiB: ten dataplanes connecting at once
 * took ten encodings on the stream's event loop and held ten copies until every peer had read
 * them.
 */
final class SharedFrames {
  private final Map<String, Held> held = new HashMap<>();

  private static final class Held {
    final SharedFrame frame;
    int users;

    Held(SharedFrame frame) {
      this.frame = frame;
    }
  }

  /** A use of a shared frame; {@link #release} it once its answer came or its stream ended. */
  record Use(String key, SharedFrame frame) {}

  /** The full snapshot {@code target}, encoded once for every session sending it now. */
  synchronized Use snapshot(Snapshot target) {
    return acquire("snapshot " + target.version(), () -> SharedFrame.snapshot(target));
  }

  /** The delta from {@code base} to {@code target}, computed and encoded once likewise. */
  synchronized Use delta(Snapshot base, Snapshot target) {
    return acquire("delta " + base.version() + " " + target.version(),
        () -> SharedFrame.delta(Delta.between(base, target)));
  }

  synchronized void release(Use use) {
    Held h = held.get(use.key());
    if (h != null && h.frame == use.frame() && --h.users == 0) {
      held.remove(use.key());
    }
  }

  /** Frames held now: for tests. */
  synchronized int size() {
    return held.size();
  }

  private Use acquire(String key, java.util.function.Supplier<SharedFrame> encode) {
    Held h = held.computeIfAbsent(key, k -> new Held(encode.get()));
    h.users++;
    return new Use(key, h.frame);
  }
}
