package io.portcullis.dataplane.filter;

import io.netty.buffer.ByteBuf;

/** Small helpers around {@link LocalResponse} bodies. */
public final class LocalResponses {
  private LocalResponses() {}

  /** Releases what a body holds (its bytes, its open input); null is fine. */
  public static void release(LocalResponse.Body body) {
    if (body instanceof LocalResponse.Body.Bytes bytes) {
      ByteBuf content = bytes.content();
      if (content.refCnt() > 0) {
        content.release();
      }
    } else if (body instanceof LocalResponse.Body.Streamed streamed) {
      try {
        streamed.input().close();
      } catch (Exception ignored) {
        // nothing more to release
      }
    }
  }
}
