package io.portcullis.dataplane.filter;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Composition of body transforms. */
final class BodyTransforms {
  private BodyTransforms() {}

  /** {@code first}'s output feeds {@code second}. */
  static BodyTransform chain(BodyTransform first, BodyTransform second) {
    return new BodyTransform() {
      @Override
      public ByteBuf onData(ByteBuf part) {
        return second.onData(first.onData(part));
      }

      @Override
      public ByteBuf onEnd() {
        ByteBuf rest = second.onData(first.onEnd());
        ByteBuf last = second.onEnd();
        if (!last.isReadable()) {
          last.release();
          return rest;
        }
        if (!rest.isReadable()) {
          rest.release();
          return last;
        }
        return Unpooled.wrappedBuffer(rest, last);
      }

      @Override
      public void onAbort() {
        first.onAbort();
        second.onAbort();
      }

      @Override
      public boolean preservesLength() {
        return first.preservesLength() && second.preservesLength();
      }
    };
  }
}
