package io.portcullis.operator.compile;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the previous compile learned from each TLS Secret's content, so an unchanged Secret is not
 * parsed and key-checked again: parsing and proving that a key belongs to its certificate
 * ({@link KeyMatch}) was most of a compile with thousands of TLS Ingresses. A memo of a pure function:
 * the compile's result is the same with or without it, only cheaper.
 *
 * <p>Keyed by the Secret's raw {@code tls.crt} and {@code tls.key} strings (the cache hands the
 * same instances to every compile, so a lookup hashes nothing new). Each compile starts a
 * {@link Round} that reads what the previous round kept; only what a round used is kept after it,
 * so memory follows the live Secrets. Expiry is not memoised: it is judged against each compile's
 * {@code now}.
 */
final class ParsedCertificates {
  /** The parts of a usable certificate that depend on the Secret's content alone. */
  record Content(String chainPem, String keyPem, List<String> dnsNames, Instant notAfter) {}

  record Key(String certificate, String key) {}

  private volatile Map<Key, Content> kept = Map.of();

  /** A round for one compile; hand it back to {@link #keep} when the compile is done. */
  Round start() {
    return new Round(kept);
  }

  void keep(Round round) {
    kept = round.used;
  }

  /**
   * After a compile of part of the objects: what it used joins what was kept, since the rest of
   * the Secrets are still live. Stale entries go at the next full compile's {@link #keep}.
   */
  void keepAlso(Round round) {
    if (round.used.isEmpty()) {
      return;
    }
    Map<Key, Content> joined = new HashMap<>(kept);
    joined.putAll(round.used);
    kept = joined;
  }

  /**
   * The earliest {@code notAfter} of a remembered certificate that is still valid at {@code now},
   * or null when none is: until then, the passing of time changes no compile's outcome.
   */
  Instant nextExpiry(Instant now) {
    Instant next = null;
    for (Content content : kept.values()) {
      Instant notAfter = content.notAfter();
      if (!notAfter.isBefore(now) && (next == null || notAfter.isBefore(next))) {
        next = notAfter;
      }
    }
    return next;
  }

  /** One compile's lookups. Not thread-safe: a compile runs on one thread. */
  static final class Round {
    /** Remembers nothing: every Secret is parsed (one-off validations). */
    static Round none() {
      return new Round(Map.of());
    }

    private final Map<Key, Content> previous;
    private final Map<Key, Content> used = new HashMap<>();

    private Round(Map<Key, Content> previous) {
      this.previous = previous;
    }

    Content get(Key key) {
      Content c = used.get(key);
      if (c == null) {
        c = previous.get(key);
        if (c != null) {
          used.put(key, c);
        }
      }
      return c;
    }

    void put(Key key, Content content) {
      used.put(key, content);
    }
  }
}
