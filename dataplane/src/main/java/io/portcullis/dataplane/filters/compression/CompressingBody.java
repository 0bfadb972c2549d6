package io.portcullis.dataplane.filters.compression;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.portcullis.dataplane.filter.BodyTransform;

/**
 * Compresses one response body as it streams (brotli, zstd; gzip has {@link GzipBody}). Each part
 * goes through Netty's encoder and comes out compressed and flushed, so the client gets bytes as
 * soon as the backend sends them and the memory held is the encoder's window, not the body (a
 * 100 MB response needs no more than a 1 KB one). The encoder runs in a private {@link
 * EmbeddedChannel}, as Netty's own {@code HttpContentCompressor} does: no I/O, no thread, just
 * the handler's state.
 */
final class CompressingBody implements BodyTransform {
  private final EmbeddedChannel encoder;
  private final ByteBufAllocator alloc;
  private boolean done;

  CompressingBody(ChannelHandler handler, ByteBufAllocator alloc) {
    this.alloc = alloc;
    this.encoder = new EmbeddedChannel(handler);
    encoder.config().setAllocator(alloc);
  }

  @Override
  public ByteBuf onData(ByteBuf part) {
    if (done) {
      part.release();
      return Unpooled.EMPTY_BUFFER;
    }
    if (!part.isReadable()) {
      part.release();
      return Unpooled.EMPTY_BUFFER;
    }
    encoder.writeOutbound(part);
    return drain();
  }

  @Override
  public ByteBuf onEnd() {
    if (done) {
      return Unpooled.EMPTY_BUFFER;
    }
    done = true;
    // Closing the channel makes the encoder write its trailer (gzip CRC, brotli last block).
    encoder.finish();
    return drain();
  }

  @Override
  public void onAbort() {
    if (!done) {
      done = true;
      encoder.finishAndReleaseAll();
    }
  }

  private ByteBuf drain() {
    ByteBuf first = encoder.readOutbound();
    if (first == null) {
      return Unpooled.EMPTY_BUFFER;
    }
    ByteBuf next = encoder.readOutbound();
    if (next == null) {
      return first;
    }
    CompositeByteBuf all = alloc.compositeBuffer();
    all.addComponent(true, first);
    do {
      all.addComponent(true, next);
      next = encoder.readOutbound();
    } while (next != null);
    return all;
  }
}
