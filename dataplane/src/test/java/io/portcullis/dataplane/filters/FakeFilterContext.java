package io.portcullis.dataplane.filters;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
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
import java.util.Locale;
import java.util.concurrent.CompletionStage;

/** A filter context for unit tests: a request, attributes, an allocator; no connection. */
public final class FakeFilterContext extends DefaultAttributeMap implements FilterContext {
  private final HttpRequest request;
  private EventLoop eventLoop;

  public FakeFilterContext(HttpRequest request) {
    this.request = request;
  }

  /** This context with an event loop (for code that hops back onto one). */
  public FakeFilterContext on(EventLoop loop) {
    this.eventLoop = loop;
    return this;
  }

  public static FakeFilterContext get(String uri, String... headerPairs) {
    return of(HttpMethod.GET, uri, headerPairs);
  }

  public static FakeFilterContext of(HttpMethod method, String uri, String... headerPairs) {
    HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    for (int i = 0; i < headerPairs.length; i += 2) {
      request.headers().add(headerPairs[i], headerPairs[i + 1]);
    }
    return new FakeFilterContext(request);
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
        request.method().name(), n -> request.headers().get(n.toLowerCase(Locale.ROOT)));
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
    if (eventLoop == null) {
      throw new UnsupportedOperationException("no event loop in this test");
    }
    return eventLoop;
  }

  @Override
  public ByteBufAllocator alloc() {
    return PooledByteBufAllocator.DEFAULT;
  }

  @Override
  public CompletionStage<BufferedBody> bufferRequestBody(int maxBytes) {
    throw new UnsupportedOperationException("no request body in unit tests");
  }
}
