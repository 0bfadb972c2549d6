package io.portcullis.snapshot;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Comparator;
import java.util.List;

/** Where a static site's files come from. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = StaticSource.Files.class, name = "files"),
  @JsonSubTypes.Type(value = StaticSource.Directory.class, name = "directory")
})
public sealed interface StaticSource {

  /**
   * Files carried in the snapshot (from a ConfigMap). Their bytes are {@link StaticBlob}s of the
   * snapshot, named by digest: a file that did not change keeps its blob, and two routes (or two
   * names) with the same content share one.
   *
   * @param files sorted by path, unique
   * @param lastModified the time the content last changed, in seconds since the epoch (sent as
   *     {@code Last-Modified}); 0 when unknown (then no {@code Last-Modified} is sent)
   */
  record Files(List<StaticFile> files, long lastModified) implements StaticSource {
    public Files {
      files = Sorted.copy(files, Comparator.comparing(StaticFile::path));
      Sorted.requireUnique(files, StaticFile::path, "static file");
      if (lastModified < 0) {
        throw new IllegalArgumentException("lastModified must not be negative");
      }
    }
  }

  /**
   * A directory mounted into the dataplane pods, read at request time.
   *
   * @param path absolute, without {@code .} or {@code ..} segments and without a trailing slash
   */
  record Directory(String path) implements StaticSource {
    public Directory {
      if (path == null || !path.startsWith("/")) {
        throw new IllegalArgumentException("static directory must be an absolute path: " + path);
      }
      while (path.length() > 1 && path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      for (String segment : path.split("/")) {
        if (segment.equals(".") || segment.equals("..")) {
          throw new IllegalArgumentException("static directory must not contain . or ..: " + path);
        }
      }
    }
  }
}
