package io.portcullis.operator.compile.nginx;

/**
 * enable-modsecurity and enable-owasp-core-rules onto our WAF. ingress-nginx runs ModSecurity with
 * {@code SecRuleEngine DetectionOnly} unless a snippet turns it on, and snippets are refused: so
 * detect mode, and {@code portcullis.io/waf: block} (which wins) to block.
 */
final class WafAnnotations {
  private WafAnnotations() {}

  static void read(Reading r) {
    boolean on = false;
    for (String name : new String[] {"enable-modsecurity", "enable-owasp-core-rules"}) {
      String value = r.take(name);
      if (value != null) {
        try {
          on |= Reading.bool(value);
        } catch (IllegalArgumentException e) {
          r.invalid(name, value, e.getMessage());
        }
      }
    }
    if (on) {
      r.ours("portcullis.io/waf", "detect");
    }
  }
}
