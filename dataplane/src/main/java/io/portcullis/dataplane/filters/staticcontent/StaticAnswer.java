package io.portcullis.dataplane.filters.staticcontent;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filters.compression.AcceptEncoding;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.RouteAction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The HTTP semantics of serving a file: method, path to file (index, trailing-slash redirect,
 * SPA fallback), precompressed variants, preconditions, ranges. It reads files only through
 * {@link SiteFiles}, so it runs wherever the site's files may be read.
 */
final class StaticAnswer {
  /** Multipart answers from files that must be read for them are built in memory up to this. */
  static final long MAX_MULTIPART_BYTES = 1024 * 1024;

  /** Precompressed files next to the original, in our order of preference. */
  private record Variant(String suffix, String coding) {}

  private static final List<Variant> VARIANTS =
      List.of(new Variant(".br", "br"), new Variant(".zst", "zstd"), new Variant(".gz", "gzip"));

  private final SiteFiles files;
  private final PathMatch match;
  private final String index;
  private final boolean spaFallback;

  StaticAnswer(SiteFiles files, PathMatch match, RouteAction.Static action) {
    this.files = files;
    this.match = match;
    this.index = action.index();
    this.spaFallback = action.spaFallback();
  }

  LocalResponse answer(StaticRequest request) throws IOException {
    boolean head = request.method().equals("HEAD");
    if (!head && !request.method().equals("GET")) {
      LocalResponse r = LocalResponse.text(405, "method not allowed\n");
      r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
      return r;
    }
    String relative = SitePath.relative(request.path(), match);
    if (relative == null) {
      return LocalResponse.text(404, "not found\n");
    }
    String name = relative.isEmpty() || relative.endsWith("/") ? relative + index : relative;
    SiteFiles.Entry entry = files.find(name);
    if (entry == null && !relative.isEmpty() && !relative.endsWith("/")
        && files.isDirectory(relative)) {
      // Relative links in the directory's index resolve against the URL: it must end in a slash.
      LocalResponse r = LocalResponse.empty(301);
      r.headers().set(HttpHeaderNames.LOCATION,
          request.path() + "/" + (request.query() == null ? "" : "?" + request.query()));
      return r;
    }
    if (entry == null && spaFallback) {
      entry = files.find(index);
    }
    if (entry == null) {
      return LocalResponse.text(404, "not found\n");
    }
    return represent(request, entry);
  }

  private LocalResponse represent(StaticRequest request, SiteFiles.Entry original) throws IOException {
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set(HttpHeaderNames.CONTENT_TYPE, ContentTypes.of(original.path()));
    SiteFiles.Entry entry = original;
    boolean hasVariants = false;
    int bestQ = 0;
    for (Variant v : VARIANTS) {
      SiteFiles.Entry candidate = files.find(original.path() + v.suffix());
      if (candidate == null) {
        continue;
      }
      hasVariants = true;
      int q = request.acceptEncoding() == null ? 0 : AcceptEncoding.quality(request.acceptEncoding(), v.coding());
      if (q > bestQ) {
        bestQ = q;
        entry = candidate;
        headers.set(HttpHeaderNames.CONTENT_ENCODING, v.coding());
      }
    }
    if (hasVariants) {
      headers.set(HttpHeaderNames.VARY, "Accept-Encoding");
    }
    headers.set(HttpHeaderNames.ETAG, entry.etag());
    if (entry.lastModified() > 0) {
      headers.set(HttpHeaderNames.LAST_MODIFIED, Preconditions.httpDate(entry.lastModified()));
    }
    headers.set(HttpHeaderNames.ACCEPT_RANGES, "bytes");

    switch (Preconditions.evaluate(request.conditions(), entry.etag(), entry.lastModified())) {
      case FAILED:
        return new LocalResponse(412, headersOnly(headers), null);
      case NOT_MODIFIED:
        HttpHeaders notModified = headersOnly(headers);
        if (headers.contains(HttpHeaderNames.LAST_MODIFIED)) {
          notModified.set(HttpHeaderNames.LAST_MODIFIED, headers.get(HttpHeaderNames.LAST_MODIFIED));
        }
        return new LocalResponse(304, notModified, null);
      default:
        break;
    }
    long size = entry.size();
    ByteRanges.Outcome ranges = request.method().equals("GET")
        && Preconditions.rangeApplies(request.conditions(), entry.etag(), entry.lastModified())
        ? ByteRanges.parse(request.range(), size)
        : new ByteRanges.Whole();
    if (ranges instanceof ByteRanges.Unsatisfiable) {
      HttpHeaders h = headersOnly(headers);
      h.set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size);
      return new LocalResponse(416, h, null);
    }
    if (ranges instanceof ByteRanges.Parts parts && parts.ranges().size() == 1) {
      ByteRanges.Range r = parts.ranges().get(0);
      headers.set(HttpHeaderNames.CONTENT_RANGE, r.contentRange(size));
      return new LocalResponse(206, headers, files.body(entry, r.first(), r.length()));
    }
    if (ranges instanceof ByteRanges.Parts parts
        && (!files.blocking() || total(parts) <= MAX_MULTIPART_BYTES)) {
      return multipart(headers, entry, parts.ranges());
    }
    return new LocalResponse(200, headers, files.body(entry, 0, size));
  }

  /** RFC 9110 section 14.6: each part with its own Content-Type and Content-Range. */
  private LocalResponse multipart(HttpHeaders headers, SiteFiles.Entry entry,
      List<ByteRanges.Range> ranges) throws IOException {
    String boundary = Long.toHexString(ThreadLocalRandom.current().nextLong())
        + Long.toHexString(ThreadLocalRandom.current().nextLong());
    String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
    CompositeByteBuf body = Unpooled.compositeBuffer(ranges.size() * 2 + 1);
    try {
      for (ByteRanges.Range r : ranges) {
        body.addComponent(true, ascii("\r\n--" + boundary + "\r\nContent-Type: " + type
            + "\r\nContent-Range: " + r.contentRange(entry.size()) + "\r\n\r\n"));
        body.addComponent(true, files.bytes(entry, r.first(), r.length()));
      }
      body.addComponent(true, ascii("\r\n--" + boundary + "--\r\n"));
    } catch (IOException | RuntimeException e) {
      body.release();
      throw e;
    }
    headers.set(HttpHeaderNames.CONTENT_TYPE, "multipart/byteranges; boundary=" + boundary);
    return new LocalResponse(206, headers, new LocalResponse.Body.Bytes(body));
  }

  /** A 304, 412 or 416 carries the validator and Vary, not the representation's metadata. */
  private static HttpHeaders headersOnly(HttpHeaders representation) {
    HttpHeaders h = new DefaultHttpHeaders();
    h.set(HttpHeaderNames.ETAG, representation.get(HttpHeaderNames.ETAG));
    if (representation.contains(HttpHeaderNames.VARY)) {
      h.set(HttpHeaderNames.VARY, representation.get(HttpHeaderNames.VARY));
    }
    return h;
  }

  private static long total(ByteRanges.Parts parts) {
    return parts.ranges().stream().mapToLong(ByteRanges.Range::length).sum();
  }

  private static ByteBuf ascii(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }
}
