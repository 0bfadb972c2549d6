package io.portcullis.operator.status;

import io.portcullis.operator.compile.ObjectRef;
import io.portcullis.operator.compile.ObjectStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides which Event objects a batch of occurrences becomes, in the spirit of client-go's
 * EventCorrelator, with no I/O (the {@link KubernetesEventRecorder} writes what it decides):
 *
 * <ul>
 *   <li><b>One Event per (object, type, reason, message)</b>, under a name derived from exactly
 *       that, so whoever records it next (this replica later, or a new leader with an empty
 *       memory) finds the same Event and bumps its count instead of creating another.
 *   <li><b>Similar Events aggregated</b>: the same type, reason and message in one namespace on
 *       more than {@link Settings#aggregateThreshold()} objects within {@link
 *       Settings#aggregateWindow()} (one unready Service under 200 Ingresses) go to one combined
 *       Event, whose count carries the occurrences. client-go groups by object and ignores the
 *       message; our storms are one cause fanned out to many objects, so we group across objects.
 *   <li><b>A per-object rate limit</b>: a token bucket per object (client-go's defaults, 25 then
 *       one per 5 minutes), so an object that flaps cannot flood the namespace.
 * </ul>
 * Not thread-safe: one recorder calls it.
 */
public final class EventCorrelator {
  /** The prefix of a combined Event's message, as client-go words it. */
  public static final String COMBINED_PREFIX = "(combined from similar events): ";

  /**
   * @param aggregateThreshold distinct objects with their own Event before similar ones combine
   * @param aggregateWindow how long an aggregation key remembers its objects
   * @param burst events an object may have at once
   * @param refill time for one token to come back
   * @param maxTracked objects and keys remembered; the oldest are forgotten first
   */
  public record Settings(int aggregateThreshold, Duration aggregateWindow, int burst, Duration refill, int maxTracked) {
    public static final Settings DEFAULT =
        new Settings(10, Duration.ofMinutes(10), 25, Duration.ofMinutes(5), 4096);

    public Settings {
      if (aggregateThreshold < 1 || burst < 1 || maxTracked < 1) {
        throw new IllegalArgumentException("threshold, burst and maxTracked must be positive");
      }
      Objects.requireNonNull(aggregateWindow);
      Objects.requireNonNull(refill);
    }
  }

  /** One event reported on one object. */
  public record Occurrence(ObjectRef object, ObjectStatus.Event event) {}

  /**
   * One Event object to create or bump by {@code count}.
   *
   * @param involved the object the Event is about (for a combined one, the first that overflowed)
   */
  public record EventWrite(String namespace, String name, ObjectRef involved, boolean warning,
      String reason, String message, int count) {}

  private final Settings settings;
  private final Map<String, Bucket> buckets;
  private final Map<String, Similar> similar;
  private long dropped;

  public EventCorrelator(Settings settings) {
    this.settings = Objects.requireNonNull(settings);
    this.buckets = lru(settings.maxTracked());
    this.similar = lru(settings.maxTracked());
  }

  /** Occurrences dropped by the rate limit so far. */
  public long dropped() {
    return dropped;
  }

  public List<EventWrite> correlate(List<Occurrence> batch, Instant now) {
    List<EventWrite> out = new ArrayList<>();
    Map<String, EventWrite> combined = new LinkedHashMap<>();
    for (Occurrence o : batch) {
      ObjectRef ref = o.object();
      ObjectStatus.Event e = o.event();
      if (!buckets.computeIfAbsent(objectKey(ref), k -> new Bucket(settings.burst(), now)).take(now)) {
        dropped++;
        continue;
      }
      String key = ref.namespace() + "\n" + e.warning() + "\n" + e.reason() + "\n" + e.message();
      Similar group = similar.get(key);
      if (group == null || now.isAfter(group.since.plus(settings.aggregateWindow()))) {
        group = new Similar(now);
        similar.put(key, group);
      }
      String object = objectKey(ref);
      if (group.objects.contains(object) || group.objects.size() < settings.aggregateThreshold()) {
        group.objects.add(object);
        out.add(new EventWrite(ref.namespace(), name(ref.name(), objectKey(ref) + "\n" + key), ref,
            e.warning(), e.reason(), e.message(), 1));
      } else {
        EventWrite before = combined.get(key);
        combined.put(key, before == null
            ? new EventWrite(ref.namespace(), name("portcullis-similar", key), ref, e.warning(),
                e.reason(), COMBINED_PREFIX + e.message(), 1)
            : new EventWrite(before.namespace(), before.name(), before.involved(), before.warning(),
                before.reason(), before.message(), before.count() + 1));
      }
    }
    out.addAll(combined.values());
    return out;
  }

  private static String objectKey(ObjectRef ref) {
    return ref.kind() + "/" + ref.namespace() + "/" + ref.name() + "/" + ref.uid();
  }

  /** {@code <base>.<16 hex digits of SHA-256(key)>}, at most 253 characters. */
  static String name(String base, String key) {
    String prefix = base.length() > 200 ? base.substring(0, 200) : base;
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return prefix + "." + HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <V> Map<String, V> lru(int max) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    };
  }

  private static final class Similar {
    final Instant since;
    final Set<String> objects = new LinkedHashSet<>();

    Similar(Instant since) {
      this.since = since;
    }
  }

  /** client-go's token bucket: starts full, one token back per refill period. */
  private final class Bucket {
    private double tokens;
    private Instant last;

    Bucket(int burst, Instant now) {
      this.tokens = burst;
      this.last = now;
    }

    boolean take(Instant now) {
      double elapsed = Duration.between(last, now).toMillis();
      if (elapsed > 0) {
        tokens = Math.min(settings.burst(), tokens + elapsed / settings.refill().toMillis());
        last = now;
      }
      if (tokens < 1) {
        return false;
      }
      tokens -= 1;
      return true;
    }
  }
}
