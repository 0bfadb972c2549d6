package io.portcullis.dataplane.filters.compression;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AttributeKey;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.ResponseAction;
import io.portcullis.snapshot.filter.CompressionPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compresses responses in the best coding the client accepts (kind {@code compression}). The
 * request phase negotiates from {@code Accept-Encoding}; the response phase decides whether this
 * response may be compressed at all and, if so, streams its body through the coding's compressor
 * ({@link GzipBody}, or Netty's brotli and zstd encoders in a {@link CompressingBody}). Requests
 * are never decompressed.
 */
public final class CompressionFilter implements HttpFilter {
  /** The coding negotiated for this exchange; absent when the client accepts none of ours. */
  static final AttributeKey<ContentCoding> CODING =
      AttributeKey.valueOf(CompressionFilter.class, "coding");

  private static final String VARY_VALUE = "Accept-Encoding";

  private final List<ContentCoding> preference;
  private final MediaTypes types;
  private final long minLength;
  private final CompressionPolicy policy;

  public CompressionFilter(CompressionPolicy policy) {
    this.policy = policy;
    List<ContentCoding> codings = new ArrayList<>();
    for (String token : policy.effectiveAlgorithms()) {
      ContentCoding.of(token).filter(ContentCoding::available).ifPresent(codings::add);
    }
    this.preference = List.copyOf(codings);
    this.types = new MediaTypes(policy.effectiveContentTypes());
    this.minLength = policy.effectiveMinLength();
  }

  @Override
  public FilterAction onRequest(FilterContext ctx) {
    // HEAD gets the identity headers: its Content-Length then describes what a GET would carry.
    if (!ctx.request().method().equals(HttpMethod.HEAD)) {
      String accept = joined(ctx.request().headers(), HttpHeaderNames.ACCEPT_ENCODING);
      ContentCoding coding = AcceptEncoding.choose(accept, preference);
      if (coding != null) {
        ctx.attr(CODING).set(coding);
      }
    }
    return FilterAction.proceed();
  }

  @Override
  public ResponseAction onResponse(FilterContext ctx, HttpResponse response) {
    HttpHeaders headers = response.headers();
    if (!eligible(response)) {
      return ResponseAction.proceed();
    }
    // The answer depends on Accept-Encoding whether or not this client gets it compressed.
    addVary(headers);
    ContentCoding coding = ctx.attr(CODING).getAndSet(null);
    if (coding == null) {
      return ResponseAction.proceed();
    }
    headers.remove(HttpHeaderNames.CONTENT_LENGTH);
    headers.remove(HttpHeaderNames.ACCEPT_RANGES);
    headers.set(HttpHeaderNames.CONTENT_ENCODING, coding.token());
    weakenEtag(headers);
    return ResponseAction.transform(coding.newBody(level(coding), ctx.alloc()));
  }

  /**
   * Whether this response could be compressed for some client: a status with a whole body, not
   * encoded already, not a range, transformable, long enough and of a listed type.
   */
  private boolean eligible(HttpResponse response) {
    int status = response.status().code();
    if (status < 200 || status == 204 || status == 206 || status == 304) {
      return false;
    }
    HttpHeaders h = response.headers();
    String encoding = h.get(HttpHeaderNames.CONTENT_ENCODING);
    if (encoding != null && !encoding.isBlank()
        && !encoding.trim().equalsIgnoreCase(HttpHeaderValues.IDENTITY.toString())) {
      return false;
    }
    if (h.contains(HttpHeaderNames.CONTENT_RANGE)) {
      return false;
    }
    String cacheControl = joined(h, HttpHeaderNames.CACHE_CONTROL);
    if (cacheControl != null && hasDirective(cacheControl, "no-transform")) {
      return false;
    }
    String length = h.get(HttpHeaderNames.CONTENT_LENGTH);
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) < minLength) {
          return false;
        }
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return types.matches(h.get(HttpHeaderNames.CONTENT_TYPE));
  }

  private int level(ContentCoding coding) {
    return switch (coding) {
      case BROTLI -> policy.effectiveBrotliLevel();
      case ZSTD -> policy.effectiveZstdLevel();
      case GZIP -> policy.effectiveGzipLevel();
    };
  }

  private static void addVary(HttpHeaders headers) {
    String vary = joined(headers, HttpHeaderNames.VARY);
    if (vary == null) {
      headers.set(HttpHeaderNames.VARY, VARY_VALUE);
      return;
    }
    for (String v : vary.split(",")) {
      String name = v.trim();
      if (name.equals("*") || name.equalsIgnoreCase("accept-encoding")) {
        return;
      }
    }
    headers.add(HttpHeaderNames.VARY, VARY_VALUE);
  }

  /** A compressed body is not byte-identical to what a strong validator names (RFC 9110 8.8.1). */
  private static void weakenEtag(HttpHeaders headers) {
    String etag = headers.get(HttpHeaderNames.ETAG);
    if (etag != null && etag.startsWith("\"")) {
      headers.set(HttpHeaderNames.ETAG, "W/" + etag);
    }
  }

  static boolean hasDirective(String cacheControl, String directive) {
    for (String d : cacheControl.split(",")) {
      String name = d.trim();
      int eq = name.indexOf('=');
      if (eq >= 0) {
        name = name.substring(0, eq).trim();
      }
      if (name.toLowerCase(Locale.ROOT).equals(directive)) {
        return true;
      }
    }
    return false;
  }

  private static String joined(HttpHeaders headers, CharSequence name) {
    List<String> all = headers.getAll(name);
    if (all.isEmpty()) {
      return null;
    }
    return all.size() == 1 ? all.get(0) : String.join(",", all);
  }
}
