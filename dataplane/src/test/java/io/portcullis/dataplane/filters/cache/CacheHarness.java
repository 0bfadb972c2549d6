package io.portcullis.dataplane.filters.cache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.DefaultAttributeMap;
import io.portcullis.dataplane.filter.BodyTransform;
import io.portcullis.dataplane.filter.BufferedBody;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filter.ResponseAction;
import io.portcullis.dataplane.filter.SubrequestClient;
import io.portcullis.dataplane.http.ConnectionTls;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.snapshot.filter.CachePolicy;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Drives a {@link CacheFilter} the way the chain does, without sockets: request phase, then (when
 * it proceeds) an origin function, then the response phase and the body through any transform.
 * The clock is moved by hand.
 */
final class CacheHarness implements AutoCloseable {
  /** What the origin answers. */
  record OriginResponse(int status, HttpHeaders headers, String body) {}

  /** What the client got, and whether the origin saw the request. */
  record Result(int status, HttpHeaders headers, String body, boolean fromOrigin,
      HttpHeaders upstreamRequest) {
    String header(String name) {
      return headers.get(name);
    }
  }

  final AtomicLong clock = new AtomicLong(1_800_000_000_000L);
  final CacheMetrics metrics = CacheMetrics.unregistered();
  final CacheEngine engine;
  final CacheFilter filter;
  final List<HttpHeaders> originRequests = new ArrayList<>();
  /** The cache's own background requests (stale-while-revalidate refreshes). */
  final List<HttpHeaders> backgroundRequests = new ArrayList<>();
  final EventLoop loop = new DefaultEventLoop();
  Function<HttpRequest, OriginResponse> origin = r -> response(200, "", "");

  CacheHarness() {
    this(CachePolicy.defaults(), 1 << 20);
  }

  CacheHarness(CachePolicy policy, long size) {
    engine = new CacheEngine(size, metrics, clock::get);
    filter = engine.filter(policy);
  }

  static OriginResponse response(int status, String body, String... headerPairs) {
    HttpHeaders h = new DefaultHttpHeaders();
    for (int i = 0; i + 1 < headerPairs.length; i += 2) {
      h.add(headerPairs[i], headerPairs[i + 1]);
    }
    return new OriginResponse(status, h, body);
  }

  /** An origin response with a Date of now. */
  OriginResponse dated(int status, String body, String... headerPairs) {
    OriginResponse r = response(status, body, headerPairs);
    if (!r.headers().contains("date")) {
      r.headers().set("date", HttpDates.format(clock.get()));
    }
    return r;
  }

  void advanceSeconds(long s) {
    clock.addAndGet(s * 1000);
  }

  String httpDate(long offsetSeconds) {
    return HttpDates.format(clock.get() + offsetSeconds * 1000);
  }

  Result get(String path, String... headerPairs) {
    return send("GET", path, headerPairs);
  }

  Result send(String method, String path, String... headerPairs) {
    Exchange ex = exchange(method, path, headerPairs);
    FilterAction action = filter.onRequest(ex);
    return finish(ex, action);
  }

  Exchange exchange(String method, String path, String... headerPairs) {
    HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), path);
    request.headers().set("host", "shop.example.com");
    for (int i = 0; i + 1 < headerPairs.length; i += 2) {
      request.headers().add(headerPairs[i], headerPairs[i + 1]);
    }
    Exchange ex = new Exchange(request, loop);
    ex.fetched = backgroundRequests;
    ex.fetchOrigin = r -> origin.apply(r);
    return ex;
  }

  Result finish(Exchange ex, FilterAction action) {
    if (action instanceof FilterAction.Pause pause) {
      try {
        action = pause.next().toCompletableFuture().get(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    if (action instanceof FilterAction.Respond respond) {
      return local(respond.response(), false, null);
    }
    originRequests.add(ex.request().headers().copy());
    OriginResponse o = origin.apply(ex.request());
    HttpResponse head = new DefaultHttpResponse(
        HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(o.status()), o.headers().copy());
    byte[] bytes = o.body().getBytes(StandardCharsets.UTF_8);
    head.headers().set("content-length", bytes.length);
    ResponseAction ra = filter.onResponse(ex, head);
    if (ra instanceof ResponseAction.Replace replace) {
      return local(replace.response(), true, ex.request().headers());
    }
    String body = o.body();
    if (ra instanceof ResponseAction.Transform t) {
      body = stream(t.transform(), bytes);
    }
    return new Result(o.status(), head.headers(), body, true, ex.request().headers());
  }

  /** Passes {@code bytes} through the transform in two parts, as a socket would. */
  static String stream(BodyTransform t, byte[] bytes) {
    StringBuilder out = new StringBuilder();
    int half = bytes.length / 2;
    for (ByteBuf part : List.of(Unpooled.wrappedBuffer(bytes, 0, half),
        Unpooled.wrappedBuffer(bytes, half, bytes.length - half))) {
      ByteBuf o = t.onData(part);
      out.append(o.toString(StandardCharsets.UTF_8));
      o.release();
    }
    ByteBuf end = t.onEnd();
    out.append(end.toString(StandardCharsets.UTF_8));
    end.release();
    return out.toString();
  }

  private static Result local(LocalResponse r, boolean fromOrigin, HttpHeaders upstream) {
    String body = "";
    if (r.body() instanceof LocalResponse.Body.Bytes b) {
      body = b.content().toString(StandardCharsets.UTF_8);
      b.content().release();
    }
    return new Result(r.status(), r.headers(), body, fromOrigin, upstream);
  }

  @Override
  public void close() {
    loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
  }

  /** A fake exchange context. */
  static final class Exchange extends DefaultAttributeMap implements FilterContext {
    private final HttpRequest request;
    private final EventLoop loop;
    /** Background requests the cache sent, and who answers them (set by the harness). */
    List<HttpHeaders> fetched = new ArrayList<>();
    Function<HttpRequest, OriginResponse> fetchOrigin = r -> response(503, "");

    Exchange(HttpRequest request, EventLoop loop) {
      this.request = request;
      this.loop = loop;
    }

    @Override
    public HttpRequest request() {
      return request;
    }

    @Override
    public RequestHead head() {
      String uri = request.uri();
      int q = uri.indexOf('?');
      return new RequestHead("http", request.headers().get("host"),
          q < 0 ? uri : uri.substring(0, q), q < 0 ? null : uri.substring(q + 1),
          request.method().name(), request.headers()::get);
    }

    @Override
    public InetAddress clientAddress() {
      return InetAddress.getLoopbackAddress();
    }

    @Override
    public ConnectionTls tls() {
      return null;
    }

    @Override
    public String routeName() {
      return "test";
    }

    @Override
    public EventLoop eventLoop() {
      return loop;
    }

    @Override
    public ByteBufAllocator alloc() {
      return ByteBufAllocator.DEFAULT;
    }

    @Override
    public CompletionStage<BufferedBody> bufferRequestBody(int maxBytes) {
      throw new UnsupportedOperationException();
    }

    /** The harness's origin answers at once; the request is recorded like any other. */
    @Override
    public CompletionStage<SubrequestClient.SubResponse> fetchFromUpstream(
        HttpHeaders headers, int maxResponseBytes) {
      HttpRequest get = new DefaultHttpRequest(
          HttpVersion.HTTP_1_1, HttpMethod.GET, request.uri(), headers.copy());
      fetched.add(get.headers());
      OriginResponse o = fetchOrigin.apply(get);
      return CompletableFuture.completedFuture(new SubrequestClient.SubResponse(
          o.status(), o.headers(), o.body().getBytes(StandardCharsets.UTF_8)));
    }
  }
}
