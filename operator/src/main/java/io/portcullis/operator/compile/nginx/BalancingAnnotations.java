package io.portcullis.operator.compile.nginx;

import io.portcullis.snapshot.ClusterPolicy.AffinityCookie;
import io.portcullis.snapshot.ClusterPolicy.HashOn;
import io.portcullis.snapshot.ClusterPolicy.LoadBalancer;
import io.portcullis.snapshot.ClusterPolicy.Policy;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * load-balance, upstream-hash-by, affinity and session-cookie-*. ingress-nginx's precedence:
 * cookie affinity, else the hash, else the balancing algorithm.
 */
final class BalancingAnnotations {
  static final String DEFAULT_COOKIE = "INGRESSCOOKIE";
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}");
  private static final Pattern VARIABLE = Pattern.compile("\\$(http|cookie|arg)_([A-Za-z0-9_-]+)");

  private BalancingAnnotations() {}

  static void read(Reading r) {
    String algorithm = r.take("load-balance");
    String hashBy = r.take("upstream-hash-by");
    String affinity = r.take("affinity");
    r.take("affinity-mode");
    String cookieName = r.take("session-cookie-name");
    String path = r.take("session-cookie-path");
    String maxAge = r.take("session-cookie-max-age");
    String expires = r.take("session-cookie-expires");
    String sameSiteText = r.take("session-cookie-samesite");
    String secureText = r.take("session-cookie-secure");
    if (affinity != null) {
      if (!affinity.equals("cookie")) {
        r.invalid("affinity", affinity, "only \"cookie\" is supported");
      } else {
        String name = cookieName == null ? DEFAULT_COOKIE : cookieName;
        if (!TOKEN.matcher(name).matches()) {
          r.invalid("session-cookie-name", name, "not a cookie name; " + DEFAULT_COOKIE + " applies");
          name = DEFAULT_COOKIE;
        }
        long ttl = 0;
        String age = maxAge != null ? maxAge : expires;
        if (age != null) {
          try {
            ttl = Reading.integer(age, 0, Integer.MAX_VALUE);
          } catch (IllegalArgumentException e) {
            r.invalid(maxAge != null ? "session-cookie-max-age" : "session-cookie-expires", age,
                e.getMessage() + "; a session cookie is issued");
          }
        }
        String cookiePath = null;
        if (path != null) {
          if (path.startsWith("/") && path.matches("[\\x21-\\x7e&&[^;]]+")) {
            cookiePath = path;
          } else {
            r.invalid("session-cookie-path", path, "expected a path starting with /");
          }
        }
        AffinityCookie.SameSite sameSite = null;
        if (sameSiteText != null) {
          sameSite = switch (sameSiteText.toLowerCase(java.util.Locale.ROOT)) {
            case "strict" -> AffinityCookie.SameSite.STRICT;
            case "lax" -> AffinityCookie.SameSite.LAX;
            case "none" -> AffinityCookie.SameSite.NONE;
            default -> {
              r.invalid("session-cookie-samesite", sameSiteText, "expected None, Lax or Strict");
              yield null;
            }
          };
        }
        // ingress-nginx marks the cookie Secure on https requests whatever the annotation says
        // (its e2e: "false" on https still gives Secure); "true" adds it on plain HTTP too.
        AffinityCookie.Secure secure = AffinityCookie.Secure.HTTPS_REQUESTS;
        if (secureText != null) {
          try {
            if (Reading.bool(secureText)) {
              secure = AffinityCookie.Secure.ALWAYS;
            }
          } catch (IllegalArgumentException e) {
            r.invalid("session-cookie-secure", secureText, e.getMessage());
          }
        }
        r.loadBalancer = new LoadBalancer(Policy.COOKIE_AFFINITY, null, null,
            new AffinityCookie(name, ttl, cookiePath, sameSite, secure));
        return;
      }
    }
    if (hashBy != null) {
      LoadBalancer hash = hash(hashBy);
      if (hash == null) {
        r.invalid("upstream-hash-by", hashBy, "only $remote_addr, $http_NAME, $cookie_NAME or"
            + " $arg_NAME alone can be hashed");
      } else {
        r.loadBalancer = hash;
        return;
      }
    }
    if (algorithm != null) {
      switch (algorithm) {
        case "round_robin" -> r.loadBalancer = LoadBalancer.ROUND_ROBIN;
        case "ewma", "least_conn" -> r.loadBalancer = LoadBalancer.of(Policy.LEAST_REQUEST);
        default -> r.invalid("load-balance", algorithm, "expected round_robin or ewma");
      }
    }
  }

  private static LoadBalancer hash(String variable) {
    if (variable.equals("$remote_addr") || variable.equals("$binary_remote_addr")) {
      return new LoadBalancer(Policy.MAGLEV, HashOn.CLIENT_ADDRESS, null, null);
    }
    Matcher m = VARIABLE.matcher(variable);
    if (!m.matches()) {
      return null;
    }
    String name = m.group(2);
    return switch (m.group(1)) {
      // nginx spells header names in variables with _ for -.
      case "http" -> new LoadBalancer(Policy.MAGLEV, HashOn.HEADER, name.replace('_', '-'), null);
      case "cookie" -> new LoadBalancer(Policy.MAGLEV, HashOn.COOKIE, name, null);
      default -> new LoadBalancer(Policy.MAGLEV, HashOn.QUERY_PARAMETER, name, null);
    };
  }
}
