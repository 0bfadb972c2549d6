package io.portcullis.dataplane.filters.auth;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.dataplane.filter.SubrequestClient;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Subrequests over the JDK's asynchronous HTTP client: it never blocks the caller, keeps its own
 * connection pool (separate from the proxy's upstream pools) and completes futures on a small
 * pool of its own, never on an event loop.
 */
public final class JdkSubrequestClient implements SubrequestClient, AutoCloseable {
  /** Headers the JDK client sets itself and refuses from callers. */
  private static final Set<String> RESTRICTED =
      Set.of("connection", "content-length", "expect", "host", "upgrade", "keep-alive",
          "transfer-encoding", "te", "trailer", "proxy-connection", "http2-settings");

  private final ExecutorService executor;
  private final HttpClient client;

  public JdkSubrequestClient(Duration connectTimeout) {
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "auth-subrequest-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(connectTimeout)
        .executor(executor)
        .build();
  }

  @Override
  public CompletionStage<SubResponse> send(Subrequest request) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri()).timeout(request.timeout());
    for (Map.Entry<String, String> h : request.headers()) {
      if (!RESTRICTED.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
        builder.header(h.getKey(), h.getValue());
      }
    }
    builder.method(request.method(), request.body() == null
        ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(request.body()));
    try {
      return client.sendAsync(builder.build(), info -> new LimitedBody(request.maxResponseBytes()))
          .thenApply(JdkSubrequestClient::toResponse);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static SubResponse toResponse(HttpResponse<byte[]> response) {
    HttpHeaders headers = new DefaultHttpHeaders();
    response.headers().map().forEach((name, values) -> {
      if (!name.startsWith(":")) {
        values.forEach(v -> headers.add(name, v));
      }
    });
    return new SubResponse(response.statusCode(), headers, response.body());
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  /** Collects a body, failing the exchange once it grows past its bound. */
  private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int max;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    private Flow.Subscription subscription;

    LimitedBody(int max) {
      this.max = max;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      for (ByteBuffer b : items) {
        if (bytes.size() + b.remaining() > max) {
          subscription.cancel();
          result.completeExceptionally(new IOException("answer larger than " + max + " bytes"));
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        bytes.writeBytes(chunk);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(bytes.toByteArray());
    }
  }
}
