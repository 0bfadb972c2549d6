package io.portcullis.dataplane.filters.auth;

import io.netty.buffer.ByteBuf;
import io.portcullis.dataplane.filter.ChainRun;
import io.portcullis.dataplane.filter.FilterChain;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filter.LocalResponses;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What a real {@link ChainRun} made of one request through one filter: it went on (the request's
 * headers as they would go upstream), or it was answered (status, headers, body as text; the
 * body's buffer is released here).
 */
record ChainOutcome(boolean proceeded, int status, io.netty.handler.codec.http.HttpHeaders headers,
    String body) {

  static ChainOutcome run(HttpFilter filter, FilterContext ctx) throws Exception {
    CompletableFuture<ChainOutcome> result = new CompletableFuture<>();
    FilterChain chain = new FilterChain(List.of(filter));
    ctx.eventLoop().execute(() -> chain.newRun(ctx, new ChainRun.Listener() {
      @Override
      public void proceed() {
        result.complete(new ChainOutcome(true, 0, ctx.request().headers(), null));
      }

      @Override
      public void respond(LocalResponse response) {
        String text = "";
        if (response.body() instanceof LocalResponse.Body.Bytes bytes) {
          ByteBuf content = bytes.content();
          text = content.toString(StandardCharsets.UTF_8);
        }
        LocalResponses.release(response.body());
        result.complete(new ChainOutcome(false, response.status(), response.headers(), text));
      }

      @Override
      public boolean active() {
        return true;
      }
    }).start());
    return result.get(10, TimeUnit.SECONDS);
  }
}
