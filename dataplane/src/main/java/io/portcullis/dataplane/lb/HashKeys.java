package io.portcullis.dataplane.lb;

import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.snapshot.ClusterPolicy.HashOn;
import java.util.Locale;

/** Reads a consistent-hashing key (or an affinity cookie) out of a request. */
final class HashKeys {
  private HashKeys() {}

  /** The key {@code hashOn}/{@code name} selects in {@code context}, or null when absent. */
  static String extract(HashOn hashOn, String name, PickContext context) {
    if (hashOn == HashOn.CLIENT_ADDRESS) {
      return context.clientAddress();
    }
    RequestHead request = context.request();
    if (request == null) {
      return null;
    }
    return switch (hashOn) {
      case HEADER -> request.headers().get(name.toLowerCase(Locale.ROOT));
      case COOKIE -> cookie(request, name);
      case QUERY_PARAMETER -> queryParameter(request.query(), name);
      case CLIENT_ADDRESS -> context.clientAddress();
    };
  }

  /** The value of cookie {@code name} in the request's Cookie header, or null. */
  static String cookie(RequestHead request, String name) {
    if (request == null) {
      return null;
    }
    String header = request.headers().get("cookie");
    if (header == null) {
      return null;
    }
    int start = 0;
    int length = header.length();
    while (start < length) {
      int end = header.indexOf(';', start);
      if (end < 0) {
        end = length;
      }
      int eq = header.indexOf('=', start);
      if (eq > 0 && eq < end && nameAt(header, start, eq, name)) {
        String value = header.substring(eq + 1, end).trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        return value;
      }
      start = end + 1;
    }
    return null;
  }

  /** Whether {@code header[start, end)}, spaces around it ignored, is {@code name}. */
  private static boolean nameAt(String header, int start, int end, String name) {
    while (start < end && header.charAt(start) == ' ') {
      start++;
    }
    while (end > start && header.charAt(end - 1) == ' ') {
      end--;
    }
    return end - start == name.length() && header.regionMatches(start, name, 0, name.length());
  }

  /** The raw (still percent-encoded) value of the first parameter {@code name}, or null. */
  static String queryParameter(String query, String name) {
    if (query == null) {
      return null;
    }
    int start = 0;
    int length = query.length();
    while (start <= length) {
      int end = query.indexOf('&', start);
      if (end < 0) {
        end = length;
      }
      int eq = query.indexOf('=', start);
      if (eq < 0 || eq > end) {
        if (query.regionMatches(start, name, 0, name.length()) && end - start == name.length()) {
          return "";
        }
      } else if (eq - start == name.length() && query.regionMatches(start, name, 0, name.length())) {
        return query.substring(eq + 1, end);
      }
      start = end + 1;
    }
    return null;
  }
}
