package io.portcullis.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpContent;
import io.portcullis.dataplane.filter.BufferedBody;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * A filter's wait for the start of the request body ({@code FilterContext.bufferRequestBody}).
 * The parts stay queued for the backend; the filter sees a read-only view of them, which it must
 * not release.
 */
record BodyWaiter(int maxBytes, CompletableFuture<BufferedBody> result) {

  void complete(Collection<HttpContent> queued, boolean whole) {
    if (queued == null || queued.isEmpty()) {
      result.complete(new BufferedBody(Unpooled.EMPTY_BUFFER, whole));
      return;
    }
    CompositeByteBuf view = Unpooled.compositeBuffer(queued.size());
    for (HttpContent part : queued) {
      ByteBuf data = part.content();
      if (data.isReadable()) {
        view.addComponent(true, data.duplicate());
      }
    }
    int length = Math.min(view.readableBytes(), maxBytes);
    result.complete(new BufferedBody(view.slice(0, length).asReadOnly(), whole));
  }
}
