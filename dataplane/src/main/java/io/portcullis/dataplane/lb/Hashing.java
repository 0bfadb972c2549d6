package io.portcullis.dataplane.lb;

/**
 * A stable 64-bit string hash (FNV-1a over the UTF-16 code units, finished with MurmurHash3's mixer so that close
 * inputs such as {@code 10.0.0.1:80} and {@code 10.0.0.2:80} spread over the whole range). Stable
 * across JVMs and restarts, unlike {@link String#hashCode()}'s uses in hashed collections, so every
 * dataplane maps a key to the same endpoint.
 */
final class Hashing {
  private Hashing() {}

  static long hash64(String text, long seed) {
    long h = 0xcbf29ce484222325L ^ seed;
    // Over UTF-16 code units rather than UTF-8 bytes: the same stability, no array per request.
    for (int i = 0; i < text.length(); i++) {
      h ^= text.charAt(i);
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  static long hash64(String text) {
    return hash64(text, 0);
  }

  /** MurmurHash3's 64-bit finalizer. */
  static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
