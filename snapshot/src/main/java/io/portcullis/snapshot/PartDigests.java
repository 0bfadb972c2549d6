package io.portcullis.snapshot;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The SHA-256 of one snapshot part's canonical JSON (a virtual host, a cluster, a certificate, a
 * blob), remembered for as long as the part object lives. Parts are deeply immutable records, so
 * the same instance always has the same JSON: a snapshot built from a previous one's unchanged
 * parts (a delta applied, a partial recompile merged) re-serialises only the parts that are new
 * objects. That is what makes versioning a one-object change cost the change, not the snapshot.
 *
 * <p>A memo of a pure function, keyed by identity and weakly: equal but distinct instances are
 * simply hashed again, and an entry goes when its part is garbage. Thread-safe.
 */
final class PartDigests {
  private static final ConcurrentHashMap<Object, byte[]> DIGESTS = new ConcurrentHashMap<>();
  /** Per list of parts: the digests of its parts, one after the other (32 bytes each). */
  private static final ConcurrentHashMap<Object, byte[]> LISTS = new ConcurrentHashMap<>();
  private static final ReferenceQueue<Object> COLLECTED = new ReferenceQueue<>();
  private static final AtomicLong COMPUTED = new AtomicLong();

  private PartDigests() {}

  /** SHA-256 of {@code part}'s canonical JSON; the caller must not modify the array. */
  static byte[] of(Object part) {
    expunge();
    // The probe is a plain object: a WeakReference per lookup would load the collector with
    // tens of thousands of references per version.
    byte[] digest = DIGESTS.get(new Probe(part));
    if (digest == null) {
      digest = SnapshotCodec.sha256OfJson(part);
      COMPUTED.incrementAndGet();
      DIGESTS.put(new Key(part, COLLECTED), digest);
    }
    return digest;
  }

  /**
   * The digests of every part of {@code parts}, in order, 32 bytes each; remembered for as long as
   * the list lives. A patched snapshot's lists get theirs from {@link #remember} (copied in runs
   * from its base's), so versioning it does not look up every part again.
   */
  static byte[] ofList(java.util.List<?> parts) {
    expunge();
    byte[] digests = LISTS.get(new Probe(parts));
    if (digests == null) {
      digests = new byte[parts.size() * 32];
      for (int i = 0; i < parts.size(); i++) {
        System.arraycopy(of(parts.get(i)), 0, digests, i * 32, 32);
      }
      LISTS.put(new Key(parts, COLLECTED), digests);
    }
    return digests;
  }

  /** {@code digests} are those of {@code parts}, as {@link #ofList} would compute them. */
  static void remember(java.util.List<?> parts, byte[] digests) {
    LISTS.put(new Key(parts, COLLECTED), digests);
  }

  /** Parts serialised and hashed so far (tests: what a new snapshot cost). */
  static long computed() {
    return COMPUTED.get();
  }

  private static void expunge() {
    for (Object gone; (gone = COLLECTED.poll()) != null; ) {
      DIGESTS.remove(gone);
      LISTS.remove(gone);
    }
  }

  /** Identity of a part, weakly held: a cleared key equals only itself, so it can be removed. */
  private static final class Key extends WeakReference<Object> {
    private final int hash;

    Key(Object part, ReferenceQueue<Object> queue) {
      super(part, queue);
      this.hash = System.identityHashCode(part);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object other) {
      return this == other;
    }
  }

  /** A lookup by identity; the map compares it with the stored {@link Key}s. */
  private record Probe(Object part) {
    @Override
    public int hashCode() {
      return System.identityHashCode(part);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Key key && key.get() == part;
    }
  }
}
