package io.portcullis.dataplane.filters.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/** The gzip transform against the JDK's own gzip reader, part by part. */
class GzipBodyTest {
  private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

  /** Text that compresses like a real page: words from a small vocabulary, some randomness. */
  private static byte[] text(int size, long seed) {
    String[] words = {"portcullis", "ingress", "route", "backend", "the", "a", "<div>", "</div>",
        "cache", "gzip", "{\"id\":", "42,", "\n"};
    Random random = new Random(seed);
    StringBuilder sb = new StringBuilder();
    while (sb.length() < size) {
      sb.append(words[random.nextInt(words.length)]).append(random.nextInt(10) == 0 ? random.nextInt() : ' ');
    }
    return sb.substring(0, size).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] take(ByteBuf buf) {
    byte[] bytes = ByteBufUtil.getBytes(buf);
    buf.release();
    return bytes;
  }

  private static byte[] gunzip(byte[] gz) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }

  @Test
  void aBodyInPartsIsOneGzipMemberOfTheWholeBody() throws Exception {
    byte[] body = text(300_000, 1);
    GzipBody gzip = new GzipBody(1, ALLOC);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Random random = new Random(2);
    int at = 0;
    while (at < body.length) {
      int n = Math.min(body.length - at, 1 + random.nextInt(20_000));
      ByteBuf part = ALLOC.directBuffer(n).writeBytes(body, at, n);
      out.write(take(gzip.onData(part)));
      at += n;
    }
    out.write(take(gzip.onEnd()));
    assertArrayEquals(body, gunzip(out.toByteArray()));
    assertTrue(out.size() < body.length / 2, "compressed: " + out.size());
  }

  @Test
  void everyPartCanBeReadAsSoonAsItIsSent() throws Exception {
    byte[] body = text(50_000, 3);
    GzipBody gzip = new GzipBody(6, ALLOC);
    Inflater inflater = new Inflater(true);
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    boolean headerSkipped = false;
    for (int at = 0; at < body.length; at += 5_000) {
      byte[] out = take(gzip.onData(Unpooled.wrappedBuffer(body, at, 5_000)));
      inflater.setInput(headerSkipped ? out : Arrays.copyOfRange(out, 10, out.length));
      headerSkipped = true;
      byte[] room = new byte[100_000];
      int n;
      while ((n = inflater.inflate(room)) > 0) {
        seen.write(room, 0, n);
      }
      assertArrayEquals(Arrays.copyOf(body, at + 5_000), seen.toByteArray(),
          "everything sent so far is readable at once (sync flush)");
    }
    take(gzip.onEnd());
    inflater.end();
  }

  @Test
  void aCompositePartAndAnEmptyPartAreFine() throws Exception {
    byte[] body = text(10_000, 4);
    GzipBody gzip = new GzipBody(1, ALLOC);
    CompositeByteBuf composite = ALLOC.compositeDirectBuffer();
    composite.addComponent(true, ALLOC.directBuffer().writeBytes(body, 0, 4_000));
    composite.addComponent(true, Unpooled.wrappedBuffer(body, 4_000, 6_000));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(take(gzip.onData(Unpooled.EMPTY_BUFFER)));
    out.write(take(gzip.onData(composite)));
    out.write(take(gzip.onEnd()));
    assertArrayEquals(body, gunzip(out.toByteArray()));
  }

  @Test
  void anEmptyBodyIsAnEmptyGzipMember() throws Exception {
    GzipBody gzip = new GzipBody(1, ALLOC);
    assertEquals(0, gunzip(take(gzip.onEnd())).length);
  }

  @Test
  void anAbortedBodyLetsGoOfEverything() {
    GzipBody gzip = new GzipBody(1, ALLOC);
    take(gzip.onData(ALLOC.directBuffer().writeBytes(text(1_000, 5))));
    gzip.onAbort();
    ByteBuf late = ALLOC.directBuffer().writeBytes(new byte[10]);
    assertEquals(0, take(gzip.onData(late)).length, "parts after the abort are dropped");
    assertEquals(0, late.refCnt(), "and released");
  }
}
