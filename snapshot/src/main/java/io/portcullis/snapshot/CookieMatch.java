package io.portcullis.snapshot;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A condition on one request cookie (RFC 6265 {@code Cookie} header): the cookie named
 * {@code name} is present and its value is exactly {@code value}. Names and values compare with
 * case, as RFC 6265 says; when a request carries the name more than once (a {@code Cookie} header
 * may, and HTTP/2 splits cookies over several header fields) the first one counts.
 *
 * @param name the cookie name, an RFC 6265 token
 * @param value the value, RFC 6265 cookie-octets (without the optional double quotes)
 */
public record CookieMatch(String name, String value) {
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}");
  private static final Pattern OCTETS = Pattern.compile("[\\x21\\x23-\\x2B\\x2D-\\x3A\\x3C-\\x5B\\x5D-\\x7E]{0,4096}");

  public CookieMatch {
    Objects.requireNonNull(name, "cookie name");
    Objects.requireNonNull(value, "cookie value");
    if (!TOKEN.matcher(name).matches()) {
      throw new IllegalArgumentException("cookie match: not a cookie name: " + name);
    }
    if (!OCTETS.matcher(value).matches()) {
      throw new IllegalArgumentException("cookie match " + name + ": not a cookie value: " + value);
    }
  }
}
