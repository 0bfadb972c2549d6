package io.portcullis.dataplane.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.http.HttpAuthority;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.Locale;

/**
 * Rejects hostile or unservable requests before anything of them reaches the proxy logic (and so a
 * backend), answering with a short status and closing the connection: after a framing error the
 * rest of the byte stream cannot be trusted.
 *
 * <ul>
 *   <li>decoder failures (malformed request line, invalid header name or value, duplicate differing
 *       or non-numeric {@code Content-Length}, {@code Content-Length} with {@code
 *       Transfer-Encoding}, which Netty's RFC 9112 mode refuses) -> 400; an over-long request line
 *       -> 414; over-large headers -> 431
 *   <li>{@code Transfer-Encoding} whose last coding is not {@code chunked}, or {@code chunked}
 *       twice -> 400 (the body length would be ambiguous: smuggling); {@code chunked} preceded by
 *       other codings (gzip, ...) -> 501, we do not decode transfer codings
 *   <li>HTTP/1.1 without exactly one {@code Host} -> 400; HTTP versions other than 1.x -> 505
 *   <li>{@code CONNECT} -> 405 (this is not a forward proxy); absolute-form and asterisk-form
 *       targets -> 400 (only origin-form; accepting absolute-form would let the routed host and the
 *       Host header disagree)
 *   <li>declared {@code Content-Length} above the limit -> 413
 * </ul>
 *
 * <p>With pipelining, a bad request behind requests still being answered gets its status after
 * their responses, in order; everything after it is dropped.
 */
final class RequestValidationHandler extends ChannelDuplexHandler {
  private final long maxRequestBodyBytes;
  private final ProxyMetrics metrics;
  /** Requests passed on whose final response has not been written yet. */
  private int outstanding;
  private boolean rejected;
  private int pendingRejection;
  private boolean writingInformational;
  /** A request was passed on and its body has not ended yet. */
  private boolean bodyOpen;
  /** Something of the response to the last request passed on was written. */
  private boolean currentAnswered;
  /** We answered 400 for a request the proxy was already handling: its writes are dropped. */
  private boolean answeredOverExchange;
  private FullHttpResponse ourAnswer;

  RequestValidationHandler(long maxRequestBodyBytes, ProxyMetrics metrics) {
    this.maxRequestBodyBytes = maxRequestBodyBytes;
    this.metrics = metrics;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (rejected) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest request) {
      int status = check(request);
      if (status != 0) {
        ReferenceCountUtil.release(msg);
        reject(ctx, status);
        return;
      }
      outstanding++;
      bodyOpen = true;
      currentAnswered = false;
    } else if (msg instanceof HttpContent content) {
      if (content.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        brokenFraming(ctx);
        return;
      }
      if (content instanceof LastHttpContent last) {
        if (hasForbiddenTrailer(last)) {
          ReferenceCountUtil.release(msg);
          brokenFraming(ctx);
          return;
        }
        bodyOpen = false;
      }
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == Http1FramingGuard.VIOLATION) {
      if (!rejected) {
        brokenFraming(ctx);
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  private static boolean hasForbiddenTrailer(LastHttpContent last) {
    for (var field : last.trailingHeaders()) {
      if (Trailers.forbidden(field.getKey())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The byte stream broke (a bad chunk, a bad trailer, a bad request line). Between requests this
   * is an ordinary rejection; inside the body of a request already passed on, that request can
   * never end, so waiting for its response would wait forever: it gets the 400 now if nothing of
   * its response went out and no earlier request still waits for one, and a plain close
   * otherwise (the only honest signal once a status is on the wire).
   */
  private void brokenFraming(ChannelHandlerContext ctx) {
    if (!bodyOpen) {
      reject(ctx, 400);
      return;
    }
    rejected = true;
    bodyOpen = false;
    if (outstanding == 1 && !currentAnswered) {
      answeredOverExchange = true;
      answer(ctx, 400);
    } else {
      ctx.close();
    }
  }

  /** The status to answer {@code request} with, or 0 when it may pass. */
  int check(HttpRequest request) {
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      Throwable cause = result.cause();
      if (cause instanceof TooLongHttpLineException) {
        return 414;
      }
      if (cause instanceof TooLongHttpHeaderException) {
        return 431;
      }
      return 400;
    }
    HttpVersion version = request.protocolVersion();
    if (version.majorVersion() != 1 || version.minorVersion() > 1) {
      return 505;
    }
    if (HttpMethod.CONNECT.equals(request.method())) {
      return 405;
    }
    List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1 || (version.minorVersion() == 1 && hosts.isEmpty())) {
      return 400;
    }
    if (hosts.size() == 1 && !HttpAuthority.valid(hosts.get(0))) {
      return 400;
    }
    RequestTarget target = RequestTarget.classify(request.uri());
    if (target instanceof RequestTarget.Absolute absolute) {
      // RFC 9112 §3.2.2: the target's authority replaces Host; route by what we forward.
      request.setUri(absolute.originForm());
      request.headers().set(HttpHeaderNames.HOST, absolute.authority());
    } else if (!(target instanceof RequestTarget.Origin)) {
      return 400; // asterisk-form (OPTIONS *), authority-form without CONNECT, or malformed
    }
    if (nominatesFraming(request)) {
      return 400;
    }
    List<String> codings = request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (!codings.isEmpty()) {
      if (request.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
        return 400;
      }
      int status = checkTransferCodings(codings);
      if (status != 0) {
        return status;
      }
    }
    List<String> lengths = request.headers().getAll(HttpHeaderNames.CONTENT_LENGTH);
    if (!lengths.isEmpty()) {
      long length = -1;
      for (String value : lengths) {
        for (String part : value.split(",", -1)) {
          long parsed = parseLength(part.trim());
          if (parsed < 0 || (length >= 0 && parsed != length)) {
            return 400;
          }
          length = parsed;
        }
      }
      if (length > maxRequestBodyBytes) {
        return 413;
      }
    }
    return 0;
  }

  /**
   * {@code Connection: Content-Length} (or Transfer-Encoding, Host) would make us strip the field
   * that frames or routes the request before forwarding it: the backend would read the body as
   * the next request. Nobody sends this but a smuggler.
   */
  private static boolean nominatesFraming(HttpRequest request) {
    for (String value : request.headers().getAll(HttpHeaderNames.CONNECTION)) {
      for (String token : value.split(",")) {
        String name = token.trim().toLowerCase(Locale.ROOT);
        if (name.equals("content-length") || name.equals("transfer-encoding") || name.equals("host")) {
          return true;
        }
      }
    }
    return false;
  }

  private static int checkTransferCodings(List<String> headerValues) {
    int chunked = 0;
    boolean others = false;
    String last = null;
    for (String value : headerValues) {
      for (String token : value.split(",", -1)) {
        String coding = token.trim().toLowerCase(Locale.ROOT);
        if (coding.isEmpty()) {
          return 400;
        }
        if (coding.equals("chunked")) {
          chunked++;
        } else {
          others = true;
        }
        last = coding;
      }
    }
    if (chunked != 1 || !"chunked".equals(last)) {
      return 400;
    }
    return others ? 501 : 0;
  }

  /** Digits only (no sign, no spaces), at most 18 of them; -1 when not a valid length. */
  private static long parseLength(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private void reject(ChannelHandlerContext ctx, int status) {
    rejected = true;
    if (outstanding == 0) {
      answer(ctx, status);
    } else {
      pendingRejection = status;
    }
  }

  private void answer(ChannelHandlerContext ctx, int status) {
    metrics.requestCompleted("none", status);
    ourAnswer = Responses.text(ctx.alloc(), status, Responses.reason(status), true);
    ctx.writeAndFlush(ourAnswer)
        .addListener(f -> LingeringClose.close(ctx.channel()));
    // Keep reading (and dropping) so unread request bytes do not turn our close into a reset
    // that destroys the answer before the client reads it.
    ctx.channel().config().setAutoRead(true);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (answeredOverExchange && !(msg instanceof FullHttpResponse full && full == ourAnswer)) {
      ReferenceCountUtil.release(msg);
      if (!promise.isVoid()) {
        promise.tryFailure(new ClosedChannelException());
      }
      return;
    }
    if (outstanding == 1 && msg instanceof HttpObject) {
      boolean interim =
          msg instanceof HttpResponse r
              ? r.status().codeClass() == HttpStatusClass.INFORMATIONAL && r.status().code() != 101
              : writingInformational;
      currentAnswered |= !interim; // after a 100 Continue a final 400 may still follow
    }
    if (msg instanceof HttpResponse response) {
      writingInformational =
          response.status().codeClass() == HttpStatusClass.INFORMATIONAL
              && response.status().code() != 101;
    }
    boolean finishesResponse = msg instanceof LastHttpContent && !writingInformational;
    ctx.write(msg, promise);
    if (finishesResponse && outstanding > 0) {
      outstanding--;
      if (outstanding == 0 && pendingRejection != 0) {
        int status = pendingRejection;
        pendingRejection = 0;
        answer(ctx, status);
      }
    }
  }
}
