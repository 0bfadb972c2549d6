package io.portcullis.dataplane.resilience;

import io.netty.handler.codec.http.HttpContent;
import java.util.ArrayList;
import java.util.List;

/**
 * The request body parts sent so far, kept (as retained duplicates sharing the bytes, no copy) so a
 * retry can send them again. Bounded: once the body passes the limit the copies are dropped and
 * the request can no longer be retried, so a large upload never sits in memory.
 */
public final class ReplayBuffer {
  private final long limitBytes;
  private List<HttpContent> parts = new ArrayList<>(2);
  private long bytes;

  public ReplayBuffer(long limitBytes) {
    this.limitBytes = limitBytes;
  }

  /** Whether every part sent so far is still held. */
  public boolean replayable() {
    return parts != null;
  }

  /** Keeps a duplicate of {@code content} before it is written (the write releases the original). */
  public void record(HttpContent content) {
    if (parts == null) {
      return;
    }
    bytes += content.content().readableBytes();
    if (bytes > limitBytes) {
      release();
      return;
    }
    parts.add(content.retainedDuplicate());
  }

  /** Fresh duplicates of the parts, in order, for the next try; the caller owns them. */
  public List<HttpContent> replay() {
    if (parts == null) {
      throw new IllegalStateException("body no longer replayable");
    }
    List<HttpContent> copies = new ArrayList<>(parts.size());
    for (HttpContent part : parts) {
      copies.add(part.retainedDuplicate());
    }
    return copies;
  }

  /** Drops every held part; the buffer stays unreplayable. */
  public void release() {
    if (parts != null) {
      parts.forEach(HttpContent::release);
      parts = null;
    }
  }
}
