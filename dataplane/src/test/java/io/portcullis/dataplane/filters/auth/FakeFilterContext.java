package io.portcullis.dataplane.filters.auth;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
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
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A request as a filter sees it, on a real event loop, without a connection. */
final class FakeFilterContext extends DefaultAttributeMap implements FilterContext {
  private final HttpRequest request;
  private final EventLoop loop;
  private final String body;

  FakeFilterContext(EventLoop loop, String method, String uri, String body) {
    this.loop = loop;
    this.request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri);
    request.headers().set("host", "shop.example.com");
    this.body = body;
  }

  @Override
  public HttpRequest request() {
    return request;
  }

  @Override
  public RequestHead head() {
    String uri = request.uri();
    int q = uri.indexOf('?');
    return new RequestHead("http", request.headers().get("host"), q < 0 ? uri : uri.substring(0, q),
        q < 0 ? null : uri.substring(q + 1), request.method().name(),
        name -> request.headers().get(name));
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
    return "test-route";
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
    byte[] bytes = (body == null ? "" : body).getBytes(StandardCharsets.UTF_8);
    boolean complete = bytes.length <= maxBytes;
    var content = Unpooled.wrappedBuffer(bytes, 0, Math.min(bytes.length, maxBytes));
    // The exchange owns the buffer and releases it once the filter's stage is done.
    CompletableFuture<BufferedBody> f = new CompletableFuture<>();
    loop.execute(() -> {
      f.complete(new BufferedBody(content, complete));
      content.release();
    });
    return f;
  }
}
