package io.portcullis.dataplane.filters.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Verifies passwords off the event loop, on a small bounded pool, and remembers credentials that
 * verified for a short while, so a client sending the same credentials on every request pays the
 * hash once a minute, not on every request. Only a digest of user, password and stored hash is
 * kept (a changed password or hash misses the cache); failures are never cached.
 */
final class PasswordVerifier implements AutoCloseable {
  /** What a check came to. */
  enum Outcome { MATCH, MISMATCH, BUSY }

  static final Duration REMEMBER = Duration.ofSeconds(60);

  private final ThreadPoolExecutor pool;
  private final Cache<String, Boolean> verified;

  PasswordVerifier(int threads, int queue) {
    AtomicInteger n = new AtomicInteger();
    pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(queue), r -> {
          Thread t = new Thread(r, "auth-password-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
    verified = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(REMEMBER).build();
  }

  /** True when these credentials verified within {@link #REMEMBER}; cheap, any thread. */
  boolean recentlyVerified(String key) {
    return verified.getIfPresent(key) != null;
  }

  /** The cache key of credentials: a digest, so no password is held in memory. */
  static String key(String user, String password, String hash) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(user.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(password.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      return HexFormat.of().formatHex(sha.digest(hash.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Checks on the pool; completes there. BUSY when the pool's queue is full. */
  CompletableFuture<Outcome> verify(String key, String password, String hash) {
    CompletableFuture<Outcome> result = new CompletableFuture<>();
    try {
      pool.execute(() -> {
        boolean match = PasswordHashes.matches(password, hash);
        if (match) {
          verified.put(key, Boolean.TRUE);
        }
        result.complete(match ? Outcome.MATCH : Outcome.MISMATCH);
      });
    } catch (RejectedExecutionException e) {
      result.complete(Outcome.BUSY);
    }
    return result;
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
