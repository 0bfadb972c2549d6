package io.portcullis.operator.compile;

/**
 * The sign-in redirect of external auth, built as ingress-nginx builds auth-signin's: the
 * original URL {@code $pass_access_scheme://$http_host$escaped_request_uri} goes into the
 * redirect parameter ({@code rd} by default), appended with {@code ?} or {@code &}, unless the URL
 * carries that parameter already (then the URL is used as written, variables and all).
 */
final class SignInRedirects {
  static final String DEFAULT_PARAM = "rd";
  private static final String ORIGINAL = "$pass_access_scheme://$http_host$escaped_request_uri";

  private SignInRedirects() {}

  /** The snapshot's sign-in template for {@code url}, or null without one. */
  static String template(String url, String param) throws InvalidInputException {
    if (url == null) {
      return null;
    }
    String name = param == null ? DEFAULT_PARAM : param;
    if (!name.matches("[A-Za-z0-9_.~-]{1,64}")) {
      throw new InvalidInputException("sign-in redirect parameter must be a plain name: " + name);
    }
    // The query as Go's url.Parse finds it: after the first '?', before any '#' (the URL itself
    // is checked by the snapshot, which knows URI syntax).
    int hash = url.indexOf('#');
    String beforeFragment = hash < 0 ? url : url.substring(0, hash);
    int mark = beforeFragment.indexOf('?');
    String query = mark < 0 ? null : beforeFragment.substring(mark + 1);
    if (query == null || query.isEmpty()) {
      return (url.endsWith("?") ? url : url + "?") + name + "=" + ORIGINAL;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name) && eq >= 0 && eq < pair.length() - 1) {
        return url;
      }
    }
    return url + "&" + name + "=" + ORIGINAL;
  }
}
