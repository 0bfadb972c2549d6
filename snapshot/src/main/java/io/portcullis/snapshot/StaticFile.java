package io.portcullis.snapshot;

import java.util.regex.Pattern;

/**
 * One file of a static site carried in the snapshot.
 *
 * @param path relative to the site's root, without a leading slash, {@code .} or {@code ..}
 *     segments ({@code index.html}, {@code app.js.br})
 * @param digest lower-case hex SHA-256 of the content: the name of its {@link StaticBlob}, and
 *     the strong entity tag the dataplane sends
 * @param size the content's length in bytes
 */
public record StaticFile(String path, String digest, long size) {
  static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");

  public StaticFile {
    Sorted.requireText(path, "static file path");
    if (path.startsWith("/") || path.endsWith("/")) {
      throw new IllegalArgumentException("static file path must be relative: " + path);
    }
    for (String segment : path.split("/")) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("static file path has an empty, . or .. segment: " + path);
      }
    }
    if (digest == null || !DIGEST.matcher(digest).matches()) {
      throw new IllegalArgumentException("static file digest must be a hex SHA-256: " + digest);
    }
    if (size < 0) {
      throw new IllegalArgumentException("static file size must not be negative");
    }
  }
}
