package io.portcullis.operator.store;

import io.portcullis.snapshot.Snapshot;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versions the operator has published and which dataplane acked which. The rebuild loop
 * publishes; stream sessions register dataplanes and report acks and NACKs; the status writer asks
 * whether a version is programmed everywhere; metrics read the counts. Thread-safe.
 *
 * <p>Every published version gets a sequence number, so "acked this version or a later one" is a
 * comparison even though versions are content hashes with no order of their own. A bounded history
 * of recent snapshots lets a stream session send a dataplane a delta against what it holds.
 */
public class SnapshotStore {
  private static final Logger log = LoggerFactory.getLogger(SnapshotStore.class);

  /** Snapshots kept as delta bases by default: a dataplane further behind gets a full snapshot. */
  public static final int DEFAULT_HISTORY = 16;

  /**
   * Version-to-sequence entries kept by default. Far more than the snapshot history because they
   * are tiny, and the programmed check must still order a version whose snapshot was dropped.
   */
  static final int SEQUENCE_MEMORY = 4096;

  private final int historySize;
  private final List<Consumer<Snapshot>> subscribers = new CopyOnWriteArrayList<>();
  private final List<Runnable> ackListeners = new CopyOnWriteArrayList<>();
  private final Map<String, Dataplane> dataplanes = new ConcurrentHashMap<>();
  private final AtomicLong nacks = new AtomicLong();
  private final AtomicLong sessionIds = new AtomicLong();

  // Guarded by this: publication order, sequences and history change together.
  private final Deque<Snapshot> history = new ArrayDeque<>();
  private final Map<String, Long> sequences =
      new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > SEQUENCE_MEMORY;
        }
      };
  private long sequence;
  private volatile Snapshot current = Snapshot.empty();
  private volatile boolean published;

  public SnapshotStore() {
    this(DEFAULT_HISTORY);
  }

  /** @param historySize recent snapshots kept as delta bases (at least 1: the current one) */
  public SnapshotStore(int historySize) {
    if (historySize < 1) {
      throw new IllegalArgumentException("history size must be at least 1: " + historySize);
    }
    this.historySize = historySize;
  }

  /**
   * Makes {@code snapshot} the current version and tells subscribers. Publishing the current
   * version again does nothing, except the very first publish: until then the store holds an
   * empty placeholder that must not be streamed, so that an operator whose caches have not synced
   * never wipes the dataplanes' config.
   */
  public void publish(Snapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    synchronized (this) {
      if (published && snapshot.version().equals(current.version())) {
        return;
      }
      sequence++;
      // Re-publishing an older content (A, B, A) moves it to the front: same bytes, newest sequence.
      sequences.remove(snapshot.version());
      sequences.put(snapshot.version(), sequence);
      history.removeIf(s -> s.version().equals(snapshot.version()));
      history.addFirst(snapshot);
      while (history.size() > historySize) {
        history.removeLast();
      }
      current = snapshot;
      published = true;
    }
    subscribers.forEach(s -> s.accept(snapshot));
    // A dataplane may already hold the new version (it survived an operator restart).
    fireAckListeners();
  }

  /** The current snapshot; an empty placeholder before the first publish. */
  public Snapshot current() {
    return current;
  }

  /** True once something was published: until then there is nothing to stream. */
  public boolean hasPublished() {
    return published;
  }

  /** Called after every publish, on the publishing thread. Must not block. */
  public void subscribe(Consumer<Snapshot> subscriber) {
    subscribers.add(subscriber);
  }

  /** Stops calling {@code subscriber} (a stream server that closed). */
  public void unsubscribe(Consumer<Snapshot> subscriber) {
    subscribers.remove(subscriber);
  }

  /** The sequence number of a published version (1 for the first), if it is still remembered. */
  public synchronized Optional<Long> sequenceOf(String version) {
    return Optional.ofNullable(version == null ? null : sequences.get(version));
  }

  /** A recently published snapshot, to compute a delta from what a dataplane holds. */
  public synchronized Optional<Snapshot> recent(String version) {
    if (version == null) {
      return Optional.empty();
    }
    return history.stream().filter(s -> s.version().equals(version)).findFirst();
  }

  // ---- dataplanes -------------------------------------------------------------------------

  /**
   * Registers a connected dataplane. A node that reconnects replaces its older session; the
   * returned id makes sure the older session's late disconnect does not remove the new one.
   *
   * @param heldVersion the version its hello says it already has, or null
   * @return the session id to pass to {@link #disconnected}
   */
  public long connected(String nodeId, String heldVersion) {
    long id = sessionIds.incrementAndGet();
    dataplanes.put(nodeId, new Dataplane(id, nodeId, Instant.now(), heldVersion, null));
    fireAckListeners();
    return id;
  }

  /** Forgets a dataplane whose stream ended, unless it has reconnected since. */
  public void disconnected(String nodeId, long sessionId) {
    boolean removed = dataplanes.computeIfPresent(
        nodeId, (k, d) -> d.sessionId() == sessionId ? null : d) == null;
    if (removed) {
      fireAckListeners();
    }
  }

  /** The dataplane now serves {@code version}. */
  public void recordAck(String nodeId, String version) {
    Dataplane updated = dataplanes.computeIfPresent(nodeId, (k, d) -> d.withAcked(version));
    if (updated != null) {
      fireAckListeners();
    }
  }

  /** The dataplane rejected {@code version} and keeps what it had. Logged once and counted. */
  public void recordNack(String nodeId, String version, String error, List<String> resources) {
    nacks.incrementAndGet();
    Nack nack = new Nack(version, error, List.copyOf(resources), Instant.now());
    dataplanes.computeIfPresent(nodeId, (k, d) -> d.withNack(nack));
    log.warn(
        "dataplane {} rejected version {}: {} (resources: {})",
        nodeId, version, error, resources.isEmpty() ? "unknown" : String.join(", ", resources));
  }

  /**
   * True when at least one dataplane is connected and every connected one acked {@code version} or
   * a version published after it. False for a version this store never published.
   */
  public boolean isProgrammedEverywhere(String version) {
    Optional<Long> wanted = sequenceOf(version);
    if (wanted.isEmpty() || dataplanes.isEmpty()) {
      return false;
    }
    for (Dataplane d : dataplanes.values()) {
      Optional<Long> acked = sequenceOf(d.ackedVersion());
      if (acked.isEmpty() || acked.get() < wanted.get()) {
        return false;
      }
    }
    return true;
  }

  /** Runs after any change that may flip {@link #isProgrammedEverywhere}. Must not block. */
  public void onAck(Runnable listener) {
    ackListeners.add(listener);
  }

  public int connectedCount() {
    return dataplanes.size();
  }

  /** NACKs received since start, over all dataplanes. */
  public long nackCount() {
    return nacks.get();
  }

  /** Node id to the version it acked (nodes that acked nothing yet are left out), sorted. */
  public Map<String, String> ackedVersions() {
    Map<String, String> acked = new TreeMap<>();
    dataplanes.values().forEach(d -> {
      if (d.ackedVersion() != null) {
        acked.put(d.nodeId(), d.ackedVersion());
      }
    });
    return acked;
  }

  /** Every connected dataplane, sorted by node id. */
  public List<Dataplane> dataplanes() {
    return dataplanes.values().stream()
        .sorted(java.util.Comparator.comparing(Dataplane::nodeId))
        .toList();
  }

  public Optional<Dataplane> dataplane(String nodeId) {
    return Optional.ofNullable(dataplanes.get(nodeId));
  }

  private void fireAckListeners() {
    for (Runnable listener : ackListeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        log.warn("ack listener failed", e);
      }
    }
  }

  /**
   * A connected dataplane.
   *
   * @param ackedVersion the version it serves (acked, or announced in its hello), or null
   * @param lastNack its latest rejection, or null
   */
  public record Dataplane(
      long sessionId, String nodeId, Instant connectedSince, String ackedVersion, Nack lastNack) {
    Dataplane withAcked(String version) {
      return new Dataplane(sessionId, nodeId, connectedSince, version, lastNack);
    }

    Dataplane withNack(Nack nack) {
      return new Dataplane(sessionId, nodeId, connectedSince, ackedVersion, nack);
    }
  }

  /** A rejection reported by a dataplane. */
  public record Nack(String version, String error, List<String> resources, Instant at) {}
}
