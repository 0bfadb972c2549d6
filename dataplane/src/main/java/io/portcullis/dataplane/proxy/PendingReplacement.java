package io.portcullis.dataplane.proxy;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.portcullis.dataplane.filter.BodyTransform;
import io.portcullis.dataplane.filter.ChainRun;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filter.LocalResponses;
import java.util.concurrent.CompletionStage;

/**
 * A filter replaces the response with one it is still fetching (an error page, for one): nothing
 * goes to the client until it comes (the original body is gone already), back on the exchange's
 * event loop; a failed fetch answers 502, and an exchange that ended meanwhile drops it.
 */
final class PendingReplacement {
  private PendingReplacement() {}

  static void await(Exchange ex, CompletionStage<ChainRun.ResponseOutcome> later, int upstreamStatus) {
    later.whenComplete((outcome, error) -> {
      if (!ex.ctx.channel().eventLoop().inEventLoop()) {
        ex.ctx.channel().eventLoop().execute(() -> replaced(ex, outcome, upstreamStatus));
      } else {
        replaced(ex, outcome, upstreamStatus);
      }
    });
  }

  private static void replaced(Exchange ex, ChainRun.ResponseOutcome outcome, int upstreamStatus) {
    if (!ex.down.isCurrent(ex) || ex.phase() != ExchangePhase.LOCAL || ex.writingLocal()) {
      if (outcome != null) {
        LocalResponses.release(outcome.replacement());
        if (outcome.transform() != null) {
          outcome.transform().onAbort();
        }
      }
      return;
    }
    HttpResponse out;
    LocalResponse.Body body;
    BodyTransform transform = null;
    if (outcome == null) {
      LocalResponse failed = LocalResponse.text(502, Responses.reason(502));
      out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY,
          failed.headers());
      body = failed.body();
    } else {
      out = outcome.head();
      body = outcome.replacement();
      transform = outcome.transform();
    }
    out.headers().set(HeaderPolicy.X_REQUEST_ID, ex.requestId);
    ex.completed(out.status().code(), upstreamStatus);
    ex.writeLocal(out, body, transform);
  }
}
