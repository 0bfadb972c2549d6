package io.portcullis.dataplane.log;

/**
 * One finished request, as the access log writes it. Strings are null when unknown (no route
 * matched, nothing was forwarded); numbers are 0 then.
 *
 * @param startMillis when the request head arrived (epoch milliseconds)
 * @param requestId the {@code X-Request-Id} sent back to the client
 * @param client the client's IP address: the TCP peer or the PROXY protocol source, or the
 *     address trusted proxies named in {@code X-Forwarded-For}
 * @param method request method
 * @param authority the {@code Host} header as the client sent it
 * @param path the request path without its query (queries often carry tokens)
 * @param protocol {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2.0}
 * @param status status code sent to the client; 0 when the connection closed before a response
 * @param route the route name, or {@code none} when nothing matched
 * @param cluster the cluster forwarded to
 * @param endpoint the backend, written as its {@code toString()} ({@code address:port}) by the
 *     log's writer thread rather than formatted on the event loop
 * @param upstreamStatus the backend's status code
 * @param durationMillis request head to the end of the response (or the connection's close)
 * @param upstreamMillis request sent upstream to the backend's response head
 * @param bytesIn request body bytes received
 * @param bytesOut response body bytes sent
 * @param userAgent the {@code User-Agent} header
 * @param retries how many times the request was sent again to a backend
 */
public record AccessLogEntry(
    long startMillis,
    String requestId,
    String client,
    String method,
    String authority,
    String path,
    String protocol,
    int status,
    String route,
    String cluster,
    Object endpoint,
    int upstreamStatus,
    double durationMillis,
    double upstreamMillis,
    long bytesIn,
    long bytesOut,
    String userAgent,
    int retries) {}
