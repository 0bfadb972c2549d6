package io.portcullis.dataplane.filters.staticcontent;

import io.netty.handler.codec.DateFormatter;
import java.util.Date;

/**
 * The conditional request headers in the order RFC 9110 section 13.2.2 evaluates them:
 * If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since; then If-Range for a range.
 */
final class Preconditions {
  private Preconditions() {}

  /** The outcome of the preconditions. */
  enum Result {
    /** Go on and send the representation. */
    PROCEED,
    /** 304 Not Modified. */
    NOT_MODIFIED,
    /** 412 Precondition Failed. */
    FAILED
  }

  /** The request's conditional headers, copied off the request on the event loop. */
  record Conditions(String ifMatch, String ifNoneMatch, String ifModifiedSince,
      String ifUnmodifiedSince, String ifRange) {}

  /**
   * @param etag the representation's strong entity tag, quoted
   * @param lastModified seconds since the epoch, 0 when unknown
   */
  static Result evaluate(Conditions c, String etag, long lastModified) {
    if (c.ifMatch() != null) {
      if (!matches(c.ifMatch(), etag, false)) {
        return Result.FAILED;
      }
    } else if (c.ifUnmodifiedSince() != null && lastModified > 0) {
      Long since = seconds(c.ifUnmodifiedSince());
      if (since != null && lastModified > since) {
        return Result.FAILED;
      }
    }
    if (c.ifNoneMatch() != null) {
      // Only GET and HEAD get here (the site answers nothing else): a match is 304, not 412.
      return matches(c.ifNoneMatch(), etag, true) ? Result.NOT_MODIFIED : Result.PROCEED;
    }
    if (c.ifModifiedSince() != null && lastModified > 0) {
      Long since = seconds(c.ifModifiedSince());
      if (since != null && lastModified <= since) {
        return Result.NOT_MODIFIED;
      }
    }
    return Result.PROCEED;
  }

  /**
   * Whether a Range may be honoured: no If-Range, or one naming this representation exactly (a
   * strong tag, or its Last-Modified date; RFC 9110 section 13.1.5).
   */
  static boolean rangeApplies(Conditions c, String etag, long lastModified) {
    String ifRange = c.ifRange();
    if (ifRange == null) {
      return true;
    }
    String v = ifRange.trim();
    if (v.startsWith("\"")) {
      return v.equals(etag);
    }
    if (v.startsWith("W/")) {
      return false;
    }
    Long date = seconds(v);
    return date != null && lastModified > 0 && date == lastModified;
  }

  /** A list of entity tags or {@code *}; weak comparison ignores the {@code W/} prefix. */
  static boolean matches(String header, String etag, boolean weak) {
    String h = header.trim();
    if (h.equals("*")) {
      return true;
    }
    for (String raw : h.split(",")) {
      String tag = raw.trim();
      if (tag.startsWith("W/")) {
        if (!weak) {
          continue;
        }
        tag = tag.substring(2);
      }
      if (tag.equals(etag)) {
        return true;
      }
    }
    return false;
  }

  /** An HTTP date in seconds since the epoch, or null when it does not parse (then ignored). */
  static Long seconds(String httpDate) {
    Date d = DateFormatter.parseHttpDate(httpDate.trim());
    return d == null ? null : d.getTime() / 1000;
  }

  static String httpDate(long seconds) {
    return DateFormatter.format(new Date(seconds * 1000));
  }
}
