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
 * Programmed" minutes away. Objects that never had a status from us go first (someone just
 * created them and is waiting); at most {@link #DEFAULT_CONCURRENCY} requests are in flight, which
 * bounds the load on the API server. The pass waits for all of them, and the outcomes are handed
 * back on the caller's thread, so the status writer's bookkeeping stays single-threaded.
 */
final class StatusWrites implements AutoCloseable {
  /** Requests in flight towards the API server at once. */
  static final int DEFAULT_CONCURRENCY = 8;

  /**
   * One object's write.
   *
   * @param fresh the object shows no status of ours yet: written before the others
   * @param call the request; throws when the API server refuses
   */
  record Write(ObjectRef ref, boolean fresh, Runnable call) {}

  /** What became of a write. */
  record Outcome(Write write, RuntimeException error) {
    boolean ok() {
      return error == null;
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

  /** Sends every write (new objects first) and returns the outcomes in that order. */
  List<Outcome> run(List<Write> writes) {
    List<Write> ordered = new ArrayList<>(writes);
    ordered.sort(Comparator.comparing((Write w) -> !w.fresh()));
    if (ordered.size() == 1) {
      return List.of(attempt(ordered.get(0)));
    }
    List<CompletableFuture<Outcome>> pending = new ArrayList<>(ordered.size());
    for (Write w : ordered) {
      try {
        pending.add(CompletableFuture.supplyAsync(() -> attempt(w), pool));
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
