package io.portcullis.dataplane.filters.cache;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.Set;

/**
 * Freshness lifetime (RFC 9111 §4.2.1, §4.2.2) and current age (§4.2.3) of stored responses, as a
 * shared cache computes them. All times in seconds unless named millis.
 */
final class Freshness {
  /** §4.2.2: status codes that are heuristically cacheable (RFC 9110 §15.1). */
  static final Set<Integer> HEURISTIC_STATUSES =
      Set.of(200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501);

  /** The fraction of the time since Last-Modified a heuristic lifetime takes (§4.2.2's 10%). */
  static final double HEURISTIC_FRACTION = 0.1;

  /** Heuristic lifetimes are capped: a page untouched for years is not fresh for months. */
  static final long HEURISTIC_MAX_SECONDS = 24 * 3600;

  private Freshness() {}

  /** The freshness lifetime of {@code stored}; 0 when it is stale from the start. */
  static long lifetime(StoredResponse stored) {
    return stored.lifetime();
  }

  static long lifetime(int status, HttpHeaders headers, CacheControl cc, long responseMillis) {
    long sMaxAge = cc.seconds("s-maxage");
    if (sMaxAge >= 0) {
      return sMaxAge;
    }
    if (sMaxAge == -2) {
      return 0;
    }
    long maxAge = cc.seconds("max-age");
    if (maxAge >= 0) {
      return maxAge;
    }
    if (maxAge == -2) {
      return 0;
    }
    long date = dateSeconds(headers, responseMillis);
    if (!TargetedControl.targeted(headers) && headers.contains("expires")) {
      // More than one Expires, or one that is not a date, means already expired (§5.3).
      if (headers.getAll("expires").size() != 1) {
        return 0;
      }
      long expires = HttpDates.parse(headers.get("expires"));
      return expires < 0 ? 0 : Math.max(0, expires - date);
    }
    if (HEURISTIC_STATUSES.contains(status) || cc.has("public")) {
      long lastModified = HttpDates.parse(headers.get("last-modified"));
      if (lastModified >= 0 && lastModified < date) {
        return Math.min(HEURISTIC_MAX_SECONDS, (long) ((date - lastModified) * HEURISTIC_FRACTION));
      }
    }
    return 0;
  }

  /** True when the response states its lifetime (so storing it needs no heuristics). */
  static boolean explicit(HttpHeaders headers, CacheControl cc) {
    return cc.has("s-maxage")
        || cc.has("max-age")
        || (!TargetedControl.targeted(headers) && headers.contains("expires"));
  }

  /** §4.2.3: the current age of {@code stored} at {@code nowMillis}, in seconds. */
  static long currentAge(StoredResponse stored, long nowMillis) {
    long residentTime = Math.max(0, nowMillis - stored.responseMillis());
    return (stored.initialAgeMillis() + residentTime) / 1000;
  }

  /** §4.2.3: the corrected initial age of a response, from its Date and Age and the delay. */
  static long initialAgeMillis(HttpHeaders headers, long requestMillis, long responseMillis) {
    long dateValue = dateSeconds(headers, responseMillis) * 1000;
    long apparentAge = Math.max(0, responseMillis - dateValue);
    long responseDelay = Math.max(0, responseMillis - requestMillis);
    long correctedAgeValue = ageValue(headers) * 1000 + responseDelay;
    return Math.max(apparentAge, correctedAgeValue);
  }

  /** The Age header's value, 0 when absent or invalid. */
  static long ageValue(HttpHeaders headers) {
    String age = headers.get("age");
    if (age == null) {
      return 0;
    }
    String t = age.trim();
    int comma = t.indexOf(',');
    if (comma >= 0) {
      t = t.substring(0, comma).trim();
    }
    if (t.isEmpty() || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return 0;
    }
    return t.length() > 10 ? 1L << 31 : Long.parseLong(t);
  }

  /** The Date header in seconds, or when the response arrived when it has none (or a bad one). */
  static long dateSeconds(HttpHeaders headers, long responseMillis) {
    long date = HttpDates.parse(headers.get("date"));
    return date < 0 ? responseMillis / 1000 : date;
  }
}
