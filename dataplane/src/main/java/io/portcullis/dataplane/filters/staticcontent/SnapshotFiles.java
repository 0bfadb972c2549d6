package io.portcullis.dataplane.filters.staticcontent;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.snapshot.StaticBlob;
import io.portcullis.snapshot.StaticFile;
import io.portcullis.snapshot.StaticSource;
import java.util.HashMap;
import java.util.Map;

/**
 * Files carried in the snapshot, decoded once when the snapshot is applied. Blobs shared by
 * several names or routes are decoded once per site; nothing here blocks.
 */
final class SnapshotFiles implements SiteFiles {
  private final Map<String, Entry> byPath = new HashMap<>();
  private final Map<String, Boolean> directories = new HashMap<>();

  SnapshotFiles(StaticSource.Files source, Map<String, StaticBlob> blobs) {
    Map<String, byte[]> decoded = new HashMap<>();
    for (StaticFile f : source.files()) {
      StaticBlob blob = blobs.get(f.digest());
      if (blob == null) {
        throw new IllegalArgumentException("static file " + f.path() + " has no content");
      }
      byte[] bytes = decoded.computeIfAbsent(f.digest(), d -> blob.bytes());
      // The digest is the strong validator; 32 hex digits (128 bits) are plenty to tell versions apart.
      String etag = "\"" + f.digest().substring(0, 32) + "\"";
      byPath.put(f.path(), new Entry(f.path(), bytes.length, etag, source.lastModified(), bytes));
      for (int slash = f.path().indexOf('/'); slash > 0; slash = f.path().indexOf('/', slash + 1)) {
        directories.put(f.path().substring(0, slash), Boolean.TRUE);
      }
    }
  }

  @Override
  public Entry find(String path) {
    return byPath.get(path);
  }

  @Override
  public boolean isDirectory(String path) {
    return directories.containsKey(path);
  }

  @Override
  public LocalResponse.Body body(Entry entry, long offset, long length) {
    return new LocalResponse.Body.Bytes(bytes(entry, offset, length));
  }

  @Override
  public ByteBuf bytes(Entry entry, long offset, long length) {
    // Wraps the shared array: no copy per request, and releasing it frees nothing shared.
    return Unpooled.wrappedBuffer((byte[]) entry.handle(), (int) offset, (int) length);
  }

  @Override
  public boolean blocking() {
    return false;
  }
}
