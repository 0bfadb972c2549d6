package io.portcullis.dataplane.http;

import java.util.Locale;

/**
 * Turns a Host header or :authority into the lower-case host name the router indexes by (and the
 * TLS policies, so both always agree on which host a request names).
 */
public final class HostNames {
  private HostNames() {}

  /** Lower case, without port and trailing dot; null or empty stays null. */
  public static String normalize(String authority) {
    if (authority == null || authority.isEmpty()) {
      return null;
    }
    String host = authority;
    if (host.charAt(0) == '[') {
      int close = host.indexOf(']');
      host = close > 0 ? host.substring(0, close + 1) : host;
    } else {
      int colon = host.indexOf(':');
      if (colon >= 0) {
        host = host.substring(0, colon);
      }
    }
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    return host.toLowerCase(Locale.ROOT);
  }

  /** The port part of an authority, or -1. */
  public static int port(String authority) {
    if (authority == null) {
      return -1;
    }
    int colon = authority.lastIndexOf(':');
    int bracket = authority.lastIndexOf(']');
    if (colon < 0 || colon < bracket) {
      return -1;
    }
    try {
      return Integer.parseInt(authority.substring(colon + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
