package io.portcullis.dataplane.filter;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.stream.ChunkedInput;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A response the proxy answers itself: a filter's answer (403, 429, a CORS preflight, a cache
 * hit, a static file) or the terminal step's (a redirect, a direct response, 404, 503). The
 * local responder writes it on HTTP/1.1 and HTTP/2 alike, streaming the body with backpressure,
 * sets {@code Content-Length} when the length is known, and drops the body for HEAD requests and
 * for statuses that have none.
 *
 * @param status the status code, 200-599 (a {@code 1xx} is never a final answer)
 * @param headers the headers to send; framing headers ({@code Content-Length},
 *     {@code Transfer-Encoding}, {@code Connection}) are the responder's business
 * @param body what follows the head
 */
public record LocalResponse(int status, HttpHeaders headers, Body body) {
  public LocalResponse {
    if (status < 200 || status > 599) {
      throw new IllegalArgumentException("local response status out of range: " + status);
    }
    headers = headers == null ? new DefaultHttpHeaders() : headers;
    body = body == null ? Body.EMPTY : body;
  }

  /** A bodiless answer. */
  public static LocalResponse empty(int status) {
    return new LocalResponse(status, new DefaultHttpHeaders(), Body.EMPTY);
  }

  /** A plain-text answer ({@code text/plain; charset=utf-8}). */
  public static LocalResponse text(int status, String text) {
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    return new LocalResponse(
        status, headers, new Body.Bytes(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
  }

  /** The body of a local response. */
  public sealed interface Body {
    Body EMPTY = new Empty();

    /** No body. */
    record Empty() implements Body {}

    /** A body in memory, owned by the response (released once written or dropped). */
    record Bytes(ByteBuf content) implements Body {
      public Bytes {
        Objects.requireNonNull(content, "content");
      }
    }

    /**
     * A body read part by part as the client can take it (a file, a stored cache entry). {@code
     * length} is the exact byte count when known (sent as {@code Content-Length}), else -1.
     * Closed by the responder when done or when the exchange breaks off.
     */
    record Streamed(ChunkedInput<ByteBuf> input, long length) implements Body {
      public Streamed {
        Objects.requireNonNull(input, "input");
      }
    }
  }
}
