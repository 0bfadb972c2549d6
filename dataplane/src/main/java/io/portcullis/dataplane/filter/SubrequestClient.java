package io.portcullis.dataplane.filter;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Small HTTP calls a filter makes on a request's behalf (an external authorization check, a key
 * set or token fetch) without blocking an event loop. The answer is held whole, within a bound: a
 * subrequest is a question with a short answer, never a proxied body.
 *
 * <p>The first implementation is the JDK's asynchronous client (its own connection pool and
 * selector thread); the interface lets the proxy back it with its upstream pools later.
 */
public interface SubrequestClient {

  /**
   * Sends {@code request}. Completes, on some thread other than the caller's event loop or on
   * it, with the answer, or exceptionally when the service could not be reached, timed out or
   * sent more than {@code maxResponseBytes}.
   */
  CompletionStage<SubResponse> send(Subrequest request);

  /**
   * @param method the request method
   * @param uri an absolute http or https URI
   * @param headers the headers to send (framing and connection headers are the client's)
   * @param body the body, or null for none
   * @param timeout for the whole exchange
   * @param maxResponseBytes the largest answer body accepted
   */
  record Subrequest(
      String method, URI uri, HttpHeaders headers, byte[] body, Duration timeout,
      int maxResponseBytes) {
    public Subrequest {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(uri, "uri");
      headers = headers == null ? new DefaultHttpHeaders() : headers;
      Objects.requireNonNull(timeout, "timeout");
      if (maxResponseBytes <= 0) {
        throw new IllegalArgumentException("maxResponseBytes must be positive");
      }
    }

    /** A GET without headers. */
    public static Subrequest get(URI uri, Duration timeout, int maxResponseBytes) {
      return new Subrequest("GET", uri, null, null, timeout, maxResponseBytes);
    }
  }

  /** An answer: status, headers, and the whole (bounded) body. */
  record SubResponse(int status, HttpHeaders headers, byte[] body) {
    public SubResponse {
      headers = headers == null ? new DefaultHttpHeaders() : headers;
      body = body == null ? new byte[0] : body;
    }
  }
}
