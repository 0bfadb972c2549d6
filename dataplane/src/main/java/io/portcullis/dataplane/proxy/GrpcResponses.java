package io.portcullis.dataplane.proxy;

import io.portcullis.dataplane.filter.LocalResponse;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The proxy's own errors as a gRPC client understands them. gRPC clients read the status from
 * {@code grpc-status}, not from the HTTP status, and report a bare 502 or 503 as an opaque
 * protocol error; so a gRPC request the proxy cannot deliver gets HTTP 200 with a
 * "trailers-only" response (no body; over HTTP/2 one HEADERS frame ending the stream) carrying
 * the gRPC code, as Envoy does.
 */
final class GrpcResponses {
  /** gRPC UNAVAILABLE: no backend, connect failure, broken backend (clients may retry). */
  static final int UNAVAILABLE = 14;
  /** gRPC DEADLINE_EXCEEDED: the backend did not answer in time. */
  static final int DEADLINE_EXCEEDED = 4;
  /** gRPC UNKNOWN, for any other proxy error. */
  static final int UNKNOWN = 2;

  private GrpcResponses() {}

  /** Whether the proxy's own {@code status} for {@code request} is sent in the gRPC form. */
  static boolean replaces(int status, HttpRequest request) {
    return (status == 502 || status == 503 || status == 504) && isGrpc(request);
  }

  /** True for {@code content-type: application/grpc} and its {@code +proto}/{@code ;...} forms. */
  static boolean isGrpc(HttpRequest request) {
    String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (type == null || !type.regionMatches(true, 0, "application/grpc", 0, 16)) {
      return false;
    }
    return type.length() == 16 || type.charAt(16) == '+' || type.charAt(16) == ';';
  }

  /** The gRPC form of the proxy's own 502, 503 or 504. */
  static LocalResponse unavailable(int httpStatus) {
    int code;
    String message;
    switch (httpStatus) {
      case 502 -> {
        code = UNAVAILABLE;
        message = "upstream connect error or disconnect";
      }
      case 503 -> {
        code = UNAVAILABLE;
        message = "no healthy upstream";
      }
      case 504 -> {
        code = DEADLINE_EXCEEDED;
        message = "upstream request timeout";
      }
      default -> {
        code = UNKNOWN;
        message = "proxy answered HTTP " + httpStatus;
      }
    }
    LocalResponse r = LocalResponse.empty(200);
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "application/grpc")
        .set("grpc-status", Integer.toString(code))
        .set("grpc-message", message);
    return r;
  }
}
