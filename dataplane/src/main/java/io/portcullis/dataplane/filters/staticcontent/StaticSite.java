package io.portcullis.dataplane.filters.staticcontent;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filter.LocalResponses;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.StaticBlob;
import io.portcullis.snapshot.StaticSource;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal step of a route whose action is {@code static}: answers GET and HEAD with the
 * site's files. Built once per route and snapshot, shared by every request.
 *
 * <p>A site from the snapshot answers at once, on the event loop, from memory. A site on a
 * mounted directory looks files up and reads small ones on a small shared pool of blocking
 * threads and completes back on the request's event loop; a large file is opened there and then
 * streamed by the local responder chunk by chunk.
 */
public final class StaticSite {
  private static final Logger log = LoggerFactory.getLogger(StaticSite.class);

  /** Few threads: they only stat, open and read small files; the queue bounds what waits. */
  private static final Executor FILE_IO = fileIo();

  private final StaticAnswer answer;
  private final boolean blocking;
  private final Executor executor;
  private final String route;

  StaticSite(String route, SiteFiles files, Route definition, RouteAction.Static action,
      Executor executor) {
    this.route = route;
    this.answer = new StaticAnswer(files, definition.match().path(), action);
    this.blocking = files.blocking();
    this.executor = executor;
  }

  /**
   * The site of a static route.
   *
   * @param blobs the snapshot's static blobs by digest ({@code Snapshot.blobsByDigest()})
   * @throws IllegalArgumentException when the route is not static or names missing content
   */
  public static StaticSite of(Route route, Map<String, StaticBlob> blobs) {
    if (!(route.action() instanceof RouteAction.Static action)) {
      throw new IllegalArgumentException("route " + route.name() + " is not a static route");
    }
    SiteFiles files = action.source() instanceof StaticSource.Files f
        ? new SnapshotFiles(f, blobs)
        : new DirectoryFiles(((StaticSource.Directory) action.source()).path());
    return new StaticSite(route.name(), files, route, action, FILE_IO);
  }

  /**
   * Answers the request. Completes on the request's event loop (at once for a site carried in
   * the snapshot). If the exchange has ended by then, the caller releases the response's body
   * ({@link LocalResponses#release}).
   */
  public CompletionStage<LocalResponse> respond(FilterContext ctx) {
    StaticRequest request = StaticRequest.of(ctx);
    if (!blocking) {
      return CompletableFuture.completedFuture(answerOrError(request));
    }
    CompletableFuture<LocalResponse> result = new CompletableFuture<>();
    try {
      executor.execute(() -> {
        LocalResponse response = answerOrError(request);
        ctx.eventLoop().execute(() -> result.complete(response));
      });
    } catch (RejectedExecutionException e) {
      LocalResponse busy = LocalResponse.text(503, "busy reading files, try again\n");
      busy.headers().set("retry-after", "1");
      result.complete(busy);
    }
    return result;
  }

  private LocalResponse answerOrError(StaticRequest request) {
    try {
      return withLength(answer.answer(request));
    } catch (IOException | RuntimeException e) {
      log.warn("static route {} could not serve {}", route, request.path(), e);
      return LocalResponse.text(500, "internal error\n");
    }
  }

  /**
   * States the body's length in the head, so that filters see it in their response phase (the
   * compression filter leaves bodies under its threshold alone); the responder frames by it.
   */
  private static LocalResponse withLength(LocalResponse response) {
    long length = response.body() instanceof LocalResponse.Body.Bytes b ? b.content().readableBytes()
        : response.body() instanceof LocalResponse.Body.Streamed s ? s.length() : -1;
    if (length >= 0) {
      response.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
    }
    return response;
  }

  private static Executor fileIo() {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(1024), r -> {
          Thread t = new Thread(r, "static-files-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
