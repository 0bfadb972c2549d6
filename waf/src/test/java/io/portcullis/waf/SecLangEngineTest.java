package io.portcullis.waf;

import io.portcullis.waf.model.RuleIds;
import io.portcullis.waf.model.RuleMatch;
import io.portcullis.waf.model.WafRequest;
import io.portcullis.waf.model.WafVerdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SecLang semantics on small rule sets: what CRS relies on, one behaviour per test. */
class SecLangEngineTest {
  static final String SETUP = WafRules.CRS_SETUP
      + "SecAction \"id:1,phase:1,pass,nolog,setvar:tx.critical_anomaly_score=5\"\n";
  static final String BLOCKING =
      "SecRule TX:ANOMALY_SCORE \"@ge %{tx.inbound_anomaly_score_threshold}\" \"id:949110,phase:2,deny,log,msg:'Inbound Anomaly Score Exceeded (Total Score: %{TX.ANOMALY_SCORE})'\"\n";

  static WafRules rules(String body) {
    return WafRules.parse(SETUP + body + BLOCKING, null);
  }

  static WafRequest get(String uri, WafRequest.Header... headers) {
    return new WafRequest("GET", uri, "HTTP/1.1", List.of(headers), "192.0.2.1", null, false);
  }

  static WafRequest post(String uri, String contentType, String body) {
    return new WafRequest("POST", uri, "HTTP/1.1", List.of(new WafRequest.Header("Content-Type", contentType)),
        "192.0.2.1", body.getBytes(StandardCharsets.UTF_8), false);
  }

  static final WafPolicy BLOCK = WafPolicy.defaults(WafMode.BLOCK);

  static final String SCORE = "setvar:'tx.anomaly_score=+%{tx.critical_anomaly_score}'";

  @Test
  void scoresAreAddedAndTheThresholdCondemns() {
    WafRules r = rules("SecRule ARGS \"@contains evil\" \"id:100,phase:2,block,t:none,t:lowercase,msg:'evil',"
        + SCORE + "\"\n");
    WafVerdict v = r.inspect(get("/?q=EVIL"), BLOCK);
    assertTrue(v.condemned());
    assertEquals(949110, v.interruptingRule());
    assertEquals(5, v.anomalyScore());
    assertEquals("ARGS:q", v.matches().get(0).variable());
    assertEquals(WafVerdict.Decision.ALLOW, r.inspect(get("/?q=good"), BLOCK).decision());
  }

  @Test
  void aHigherThresholdOnlyFlags() {
    WafRules r = rules("SecRule ARGS \"@contains evil\" \"id:100,phase:2,block,msg:'evil'," + SCORE + "\"\n");
    WafVerdict v = r.inspect(get("/?q=evil"), new WafPolicy(WafMode.BLOCK, 1, 10, RuleIds.NONE));
    assertEquals(WafVerdict.Decision.FLAG, v.decision());
  }

  @Test
  void detectionModeFlagsWhatBlockModeCondemns() {
    WafRules r = rules("SecRule ARGS \"@contains evil\" \"id:100,phase:2,block,msg:'evil'," + SCORE + "\"\n");
    WafVerdict v = r.inspect(get("/?q=evil"), WafPolicy.defaults(WafMode.DETECT));
    assertEquals(WafVerdict.Decision.FLAG, v.decision());
    assertEquals(949110, v.interruptingRule());
  }

  @Test
  void chainedRulesNeedEveryLinkAndSeeTheMatchedVariable() {
    WafRules r = rules("SecRule REQUEST_METHOD \"@streq POST\" \"id:200,phase:2,block,msg:'post with x',chain\"\n"
        + "  SecRule ARGS:x \"@rx ^a\" \"chain\"\n"
        + "    SecRule MATCHED_VAR \"@endsWith z\" \"" + SCORE + "\"\n");
    assertTrue(r.inspect(post("/", "application/x-www-form-urlencoded", "x=abcz"), BLOCK).condemned());
    assertFalse(r.inspect(post("/", "application/x-www-form-urlencoded", "x=abc"), BLOCK).condemned());
    assertFalse(r.inspect(get("/?x=abcz"), BLOCK).condemned());
  }

  @Test
  void skipAfterJumpsToTheMarker() {
    WafRules r = rules("SecRule TX:PARANOIA_LEVEL \"@lt 2\" \"id:300,phase:2,pass,nolog,skipAfter:END-PL2\"\n"
        + "SecRule ARGS \"@contains x\" \"id:301,phase:2,block,msg:'pl2'," + SCORE + "\"\n"
        + "SecMarker END-PL2\n");
    assertFalse(r.inspect(get("/?a=x"), BLOCK).condemned());
    assertTrue(r.inspect(get("/?a=x"), new WafPolicy(WafMode.BLOCK, 2, 5, RuleIds.NONE)).condemned());
  }

  @Test
  void exclusionsInTheVariableListAndAtRuntime() {
    WafRules r = rules(
        "SecRule REQUEST_FILENAME \"@beginsWith /cms\" \"id:400,phase:1,pass,nolog,ctl:ruleRemoveTargetById=401;ARGS:body\"\n"
        + "SecRule ARGS|!ARGS:token \"@contains <\" \"id:401,phase:2,block,msg:'lt'," + SCORE + "\"\n");
    assertFalse(r.inspect(get("/?token=%3C"), BLOCK).condemned(), "!ARGS:token excludes it");
    assertTrue(r.inspect(get("/?body=%3C"), BLOCK).condemned());
    assertFalse(r.inspect(get("/cms/edit?body=%3C"), BLOCK).condemned(), "ctl removed ARGS:body for 401");
    assertTrue(r.inspect(get("/cms/edit?title=%3C"), BLOCK).condemned());
  }

  @Test
  void runtimeRuleRemovalAndPolicyExclusions() {
    String rule = "SecRule ARGS \"@contains evil\" \"id:942100,phase:2,block,msg:'evil'," + SCORE + "\"\n";
    WafRules r = rules("SecRule REQUEST_HEADERS:X-Trusted \"@streq yes\" \"id:500,phase:1,pass,nolog,ctl:ruleRemoveById=942000-942999\"\n" + rule);
    assertFalse(r.inspect(get("/?q=evil", new WafRequest.Header("X-Trusted", "yes")), BLOCK).condemned());
    assertTrue(r.inspect(get("/?q=evil"), BLOCK).condemned());
    assertFalse(r.inspect(get("/?q=evil"), WafPolicy.of(WafMode.BLOCK, 1, 5, List.of("942100"))).condemned());
  }

  @Test
  void configTimeRemovalAndTargetUpdate() {
    WafRules r = rules("SecRule ARGS \"@contains evil\" \"id:600,phase:2,block,tag:'attack-x',msg:'a'," + SCORE + "\"\n"
        + "SecRule ARGS \"@contains bad\" \"id:601,phase:2,block,msg:'b'," + SCORE + "\"\n"
        + "SecRule ARGS \"@contains ugly\" \"id:602,phase:2,block,msg:'c'," + SCORE + "\"\n"
        + "SecRuleRemoveByTag attack-x\n"
        + "SecRuleRemoveById 601\n"
        + "SecRuleUpdateTargetById 602 \"!ARGS:free\"\n");
    assertFalse(r.inspect(get("/?q=evil"), BLOCK).condemned());
    assertFalse(r.inspect(get("/?q=bad"), BLOCK).condemned());
    assertFalse(r.inspect(get("/?free=ugly"), BLOCK).condemned());
    assertTrue(r.inspect(get("/?q=ugly"), BLOCK).condemned());
  }

  @Test
  void countingCollectionsAndCaptures() {
    WafRules r = rules("SecRule &REQUEST_HEADERS:Host \"@eq 0\" \"id:700,phase:1,block,msg:'no host'," + SCORE + "\"\n"
        + "SecRule ARGS:v \"@rx ^(\\d+)-(\\d+)$\" \"id:701,phase:2,pass,nolog,capture,chain\"\n"
        + "  SecRule TX:2 \"@lt %{tx.1}\" \"setvar:'tx.anomaly_score=+5'\"\n");
    assertTrue(r.inspect(get("/"), BLOCK).condemned(), "no Host header");
    WafRequest.Header host = new WafRequest.Header("Host", "a");
    assertFalse(r.inspect(get("/?v=1-2", host), BLOCK).condemned());
    assertTrue(r.inspect(get("/?v=5-2", host), BLOCK).condemned(), "capture feeds the chain");
  }

  @Test
  void bodiesAreParsedByTheirContentType() {
    WafRules r = rules("SecRule ARGS \"@contains evil\" \"id:800,phase:2,block,msg:'evil'," + SCORE + "\"\n"
        + "SecRule FILES \"@endsWith .php\" \"id:801,phase:2,block,msg:'php upload'," + SCORE + "\"\n");
    assertEquals("ARGS:json.user.name", r.inspect(post("/", "application/json", "{\"user\":{\"name\":\"evil\"}}"), BLOCK)
        .matches().get(0).variable());
    assertEquals("ARGS:json.list.array_1", r.inspect(post("/", "application/json", "{\"list\":[\"ok\",\"evil\"]}"), BLOCK)
        .matches().get(0).variable());
    assertTrue(r.inspect(post("/", "application/x-www-form-urlencoded", "a=1&b=ev%69l"), BLOCK).condemned());
    String multipart = "--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"shell.php\"\r\n\r\n<?php\r\n--XX\r\n"
        + "Content-Disposition: form-data; name=\"t\"\r\n\r\nevil\r\n--XX--\r\n";
    WafVerdict v = r.inspect(post("/", "multipart/form-data; boundary=XX", multipart), BLOCK);
    assertEquals(List.of(800, 801, 949110), v.matches().stream().map(RuleMatch::ruleId).sorted().toList());
  }

  @Test
  void unsupportedRulesAreReportedByIdAndTheRestRuns() {
    WafRules r = rules("SecRule ARGS \"@rx (a)\\1\" \"id:900,phase:2,block," + SCORE + "\"\n"
        + "SecRule ARGS \"@geoLookup\" \"id:901,phase:2,block,chain\"\n"
        + "  SecRule ARGS \"@contains x\" \"" + SCORE + "\"\n"
        + "SecRule ARGS \"@contains evil\" \"id:902,phase:2,block," + SCORE + "\"\n");
    assertTrue(r.report().rejected().containsKey(900), r.report().rejected().toString());
    assertTrue(r.report().rejected().containsKey(901));
    assertTrue(r.inspect(get("/?q=evil"), BLOCK).condemned());
  }

  @Test
  void transformationsDecodeEvasions() {
    WafRules r = rules("SecRule ARGS \"@contains <script\" \"id:1000,phase:2,block,t:none,t:urlDecodeUni,"
        + "t:htmlEntityDecode,t:jsDecode,t:cssDecode,t:removeNulls,t:lowercase," + SCORE + "\"\n");
    assertTrue(r.inspect(get("/?q=%253CSCRIPT"), BLOCK).condemned(), "double encoding");
    assertTrue(r.inspect(get("/?q=%26lt;script"), BLOCK).condemned(), "entity");
    assertTrue(r.inspect(get("/?q=%5Cu003cscript"), BLOCK).condemned(), "js escape");
    assertTrue(r.inspect(get("/?q=%3Cscr%00ipt"), BLOCK).condemned(), "NUL inside");
  }

  @Test
  void auditLineIsOneJsonObject() {
    WafRules r = rules("SecRule ARGS \"@contains evil\" \"id:100,phase:2,block,msg:'evil thing',logdata:'%{MATCHED_VAR}',"
        + SCORE + "\"\n");
    WafRequest req = get("/x?q=evil");
    String line = WafAudit.line(r.inspect(req, BLOCK), req, "default/shop", "blocked", Instant.EPOCH);
    assertFalse(line.contains("\n"));
    assertTrue(line.contains("\"rule\":949110"), line);
    assertTrue(line.contains("{\"id\":100,\"msg\":\"evil thing\",\"variable\":\"ARGS:q\",\"data\":\"evil\""), line);
    assertTrue(line.contains("\"score\":5"), line);
  }
}
