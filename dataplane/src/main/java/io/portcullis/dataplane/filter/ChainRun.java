package io.portcullis.dataplane.filter;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One exchange's way through a {@link FilterChain}: the request phases in order, each of which may
 * pause, then (once the response head is known) the response phases of the filters that let the
 * request through, in reverse order.
 */
public final class ChainRun {
  private static final Logger log = LoggerFactory.getLogger(ChainRun.class);

  /** The exchange's side of a chain run. Called on the event loop. */
  public interface Listener {
    /** Every request phase let the request through: run the terminal step. */
    void proceed();

    /** A filter answered the request (then call {@link #onResponse} with its head). */
    void respond(LocalResponse response);

    /** False once the exchange ended (the client went away): a late pause result is dropped. */
    boolean active();
  }

  private final FilterChain chain;
  private final FilterContext ctx;
  private final Listener listener;
  /** The filters [0, entered) let the request through: their response phases run. */
  private int entered;

  ChainRun(FilterChain chain, FilterContext ctx, Listener listener) {
    this.chain = chain;
    this.ctx = ctx;
    this.listener = listener;
  }

  /**
   * Runs the request phases. The listener hears exactly one of {@code proceed} or {@code respond},
   * on the event loop, unless it stopped being active meanwhile.
   */
  public void start() {
    resume(0);
  }

  private void resume(int from) {
    for (int i = from; i < chain.size(); i++) {
      FilterAction action;
      try {
        action = chain.get(i).onRequest(ctx);
      } catch (RuntimeException e) {
        failed(i, e);
        return;
      }
      if (!apply(action, i)) {
        return;
      }
    }
    listener.proceed();
  }

  /** Returns true when the next filter should run now. */
  private boolean apply(FilterAction action, int index) {
    if (action instanceof FilterAction.Respond respond) {
      entered = index;
      listener.respond(respond.response());
      return false;
    }
    if (action instanceof FilterAction.Pause pause) {
      pause.next().whenComplete((next, error) -> {
        if (ctx.eventLoop().inEventLoop()) {
          afterPause(index, next, error);
        } else {
          ctx.eventLoop().execute(() -> afterPause(index, next, error));
        }
      });
      return false;
    }
    entered = index + 1;
    return true;
  }

  private void afterPause(int index, FilterAction next, Throwable error) {
    if (!listener.active()) {
      if (next instanceof FilterAction.Respond respond) {
        LocalResponses.release(respond.response().body());
      }
      return;
    }
    if (error != null || next == null) {
      failed(index, error);
      return;
    }
    if (apply(next, index)) {
      resume(index + 1);
    }
  }

  private void failed(int index, Throwable error) {
    log.warn("filter {} failed on route {}", chain.get(index).getClass().getSimpleName(),
        ctx.routeName(), error);
    entered = index;
    listener.respond(LocalResponse.text(500, "internal error\n"));
  }

  /**
   * Runs the response phases on {@code response}, last filter first. Returns the head to send (the
   * one given, changed in place, or a filter's replacement), the body that replaces the original
   * one (null to keep it), and the transform to stream the body through (null for none); or, when
   * a filter replaces the response later, only the stage that completes (on the event loop) with
   * that outcome.
   */
  public ResponseOutcome onResponse(HttpResponse response) {
    return respond(response, null, entered - 1);
  }

  private ResponseOutcome respond(HttpResponse response, LocalResponse.Body body, int from) {
    HttpResponse head = response;
    LocalResponse.Body replacement = body;
    BodyTransform transform = null;
    for (int i = from; i >= 0; i--) {
      ResponseAction action;
      try {
        action = chain.get(i).onResponse(ctx, head);
      } catch (RuntimeException e) {
        log.warn("filter {} failed on the response of route {}",
            chain.get(i).getClass().getSimpleName(), ctx.routeName(), e);
        action = ResponseAction.replace(LocalResponse.text(500, "internal error\n"));
      }
      if (action instanceof ResponseAction.Transform t) {
        transform = transform == null ? t.transform() : BodyTransforms.chain(transform, t.transform());
      } else if (action instanceof ResponseAction.Replace r) {
        if (transform != null) {
          transform.onAbort();
          transform = null;
        }
        LocalResponses.release(replacement);
        replacement = r.response().body();
        head = headOf(r.response());
      } else if (action instanceof ResponseAction.ReplaceLater later) {
        if (transform != null) {
          transform.onAbort();
        }
        LocalResponses.release(replacement);
        return ResponseOutcome.later(continueLater(later.later(), i - 1));
      }
    }
    return new ResponseOutcome(head, replacement, transform, null);
  }

  /** The response phases of the filters before {@code from + 1} on the replacement, when it comes. */
  private CompletionStage<ResponseOutcome> continueLater(
      CompletionStage<LocalResponse> later, int from) {
    CompletableFuture<ResponseOutcome> next = new CompletableFuture<>();
    later.whenComplete((response, error) -> {
      Runnable go = () -> {
        LocalResponse answer = response;
        if (error != null || answer == null) {
          log.warn("a response replacement failed on route {}", ctx.routeName(), error);
          answer = LocalResponse.text(502, "bad gateway\n");
        }
        try {
          ResponseOutcome outcome = respond(headOf(answer), answer.body(), from);
          if (outcome.later() != null) {
            outcome.later().whenComplete((o, e) -> {
              if (o != null) {
                next.complete(o);
              } else {
                next.completeExceptionally(e);
              }
            });
          } else {
            next.complete(outcome);
          }
        } catch (RuntimeException e) {
          next.completeExceptionally(e);
        }
      };
      if (ctx.eventLoop().inEventLoop()) {
        go.run();
      } else {
        ctx.eventLoop().execute(go);
      }
    });
    return next;
  }

  private static HttpResponse headOf(LocalResponse response) {
    return new DefaultHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(response.status()), response.headers());
  }

  /**
   * @param head the response head to send
   * @param replacement the body that replaces the original one, or null to send the original
   * @param transform what the body streams through, or null
   * @param later when non-null, the other fields are null: the original response is discarded and
   *     what to send comes when this completes (on the event loop); an exchange that ended
   *     meanwhile releases what it brings
   */
  public record ResponseOutcome(HttpResponse head, LocalResponse.Body replacement,
      BodyTransform transform, CompletionStage<ResponseOutcome> later) {
    static ResponseOutcome later(CompletionStage<ResponseOutcome> later) {
      return new ResponseOutcome(null, null, null, later);
    }
  }
}
