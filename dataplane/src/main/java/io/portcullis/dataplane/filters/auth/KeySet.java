package io.portcullis.dataplane.filters.auth;

import com.nimbusds.jose.jwk.JWKSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The keys tokens are checked against: fixed, or fetched and refreshed from a JWKS URL. */
interface KeySet {

  /** The keys at hand, or null when none have been loaded yet. Cheap; never blocks. */
  JWKSet current();

  /**
   * Asks for fresh keys (a token names a key not in {@link #current}); completes with the keys
   * then at hand, which may be the same ones when a refresh is not allowed yet.
   */
  CompletionStage<JWKSet> refresh();

  /** Keys that never change (from a Secret). */
  static KeySet fixed(JWKSet keys) {
    return new KeySet() {
      @Override
      public JWKSet current() {
        return keys;
      }

      @Override
      public CompletionStage<JWKSet> refresh() {
        return CompletableFuture.completedFuture(keys);
      }
    };
  }
}
