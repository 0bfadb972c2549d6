package io.portcullis.dataplane.filter;

import io.netty.buffer.ByteBuf;

/**
 * A per-response rewrite of a body as it streams (compression, a copy teed into the cache). It
 * sees the body in the order it goes to the client, one part at a time, and never needs it
 * whole: memory stays bounded by what the transform itself keeps.
 */
public interface BodyTransform {

  /**
   * One part of the body. Takes ownership of {@code part} (release or pass it on) and returns what
   * to pass on now, possibly an empty buffer, never null; the caller owns the result.
   */
  ByteBuf onData(ByteBuf part);

  /** The body ended: returns the last bytes to pass on (possibly empty), never null. */
  ByteBuf onEnd();

  /** The response broke off before its end (a client or backend went away): release state. */
  default void onAbort() {}

  /**
   * True when the output has exactly the bytes of the input (a copy kept by the cache): the
   * response keeps its {@code Content-Length}. False (the default) when the length may change.
   */
  default boolean preservesLength() {
    return false;
  }
}
