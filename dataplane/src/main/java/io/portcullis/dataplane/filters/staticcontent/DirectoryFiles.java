package io.portcullis.dataplane.filters.staticcontent;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.stream.ChunkedNioFile;
import io.portcullis.dataplane.filter.LocalResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Files under a directory mounted into the dataplane pod. Everything here blocks and runs on the
 * site's blocking executor: small bodies are read whole there; larger ones are opened there and
 * streamed by the responder with {@link ChunkedNioFile}, one chunk per write as the client
 * takes them. Symbolic links are followed (Kubernetes mounts ConfigMap and Secret volumes
 * through them) but never out of the directory.
 */
final class DirectoryFiles implements SiteFiles {
  /** Bodies up to this size are read into memory in one go. */
  static final int SMALL_FILE = 64 * 1024;
  private static final int CHUNK = 16 * 1024;

  private final Path root;

  DirectoryFiles(String root) {
    this.root = Path.of(root);
  }

  @Override
  public Entry find(String path) throws IOException {
    Path file = inside(path);
    if (file == null) {
      return null;
    }
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return null;
    }
    if (!attrs.isRegularFile()) {
      return null;
    }
    long modifiedMillis = attrs.lastModifiedTime().toMillis();
    // Like nginx: modification time and size name a version of a file well enough.
    String etag = "\"" + Long.toHexString(modifiedMillis) + "-" + Long.toHexString(attrs.size()) + "\"";
    return new Entry(path, attrs.size(), etag, modifiedMillis / 1000, file);
  }

  @Override
  public boolean isDirectory(String path) throws IOException {
    Path dir = inside(path);
    return dir != null && Files.isDirectory(dir);
  }

  @Override
  public LocalResponse.Body body(Entry entry, long offset, long length) throws IOException {
    if (length <= SMALL_FILE) {
      return new LocalResponse.Body.Bytes(bytes(entry, offset, length));
    }
    FileChannel channel = FileChannel.open((Path) entry.handle(), StandardOpenOption.READ);
    try {
      return new LocalResponse.Body.Streamed(new ChunkedNioFile(channel, offset, length, CHUNK), length);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  @Override
  public ByteBuf bytes(Entry entry, long offset, long length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(length));
    try (FileChannel channel = FileChannel.open((Path) entry.handle(), StandardOpenOption.READ)) {
      while (buffer.hasRemaining()) {
        if (channel.read(buffer, offset + buffer.position()) < 0) {
          throw new IOException("file " + entry.path() + " shrank while being read");
        }
      }
    }
    buffer.flip();
    return Unpooled.wrappedBuffer(buffer);
  }

  @Override
  public boolean blocking() {
    return true;
  }

  /** The real path of {@code path} under the root, or null when it leaves the root or is absent. */
  private Path inside(String path) throws IOException {
    Path candidate;
    try {
      candidate = root.resolve(path).normalize();
    } catch (InvalidPathException e) {
      return null;
    }
    if (!candidate.startsWith(root)) {
      return null;
    }
    try {
      Path real = candidate.toRealPath();
      return real.startsWith(root.toRealPath()) ? real : null;
    } catch (NoSuchFileException e) {
      return null;
    }
  }
}
