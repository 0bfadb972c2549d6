package io.portcullis.dataplane.filters.staticcontent;

import io.netty.buffer.ByteBuf;
import io.portcullis.dataplane.filter.LocalResponse;
import java.io.IOException;

/**
 * The files of one site. Implementations over a file system may block: {@link StaticSite} calls
 * them on its blocking executor when {@link #blocking()} says so, never on an event loop.
 */
interface SiteFiles {

  /** One regular file. */
  record Entry(String path, long size, String etag, long lastModified, Object handle) {}

  /** The regular file at {@code path} (relative, no leading or trailing slash), or null. */
  Entry find(String path) throws IOException;

  /** Whether {@code path} names a directory (then a request without the slash is redirected). */
  boolean isDirectory(String path) throws IOException;

  /** Bytes {@code [offset, offset + length)} of {@code entry} as a response body. */
  LocalResponse.Body body(Entry entry, long offset, long length) throws IOException;

  /** Bytes {@code [offset, offset + length)} of {@code entry} in memory (for multipart parts). */
  ByteBuf bytes(Entry entry, long offset, long length) throws IOException;

  /** Whether the methods above may block. */
  boolean blocking();
}
