package io.portcullis.dataplane.filters.compression;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.compression.Brotli;
import io.netty.handler.codec.compression.BrotliEncoder;
import io.netty.handler.codec.compression.BrotliMode;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.netty.handler.codec.compression.Zstd;
import io.netty.handler.codec.compression.ZstdEncoder;
import io.portcullis.dataplane.filter.BodyTransform;
import java.util.Optional;

/** The content codings the proxy can produce, by their {@code Content-Encoding} token. */
enum ContentCoding {
  BROTLI("br"),
  ZSTD("zstd"),
  GZIP("gzip");

  /** Brotli's sliding window: 4 MiB (2^22), the size browsers accept and a bound on memory. */
  private static final int BROTLI_WINDOW_BITS = 22;
  /** zstd's block: what the encoder collects before it emits a frame. */
  private static final int ZSTD_BLOCK_SIZE = 64 * 1024;
  /** Largest input the zstd encoder keeps before it must emit, a bound on memory. */
  private static final int ZSTD_MAX_ENCODE_SIZE = 1024 * 1024;

  private final String token;

  ContentCoding(String token) {
    this.token = token;
  }

  String token() {
    return token;
  }

  static Optional<ContentCoding> of(String token) {
    for (ContentCoding c : values()) {
      if (c.token.equals(token)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /** False when the coding's native library is missing on this platform (then it is skipped). */
  boolean available() {
    return switch (this) {
      case BROTLI -> Brotli.isAvailable();
      case ZSTD -> Zstd.isAvailable();
      case GZIP -> true;
    };
  }

  /** A fresh streaming compressor of one response body at {@code level}, never shared. */
  BodyTransform newBody(int level, ByteBufAllocator alloc) {
    return switch (this) {
      case BROTLI -> new CompressingBody(new BrotliEncoder(
          StandardCompressionOptions.brotli(level, BROTLI_WINDOW_BITS, BrotliMode.TEXT)), alloc);
      case ZSTD -> new CompressingBody(
          new ZstdEncoder(level, ZSTD_BLOCK_SIZE, ZSTD_MAX_ENCODE_SIZE), alloc);
      // The JDK's zlib on the pooled buffers themselves: no native library needed.
      case GZIP -> new GzipBody(level, alloc);
    };
  }
}
