package io.portcullis.operator.status;

import io.portcullis.operator.compile.ObjectRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The API writes of one status pass, sent a bounded number at a time instead of one after the
 * other: 10,000 Ingresses written one by one at a few milliseconds each kept "every object
 * Programmed" minutes away. Writes go in {@link Rank} order (ProxyRoute conditions before Ingress
 * addresses, objects that never had a status from us before changed ones); at most
 * {@link #DEFAULT_CONCURRENCY} requests are in flight, which bounds the load on the API server.
 * The pass waits for all of them, and the outcomes are handed back on the caller's thread, so the
 * status writer's bookkeeping stays single-threaded.
 */
final class StatusWrites implements AutoCloseable {
  /** Requests in flight towards the API server at once. */
  static final int DEFAULT_CONCURRENCY = 8;

  /**
   * Which writes go first. A ProxyRoute's conditions answer "is my change live?", which a user is
   * waiting for; an Ingress's address changes rarely and nobody waits on the 10,000th one. Within a
   * kind, an object that shows no status of ours yet (someone just created it) goes first.
   */
  enum Rank { NEW_PROXY_ROUTE, CHANGED_PROXY_ROUTE, NEW_INGRESS, CHANGED_INGRESS }

  /**
   * One object's write.
   *
   * @param rank where it goes in the order
   * @param call the request; throws when the API server refuses
   */
  record Write(ObjectRef ref, Rank rank, Runnable call) {}

  /** What became of a write. */
  /**
   * What became of a write.
   *
   * @param sent false: not sent, the pass ran out of time first; plan it again next pass
   */
  record Outcome(Write write, RuntimeException error, boolean sent) {
    Outcome(Write write, RuntimeException error) {
      this(write, error, true);
    }

    boolean ok() {
      return sent && error == null;
    }
  }

  private final ExecutorService pool;

  StatusWrites(int concurrency) {
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(concurrency, r -> {
      Thread t = new Thread(r, "status-write-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Puts the writes in the order they go out: by {@link Rank}, and within a rank the ones that
   * did not fail last time first, so objects the API server keeps refusing cannot crowd the others
   * out of a bounded pass. Stable otherwise.
   */
  static List<Write> ordered(List<Write> writes, java.util.function.Predicate<Write> failedBefore) {
    List<Write> ordered = new ArrayList<>(writes);
    ordered.sort(Comparator.comparing(Write::rank).thenComparing((Write w) -> failedBefore.test(w)));
    return ordered;
  }

  /** Sends every write, in the order given, and returns the outcomes in that order. */
  List<Outcome> run(List<Write> ordered) {
    return run(ordered, Long.MAX_VALUE);
  }

  /**
   * Sends the writes in the order given until {@code deadline} ({@link System#nanoTime}): a write
   * whose turn comes later is handed back unsent, so a slow API server cannot keep the writer from
   * looking at the acks again for long. The first write always goes, so every pass makes progress.
   */
  List<Outcome> run(List<Write> ordered, long deadline) {
    if (ordered.size() == 1) {
      return List.of(attempt(ordered.get(0)));
    }
    List<CompletableFuture<Outcome>> pending = new ArrayList<>(ordered.size());
    for (int i = 0; i < ordered.size(); i++) {
      Write w = ordered.get(i);
      boolean first = i == 0;
      try {
        pending.add(CompletableFuture.supplyAsync(
            () -> first || System.nanoTime() - deadline < 0 ? attempt(w) : new Outcome(w, null, false),
            pool));
      } catch (RejectedExecutionException closed) {
        pending.add(CompletableFuture.completedFuture(
            new Outcome(w, new IllegalStateException("status writer closed"))));
      }
    }
    List<Outcome> outcomes = new ArrayList<>(pending.size());
    for (CompletableFuture<Outcome> f : pending) {
      outcomes.add(f.join());
    }
    return outcomes;
  }

  private static Outcome attempt(Write w) {
    try {
      w.call().run();
      return new Outcome(w, null);
    } catch (RuntimeException e) {
      return new Outcome(w, e);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
