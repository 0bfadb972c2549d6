package io.portcullis.waf;

import io.portcullis.waf.model.RuleMatch;
import io.portcullis.waf.model.WafRequest;
import io.portcullis.waf.model.WafVerdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Our rules on top of CRS, each against the gap it closes and the traffic it must leave alone. */
class PortcullisAdditionsTest {
  static WafRules rules;
  static final WafPolicy BLOCK = WafPolicy.defaults(WafMode.BLOCK);

  @BeforeAll
  static void load() {
    Assumptions.assumeTrue(Files.isDirectory(CrsCorpusTest.CRS.resolve("rules")), "modsecurity-crs is not installed");
    rules = WafRules.loadCrs(CrsCorpusTest.CRS);
  }

  static WafRequest json(String body, boolean truncated) {
    return new WafRequest("POST", "/api/items", "HTTP/1.1", List.of(
        new WafRequest.Header("Host", "shop.example.com"),
        new WafRequest.Header("User-Agent", "Mozilla/5.0"),
        new WafRequest.Header("Accept", "*/*"),
        new WafRequest.Header("Content-Type", "application/json")),
        "192.0.2.1", body.getBytes(StandardCharsets.UTF_8), truncated);
  }

  static List<Integer> ids(WafVerdict v) {
    return v.matches().stream().map(RuleMatch::ruleId).toList();
  }

  @Test
  void aBodyThatDoesNotParseAsItsContentTypeIsCondemned() {
    WafVerdict v = rules.inspect(json("{\"id\": 1' OR '1'='1", false), BLOCK);
    assertTrue(v.condemned());
    assertTrue(ids(v).contains(99170), ids(v).toString());
  }

  @Test
  void aBodyCutAtTheInspectionLimitIsNot() {
    WafVerdict v = rules.inspect(json("{\"items\":[{\"sku\":\"SHOE-42\",\"qty\":1},{\"sku\":\"SO", true), BLOCK);
    assertFalse(v.condemned(), ids(v).toString());
  }

  @Test
  void tooManyArgumentsAreCondemnedNotInspectedInPart() {
    StringBuilder q = new StringBuilder("/search?");
    for (int i = 0; i < 1100; i++) {
      q.append("a").append(i).append("=1&");
    }
    WafRequest many = WafRequest.of("GET", q.toString(), List.of(new WafRequest.Header("Host", "a"),
        new WafRequest.Header("User-Agent", "Mozilla/5.0"), new WafRequest.Header("Accept", "*/*")));
    WafVerdict v = rules.inspect(many, BLOCK);
    assertTrue(v.condemned());
    assertTrue(ids(v).contains(99170), ids(v).toString());
  }

  @Test
  void injectionInAnyHeaderButStructuredStandardValuesPass() {
    List<WafRequest.Header> base = List.of(new WafRequest.Header("Host", "a"),
        new WafRequest.Header("User-Agent", "Mozilla/5.0"), new WafRequest.Header("Accept", "*/*"));
    java.util.function.Function<WafRequest.Header, WafVerdict> with = h -> {
      List<WafRequest.Header> hs = new java.util.ArrayList<>(base);
      hs.add(h);
      return rules.inspect(WafRequest.of("GET", "/", hs), BLOCK);
    };
    assertTrue(ids(with.apply(new WafRequest.Header("X-Api-Key", "' or 1=1--"))).contains(99121));
    assertTrue(ids(with.apply(new WafRequest.Header("X-Forwarded-Host", "\"><script>alert(1)</script>"))).contains(99122));
    for (WafRequest.Header ok : List.of(
        new WafRequest.Header("Sec-CH-UA", "\"Chromium\";v=\"118\", \"Google Chrome\";v=\"118\", \"Not=A?Brand\";v=\"99\""),
        new WafRequest.Header("Accept-Language", "en-GB,en;q=0.9,de;q=0.8"),
        new WafRequest.Header("If-None-Match", "W/\"5f8c-1a2b3c\""),
        new WafRequest.Header("Forwarded", "for=192.0.2.60;proto=http;by=203.0.113.43"),
        new WafRequest.Header("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.abc"),
        new WafRequest.Header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))) {
      assertEquals(WafVerdict.Decision.ALLOW, with.apply(ok).decision(), ok.toString());
    }
  }

  @Test
  void clientAddressHeadersMustHoldAddresses() {
    WafRequest ok = WafRequest.of("GET", "/", List.of(new WafRequest.Header("Host", "a"),
        new WafRequest.Header("User-Agent", "Mozilla/5.0"), new WafRequest.Header("Accept", "*/*"),
        new WafRequest.Header("X-Forwarded-For", "203.0.113.9, 10.0.0.1, [2001:db8::1]")));
    assertEquals(WafVerdict.Decision.ALLOW, rules.inspect(ok, BLOCK).decision());
  }

  @Test
  void reportsTheRulesRe2jCannotRunAndRunsTheRest() {
    WafRules.LoadReport r = rules.report();
    assertTrue(r.rejected().keySet().containsAll(List.of(920120, 920600, 942130, 942260)), r.rejected().toString());
    assertTrue(r.requestRules() > 500, "request rules: " + r.requestRules());
  }
}
