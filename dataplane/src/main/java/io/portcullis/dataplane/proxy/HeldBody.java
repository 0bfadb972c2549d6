package io.portcullis.dataplane.proxy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.dataplane.filter.BufferedBody;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * Request body parts that arrived while nothing could take them (filters running, a backend
 * connection being opened, a retry waiting), and a filter's wait for the start of the body
 * ({@code FilterContext.bufferRequestBody}). Reading stays paused while parts are held, unless a
 * filter waits for more of them.
 */
final class HeldBody {
  private ArrayDeque<HttpContent> parts;
  private BodyWaiter waiter;

  /**
   * Holds a part; returns true when reading should go on (a filter waits for more bytes), false
   * when the rest of the body should wait in the socket.
   */
  boolean hold(HttpContent content, boolean requestComplete) {
    if (parts == null) {
      parts = new ArrayDeque<>();
    }
    parts.add(content);
    return waiter != null && !checkWaiter(requestComplete);
  }

  /** A filter asks for the first {@code maxBytes}; returns true when reading must go on for them. */
  boolean await(int maxBytes, CompletableFuture<BufferedBody> result, boolean requestComplete) {
    waiter = new BodyWaiter(maxBytes, result);
    return !checkWaiter(requestComplete);
  }

  /** Completes the waiter when enough is held; returns true when it did (or there was none). */
  private boolean checkWaiter(boolean requestComplete) {
    BodyWaiter w = waiter;
    if (w == null) {
      return true;
    }
    long held = 0;
    if (parts != null) {
      for (HttpContent part : parts) {
        held += part.content().readableBytes();
      }
    }
    if (!requestComplete && held < w.maxBytes()) {
      return false;
    }
    waiter = null;
    w.complete(parts, requestComplete && held <= w.maxBytes());
    return true;
  }

  /** The parts held so far, handed to a new backend connection (null when none). */
  ArrayDeque<HttpContent> take() {
    ArrayDeque<HttpContent> taken = parts;
    parts = null;
    return taken;
  }

  void release() {
    if (parts != null) {
      parts.forEach(ReferenceCountUtil::release);
      parts = null;
    }
  }

  /** An empty body for a filter that asks on a request without one. */
  static BufferedBody none() {
    return new BufferedBody(Unpooled.EMPTY_BUFFER, true);
  }
}
