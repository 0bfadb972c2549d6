package io.portcullis.dataplane.filters.compression;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.portcullis.dataplane.filter.BodyTransform;

/**
 * The quick measurement behind the default levels (not a test; run by hand, a few seconds):
 * compresses a 100 KiB mixed HTML/JSON text at each level of each coding in 16 KiB parts, as a
 * proxied body arrives, and prints the ratio and the CPU time per MiB after a warm-up.
 */
public final class CompressionLevels {
  /** CPU time, not wall time: the machine this runs on is shared. */
  private static final java.lang.management.ThreadMXBean CPU =
      java.lang.management.ManagementFactory.getThreadMXBean();

  public static void main(String[] args) {
    byte[] text = CompressionFilterTest.text(100 * 1024);
    for (ContentCoding coding : ContentCoding.values()) {
      int max = switch (coding) {
        case GZIP -> 9;
        case BROTLI -> 11;
        case ZSTD -> 9;
      };
      for (int level = 1; level <= max; level++) {
        measure(coding, level, text, 20);
        int rounds = 60;
        long start = CPU.getCurrentThreadCpuTime();
        long out = measure(coding, level, text, rounds);
        double msPerMib = (CPU.getCurrentThreadCpuTime() - start) / 1e6 / (rounds * text.length / 1048576.0);
        System.out.printf("%-5s %2d ratio %.2f  %.1f ms/MiB%n", coding.token(), level,
            (double) text.length / out, msPerMib);
      }
    }
  }

  private static long measure(ContentCoding coding, int level, byte[] text, int rounds) {
    long out = 0;
    for (int r = 0; r < rounds; r++) {
      BodyTransform body = coding.newBody(level, PooledByteBufAllocator.DEFAULT);
      out = 0;
      for (int i = 0; i < text.length; i += 16 * 1024) {
        int n = Math.min(16 * 1024, text.length - i);
        out += size(body.onData(PooledByteBufAllocator.DEFAULT.directBuffer(n).writeBytes(text, i, n)));
      }
      out += size(body.onEnd());
    }
    return out;
  }

  private static int size(ByteBuf buf) {
    int n = buf.readableBytes();
    buf.release();
    return n;
  }
}
