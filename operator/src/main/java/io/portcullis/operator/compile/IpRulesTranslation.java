package io.portcullis.operator.compile;

import io.portcullis.snapshot.filter.IpRules;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * ProxyRoute {@code ipAllow} / {@code ipDeny} and the Ingress annotations {@code
 * portcullis.io/ip-allow} / {@code portcullis.io/ip-deny} (comma-separated CIDRs or addresses).
 *
 * <p>The two lists are one filter kind: a route that sets either of them replaces both of its
 * spec's (so a route's {@code ipAllow: []} switches the spec's rules off for that route).
 *
 * <p>Lists that cannot be read fail closed: the object's routes stay in place (dropping them
 * could let a less specific route of another object answer) and refuse every client with 403
 * ({@link IpRules#DENY_ALL}), and the object is told why (Accepted=False with {@link
 * Reasons#INVALID_IP_RULES} on a ProxyRoute, an Event on an Ingress). This holds for a bad deny
 * entry too: an IP rule that cannot be parsed is not one that can be dropped.
 */
final class IpRulesTranslation {
  static final String ALLOW = "portcullis.io/ip-allow";
  static final String DENY = "portcullis.io/ip-deny";

  private IpRulesTranslation() {}

  /**
   * The rules of a ProxyRoute's {@code ipAllow} and {@code ipDeny} at {@code where} ({@code spec}
   * or a route), or null when it sets neither.
   */
  static IpRules of(List<String> allow, List<String> deny, String where,
      FilterTranslation.Invalid invalid) {
    if (allow == null && deny == null) {
      return null;
    }
    String prefix = where.isEmpty() ? "" : where + ".";
    try {
      return new IpRules(allow, deny); // reads allow first: the message names the list
    } catch (IllegalArgumentException e) {
      boolean denyList = e.getMessage().startsWith("ip deny");
      String field = prefix + (denyList ? "ipDeny" : "ipAllow");
      invalid.report(field, String.join(",", denyList ? orEmpty(deny) : orEmpty(allow)),
          failClosed(field + ": " + withoutList(e) + "; every client gets 403 until this is fixed"));
      return IpRules.DENY_ALL;
    }
  }

  /** The rules the annotations ask for, or null when there are none. */
  static IpRules of(Map<String, String> annotations, FilterTranslation.Invalid invalid) {
    String allow = annotations.get(ALLOW);
    String deny = annotations.get(DENY);
    if (allow == null && deny == null) {
      return null;
    }
    for (String key : List.of(ALLOW, DENY)) {
      String value = annotations.get(key);
      try {
        IpRules.canonical(entries(value), key.equals(ALLOW) ? "allow" : "deny");
      } catch (IllegalArgumentException e) {
        invalid.report(key, value, failClosed(
            withoutList(e) + "; every path of this Ingress answers 403 until this is fixed"));
        return IpRules.DENY_ALL;
      }
    }
    return new IpRules(entries(allow), entries(deny));
  }

  private static InvalidInputException failClosed(String message) {
    return new InvalidInputException(Reasons.INVALID_IP_RULES, message);
  }

  /** The snapshot's message without its "ip allow: " (the caller names the field). */
  private static String withoutList(IllegalArgumentException e) {
    return e.getMessage().replaceFirst("^ip (allow|deny): ", "");
  }

  private static List<String> entries(String commaSeparated) {
    if (commaSeparated == null) {
      return List.of();
    }
    return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static List<String> orEmpty(List<String> list) {
    return list == null ? List.of() : list;
  }
}
