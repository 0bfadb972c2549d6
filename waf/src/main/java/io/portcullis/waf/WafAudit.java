package io.portcullis.waf;

import io.portcullis.waf.model.RuleMatch;
import io.portcullis.waf.model.WafRequest;
import io.portcullis.waf.model.WafVerdict;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The audit line for a condemned or flagged request: one JSON object per line, with what matched
 * where, so an operator can tune exclusions from the log alone.
 */
public final class WafAudit {
  private static final JsonFactory JSON = new JsonFactory();

  private WafAudit() {}

  /**
   * @param action what the proxy did: {@code blocked} (403 sent) or {@code detected} (let through)
   */
  public static String line(WafVerdict verdict, WafRequest request, String route, String action, Instant when) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("time", when.toString());
      g.writeStringField("type", "waf");
      g.writeStringField("action", action);
      g.writeStringField("route", route);
      g.writeStringField("client", request.clientAddress());
      g.writeStringField("method", request.method());
      g.writeStringField("uri", truncate(request.uri(), 512));
      g.writeNumberField("score", verdict.anomalyScore());
      if (verdict.interruptingRule() != 0) {
        g.writeNumberField("rule", verdict.interruptingRule());
      }
      g.writeArrayFieldStart("matches");
      for (RuleMatch m : verdict.matches()) {
        g.writeStartObject();
        g.writeNumberField("id", m.ruleId());
        g.writeStringField("msg", m.message());
        g.writeStringField("variable", m.variable());
        g.writeStringField("data", m.data());
        if (!m.severity().isEmpty()) {
          g.writeStringField("severity", m.severity());
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }
}
