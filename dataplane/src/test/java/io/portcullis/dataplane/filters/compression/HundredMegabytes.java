package io.portcullis.dataplane.filters.compression;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.portcullis.dataplane.filter.BodyTransform;
import io.portcullis.dataplane.filter.ResponseAction;
import io.portcullis.dataplane.testing.FakeFilterContext;
import io.portcullis.snapshot.filter.CompressionPolicy;
import java.util.zip.CRC32;

/**
 * Run in a child JVM with a small heap by {@link BoundedMemoryTest}: streams 100 MB of text
 * through the compression filter in 64 KiB parts and prints the input and output byte counts.
 */
public final class HundredMegabytes {
  public static void main(String[] args) {
    String coding = args[0];
    long total = 100L * 1024 * 1024;
    byte[] block = CompressionFilterTest.text(64 * 1024);
    CompressionFilter filter = new CompressionFilter(CompressionPolicy.defaults());
    FakeFilterContext ctx = CompressionFilterTest.request("GET", "/", "accept-encoding", coding);
    filter.onRequest(ctx);
    BodyTransform body = ((ResponseAction.Transform) filter.onResponse(ctx,
        CompressionFilterTest.response(200, "text/plain", total))).transform();
    long out = 0;
    CRC32 crc = new CRC32();
    for (long sent = 0; sent < total; sent += block.length) {
      // Vary the block a little so no encoder sees one repeated 64 KiB string.
      block[(int) (sent / block.length) % block.length] ^= 1;
      ByteBuf part = PooledByteBufAllocator.DEFAULT.directBuffer(block.length).writeBytes(block);
      out += take(body.onData(part), crc);
    }
    out += take(body.onEnd(), crc);
    System.out.println("in=" + total + " out=" + out + " crc=" + crc.getValue());
  }

  private static long take(ByteBuf buf, CRC32 crc) {
    int n = buf.readableBytes();
    crc.update(buf.nioBuffer());
    buf.release();
    return n;
  }
}
