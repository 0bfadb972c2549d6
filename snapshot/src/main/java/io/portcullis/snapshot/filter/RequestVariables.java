package io.portcullis.snapshot.filter;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The nginx request variables a template in the snapshot may use (external auth's sign-in URL
 * and cache key, as ingress-nginx's auth-signin and auth-cache-key do): fixed names, and the
 * families {@code $http_NAME} (a request header), {@code $cookie_NAME} and {@code $arg_NAME}.
 * The dataplane expands them per request with nginx's meaning.
 */
public final class RequestVariables {
  /** The fixed names known. */
  public static final List<String> NAMES = List.of("$scheme", "$pass_access_scheme", "$host",
      "$http_host", "$best_http_host", "$request_uri", "$escaped_request_uri", "$uri", "$args",
      "$query_string", "$request_method", "$remote_addr", "$remote_user");
  /** The families known: a header, a cookie, a query argument by name. */
  public static final List<String> FAMILIES = List.of("$http_", "$cookie_", "$arg_");
  /** A variable as nginx reads it in a string: {@code $} and a name. */
  public static final Pattern VARIABLE = Pattern.compile("\\$[A-Za-z_][A-Za-z0-9_]*");

  private RequestVariables() {}

  /** The first variable of {@code template} that is not known, or null. */
  public static String unknown(String template) {
    Matcher m = VARIABLE.matcher(template);
    while (m.find()) {
      if (!known(m.group())) {
        return m.group();
      }
    }
    return null;
  }

  static boolean known(String variable) {
    if (NAMES.contains(variable)) {
      return true;
    }
    for (String family : FAMILIES) {
      if (variable.startsWith(family) && variable.length() > family.length()) {
        return true;
      }
    }
    return false;
  }

  /** The known variables, for a message. */
  public static String described() {
    return String.join(", ", NAMES) + ", " + String.join("*, ", FAMILIES) + "*";
  }
}
