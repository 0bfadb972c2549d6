package io.portcullis.dataplane.testing;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.DefaultAttributeMap;
import io.portcullis.dataplane.filter.BufferedBody;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.http.ConnectionTls;
import io.portcullis.dataplane.http.RequestHead;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link FilterContext} for unit tests of filters: a request built from parts, no connection.
 * Its event loop is a shared single-thread loop unless a test gives its own ({@link #on}). The
 * request body is handed out as the exchange does: completed on the event loop, and released
 * once the filter's stage had it, so a filter that keeps it without copying fails a test.
 */
public final class FakeFilterContext extends DefaultAttributeMap implements FilterContext {
  private static final EventLoop SHARED_LOOP = new DefaultEventLoop();

  private final HttpRequest request;
  private final RequestHead head;
  private InetAddress client = InetAddress.getLoopbackAddress();
  private ConnectionTls tls;
  private String route = "test-route";
  private byte[] body = new byte[0];
  private EventLoop loop = SHARED_LOOP;
  private final java.util.List<Runnable> endTasks = new java.util.ArrayList<>();

  private FakeFilterContext(String scheme, String method, String host, String uri) {
    request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri);
    if (host != null) {
      request.headers().set("host", host);
    }
    int q = uri.indexOf('?');
    head = new RequestHead(scheme, host, q < 0 ? uri : uri.substring(0, q),
        q < 0 ? null : uri.substring(q + 1), method, request.headers()::get);
  }

  /** A request; add headers with {@code request().headers()}. */
  public static FakeFilterContext of(String scheme, String method, String host, String uri) {
    return new FakeFilterContext(scheme, method, host, uri);
  }

  public FakeFilterContext header(String name, String value) {
    request.headers().add(name, value);
    return this;
  }

  public FakeFilterContext client(InetAddress address) {
    this.client = address;
    return this;
  }

  public FakeFilterContext tls(ConnectionTls tls) {
    this.tls = tls;
    return this;
  }

  public FakeFilterContext route(String route) {
    this.route = route;
    return this;
  }

  public FakeFilterContext body(byte[] body) {
    this.body = body.clone();
    return this;
  }

  /** A body as UTF-8 text; null for none. */
  public FakeFilterContext body(String body) {
    return body((body == null ? "" : body).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Phases and completions run on {@code loop}. */
  public FakeFilterContext on(EventLoop loop) {
    this.loop = loop;
    return this;
  }

  @Override
  public HttpRequest request() {
    return request;
  }

  @Override
  public RequestHead head() {
    return head;
  }

  @Override
  public InetAddress clientAddress() {
    return client;
  }

  @Override
  public ConnectionTls tls() {
    return tls;
  }

  @Override
  public String routeName() {
    return route;
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
  public void onExchangeEnd(Runnable task) {
    endTasks.add(task);
  }

  /** Ends the exchange: runs what filters asked to run then. */
  public void end() {
    endTasks.forEach(Runnable::run);
    endTasks.clear();
  }

  @Override
  public CompletionStage<BufferedBody> bufferRequestBody(int maxBytes) {
    int n = Math.min(maxBytes, body.length);
    var content = Unpooled.wrappedBuffer(body, 0, n);
    CompletableFuture<BufferedBody> f = new CompletableFuture<>();
    loop.execute(() -> {
      f.complete(new BufferedBody(content.asReadOnly(), n == body.length));
      content.release(); // the exchange owns the body: it is gone once the stage had it
    });
    return f;
  }
}
