package io.portcullis.operator.compile.nginx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Annotations in, our annotations and findings out: values, defaults and mistakes. */
class NginxTranslationTest {
  static final String P = NginxAnnotations.PREFIX;

  static NginxTranslation of(String... keyValues) {
    Map<String, String> m = new java.util.HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(P + keyValues[i], keyValues[i + 1]);
    }
    return NginxTranslation.of(m);
  }

  static Stream<Arguments> ours() {
    return Stream.of(
        Arguments.of(List.of("ssl-redirect", "false"), Map.of("portcullis.io/ssl-redirect", "false")),
        Arguments.of(List.of("ssl-redirect", "false", "force-ssl-redirect", "true"),
            Map.of("portcullis.io/force-ssl-redirect", "true")),
        Arguments.of(List.of("backend-protocol", "HTTPS"), Map.of("portcullis.io/backend-protocol", "https",
            "portcullis.io/backend-tls-verify", "false")),
        Arguments.of(List.of("backend-protocol", "GRPCS"), Map.of("portcullis.io/backend-protocol", "h2",
            "portcullis.io/backend-tls-verify", "false")),
        Arguments.of(List.of("backend-protocol", "H2C"), Map.of("portcullis.io/backend-protocol", "h2c")),
        Arguments.of(List.of("proxy-connect-timeout", "7"), Map.of("portcullis.io/connect-timeout", "7s")),
        Arguments.of(List.of("use-regex", "true"), Map.of("portcullis.io/use-regex", "true")),
        Arguments.of(List.of("rewrite-target", "/"), Map.of("portcullis.io/use-regex", "true")),
        Arguments.of(List.of("enable-modsecurity", "true"), Map.of("portcullis.io/waf", "detect")),
        Arguments.of(List.of("enable-modsecurity", "false"), Map.of()),
        Arguments.of(List.of("whitelist-source-range", "10.0.0.0/8, 192.168.1.7"),
            Map.of("portcullis.io/ip-allow", "10.0.0.0/8,192.168.1.7")),
        Arguments.of(List.of("allowlist-source-range", "10.0.0.0/8"), Map.of("portcullis.io/ip-allow", "10.0.0.0/8")),
        Arguments.of(List.of("denylist-source-range", "203.0.113.0/24"),
            Map.of("portcullis.io/ip-deny", "203.0.113.0/24")),
        Arguments.of(List.of("auth-type", "basic", "auth-secret", "users", "auth-realm", "Staff"),
            Map.of("portcullis.io/auth-type", "basic", "portcullis.io/auth-secret", "users",
                "portcullis.io/auth-realm", "Staff")),
        Arguments.of(List.of("auth-type", "basic", "auth-secret", "ops/users", "auth-secret-type", "auth-map"),
            Map.of("portcullis.io/auth-type", "basic", "portcullis.io/auth-secret", "users",
                "portcullis.io/auth-secret-namespace", "ops", "portcullis.io/auth-secret-type", "auth-map")),
        Arguments.of(List.of("auth-url", "http://auth.svc/check", "auth-response-headers", "X-User"),
            Map.of("portcullis.io/auth-url", "http://auth.svc/check", "portcullis.io/auth-response-headers", "X-User",
                "portcullis.io/auth-method", "GET", "portcullis.io/auth-answer-cookies", "OnSuccess")),
        Arguments.of(List.of("enable-cors", "true", "cors-allow-origin", "https://a.example, https://b.example",
                "cors-allow-methods", "get,post", "cors-max-age", "60", "cors-expose-headers", "X-Id"),
            Map.of("portcullis.io/cors-allow-origins", "https://a.example,https://b.example",
                "portcullis.io/cors-allow-methods", "GET,POST",
                "portcullis.io/cors-allow-headers", CorsAnnotations.DEFAULT_HEADERS,
                "portcullis.io/cors-expose-headers", "X-Id",
                "portcullis.io/cors-allow-credentials", "true",
                "portcullis.io/cors-max-age", "60s")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ours")
  void ourAnnotations(List<String> in, Map<String, String> expected) {
    NginxTranslation t = of(in.toArray(String[]::new));
    assertEquals(expected, t.annotations());
    assertTrue(t.findings().stream().noneMatch(f -> f.kind() != Finding.Kind.CHANGED), t.findings().toString());
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("backend-protocol", "FCGI"),
        Arguments.of("proxy-read-timeout", "1.5"),
        Arguments.of("permanent-redirect", "not a url"),
        Arguments.of("upstream-hash-by", "$request_uri$host"),
        Arguments.of("load-balance", "chash"),
        Arguments.of("affinity", "ip"),
        Arguments.of("app-root", "/"),
        Arguments.of("server-alias", "~^www\\d+\\.example\\.com$"),
        Arguments.of("enable-cors", "yes"),
        Arguments.of("canary", "maybe"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("invalid")
  void invalidValuesAreNamed(String name, String value) {
    NginxTranslation t = of(name, value);
    assertTrue(t.findings().stream().anyMatch(f -> f.kind() == Finding.Kind.INVALID
        && f.annotation().equals(P + name) && f.message().contains(P + name)), t.findings().toString());
  }

  @Test
  void corsOriginsOfOtherSchemesAreLeftOutWithAFinding() {
    NginxTranslation t = of("enable-cors", "true", "cors-allow-origin", "app://localhost, https://a.example");
    assertEquals("https://a.example", t.annotations().get("portcullis.io/cors-allow-origins"));
    assertTrue(t.findings().stream().anyMatch(f -> f.kind() == Finding.Kind.INVALID
        && f.message().contains("app://localhost")), t.findings().toString());
    assertNull(of("enable-cors", "true", "cors-allow-origin", "app://localhost").annotations()
        .get("portcullis.io/cors-allow-origins"));
  }

  @Test
  void allowlistWinsOverItsOlderNameWhitelist() {
    NginxTranslation t = of("allowlist-source-range", "10.0.0.0/8", "whitelist-source-range", "0.0.0.0/0");
    assertEquals("10.0.0.0/8", t.annotations().get("portcullis.io/ip-allow"));
    assertTrue(t.findings().stream().anyMatch(f -> f.kind() == Finding.Kind.INVALID
        && f.annotation().equals(P + "whitelist-source-range")), t.findings().toString());
  }

  @Test
  void annotationsWithoutThePrefixAreNotOurs() {
    assertEquals(NginxTranslation.NONE, NginxTranslation.of(Map.of("portcullis.io/waf", "block")));
  }

  @Test
  void anIngressOwnAnnotationWinsOverTheTranslation() {
    NginxTranslation t = NginxTranslation.of(Map.of(P + "backend-protocol", "HTTPS",
        "portcullis.io/backend-protocol", "h2"));
    assertNull(t.annotations().get("portcullis.io/backend-protocol"));
  }

  @Test
  void canaryDefaultsAndHeader() {
    assertEquals(new Canary(0, 100, "x-canary", null), of("canary", "true", "canary-by-header", "X-Canary").canary());
    assertEquals(new Canary(5, 10, null, null), of("canary", "true", "canary-weight", "5",
        "canary-weight-total", "10").canary());
    assertNull(of("canary-weight", "5").canary());
  }
}
