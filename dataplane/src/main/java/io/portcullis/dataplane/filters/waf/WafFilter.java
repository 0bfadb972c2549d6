package io.portcullis.dataplane.filters.waf;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpRequest;
import io.portcullis.dataplane.filter.BufferedBody;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.snapshot.filter.WafSettings;
import io.portcullis.waf.model.RuleIds;
import io.portcullis.waf.WafAudit;
import io.portcullis.waf.WafMode;
import io.portcullis.waf.WafPolicy;
import io.portcullis.waf.model.WafRequest;
import io.portcullis.waf.WafRules;
import io.portcullis.waf.model.WafVerdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web application firewall on the request path: the route's policy over the rule set,
 * inspecting the request head and the first {@link #MAX_BODY_BYTES} of its body (ModSecurity's
 * default limit for non-file bodies), before anything goes upstream. A condemned request gets 403
 * in block mode; in detect mode it goes on. Either way one JSON audit line is logged (logger
 * {@code portcullis.waf.audit}), also for requests that matched rules below the threshold.
 */
public final class WafFilter implements HttpFilter {
  /** How much of a body is inspected; the rest goes upstream unseen (as with ModSecurity's limit). */
  public static final int MAX_BODY_BYTES = 128 * 1024;
  private static final Logger audit = LoggerFactory.getLogger("portcullis.waf.audit");

  private final WafRules rules;
  private final WafPolicy policy;
  private final WafMetrics metrics;

  WafFilter(WafRules rules, WafPolicy policy, WafMetrics metrics) {
    this.rules = rules;
    this.policy = policy;
    this.metrics = metrics;
  }

  /**
   * The filter for a route's settings: a no-op for mode {@code OFF}.
   *
   * @throws IllegalArgumentException when the rule set cannot be loaded
   */
  public static HttpFilter create(WafSettings settings) {
    return create(settings, WafRuntime.shared());
  }

  static HttpFilter create(WafSettings settings, WafRuntime runtime) {
    if (settings.mode() == WafSettings.Mode.OFF) {
      return new HttpFilter() {};
    }
    WafMode mode = settings.mode() == WafSettings.Mode.DETECT ? WafMode.DETECT : WafMode.BLOCK;
    WafPolicy policy = new WafPolicy(mode, settings.paranoiaLevel(), settings.anomalyThreshold(),
        RuleIds.parse(settings.excludeRules()));
    return new WafFilter(runtime.rules(), policy, runtime.metrics());
  }

  @Override
  public FilterAction onRequest(FilterContext ctx) {
    CompletableFuture<BufferedBody> body = ctx.bufferRequestBody(MAX_BODY_BYTES).toCompletableFuture();
    if (body.isDone() && !body.isCompletedExceptionally()) {
      return decide(ctx, body.join()); // no body: no need to pause
    }
    CompletionStage<FilterAction> next = body.thenApply(b -> decide(ctx, b));
    return FilterAction.pause(next);
  }

  private FilterAction decide(FilterContext ctx, BufferedBody body) {
    long start = System.nanoTime();
    WafRequest request = request(ctx, body);
    WafVerdict verdict = rules.inspect(request, policy);
    String action = switch (verdict.decision()) {
      case ALLOW -> "allowed";
      case CONDEMN -> "blocked";
      case FLAG -> verdict.interruptingRule() != 0 ? "detected" : "flagged";
    };
    metrics.inspected(ctx.routeName(), action, verdict, System.nanoTime() - start);
    if (verdict.decision() != WafVerdict.Decision.ALLOW) {
      String line = WafAudit.line(verdict, request, ctx.routeName(), action, Instant.now());
      if (verdict.condemned()) {
        audit.warn(line);
      } else {
        audit.info(line);
      }
    }
    if (verdict.condemned()) {
      return FilterAction.respond(LocalResponse.text(403, "Forbidden: request blocked by the web application firewall\n"));
    }
    return FilterAction.proceed();
  }

  static WafRequest request(FilterContext ctx, BufferedBody body) {
    HttpRequest req = ctx.request();
    List<WafRequest.Header> headers = new ArrayList<>(req.headers().size());
    for (Map.Entry<String, String> h : req.headers()) {
      headers.add(new WafRequest.Header(h.getKey(), h.getValue()));
    }
    byte[] bytes = body == null || !body.content().isReadable()
        ? null : ByteBufUtil.getBytes(body.content());
    String client = ctx.clientAddress() == null ? "" : ctx.clientAddress().getHostAddress();
    return new WafRequest(req.method().name(), req.uri(), req.protocolVersion().text(), headers,
        client, bytes, body != null && !body.complete());
  }
}
