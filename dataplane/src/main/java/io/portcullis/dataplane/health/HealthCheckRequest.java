package io.portcullis.dataplane.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import io.portcullis.snapshot.ClusterPolicy.HealthCheck;
import io.portcullis.snapshot.Endpoint;
import java.util.concurrent.TimeUnit;

/**
 * One active health check: a fresh connection, {@code GET path} with {@code Connection: close},
 * the status of the response head decides, and the connection is closed without reading the body.
 * Everything runs on one event loop; nothing blocks. A fresh connection per check (rather than a
 * pooled one) is what proves the endpoint still accepts connections.
 */
final class HealthCheckRequest {
  static final String USER_AGENT = "portcullis-health-check";
  /** Health check responses are small; a longer head is as good as a failure. */
  private static final int MAX_HEADER_SIZE = 16 * 1024;

  private HealthCheckRequest() {}

  /**
   * Starts a check of {@code endpoint}; the future always succeeds, with the check's result.
   *
   * @param tls a client context when the cluster speaks TLS, else null
   * @param serverName SNI and the name to verify when {@code tls} is set
   */
  static Future<CheckResult> send(
      Bootstrap template,
      EventLoop loop,
      Endpoint endpoint,
      HealthCheck check,
      SslContext tls,
      String serverName) {
    Promise<CheckResult> promise = loop.newPromise();
    // An empty body: nothing to release when the connection never opens.
    FullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.GET, check.path(), Unpooled.EMPTY_BUFFER);
    request
        .headers()
        .set(HttpHeaderNames.HOST, check.host() != null ? check.host() : endpoint.toString())
        .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ChannelFuture connect =
        template
            .clone(loop)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, check.timeoutMillis()))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    if (tls != null) {
                      ch.pipeline()
                          .addLast("tls", tls.newHandler(ch.alloc(), serverName, endpoint.port()));
                    }
                    ch.pipeline()
                        .addLast("http", new HttpClientCodec(4096, MAX_HEADER_SIZE, 8192))
                        .addLast("check", new CheckHandler(promise, request, check));
                  }
                })
            .connect(endpoint.address(), endpoint.port());
    ScheduledFuture<?> timer =
        loop.schedule(
            () -> promise.trySuccess(CheckResult.failed("timeout")),
            check.timeoutMillis(),
            TimeUnit.MILLISECONDS);
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            promise.trySuccess(CheckResult.failed("connect: " + f.cause().getMessage()));
          }
        });
    promise.addListener(
        f -> {
          timer.cancel(false);
          connect.channel().close();
        });
    return promise;
  }

  private static final class CheckHandler extends ChannelInboundHandlerAdapter {
    private final Promise<CheckResult> promise;
    private final FullHttpRequest request;
    private final HealthCheck check;

    CheckHandler(Promise<CheckResult> promise, FullHttpRequest request, HealthCheck check) {
      this.promise = promise;
      this.request = request;
      this.check = check;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      // Over TLS the handler queues this until the handshake is done.
      ctx.writeAndFlush(request);
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpResponse response) {
          if (response.decoderResult().isFailure()) {
            promise.trySuccess(CheckResult.failed("bad response: " + response.decoderResult().cause()));
          } else {
            int status = response.status().code();
            promise.trySuccess(new CheckResult(check.expects(status), "status " + status));
          }
          ctx.close();
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      promise.trySuccess(CheckResult.failed("closed before answering"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      promise.trySuccess(CheckResult.failed(cause.toString()));
      ctx.close();
    }
  }
}
