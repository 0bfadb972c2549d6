/**
 * The dataplane's HTTP/1.1 reverse proxy on Netty.
 *
 * <p>Entry point: {@link io.portcullis.dataplane.proxy.ProxyServer}. Per client connection the
 * pipeline is {@code [tls seam] -> header-timeout -> idle -> http-codec -> validation -> proxy}
 * (see {@code ProxyChannelInitializer}); backend connections ({@code UpstreamConnector}) live on
 * the client connection's event loop and are pooled per endpoint per loop.
 *
 * <p>Decisions worth knowing:
 *
 * <ul>
 *   <li>One request at a time per client connection; pipelined requests are decoded and wait, so
 *       responses are in order.
 *   <li>{@code Expect: 100-continue} is answered by the proxy after routing and after the backend
 *       connection is up; the header is not forwarded. Locally answered requests get no 100.
 *   <li>Absolute-form targets get 400 and {@code CONNECT} 405: this is a reverse proxy only.
 *       {@code Transfer-Encoding} with codings before {@code chunked} gets 501, anything else
 *       that is not exactly a final {@code chunked} 400.
 *   <li>{@code Proxy-Authorization} is forwarded (not addressed to a reverse proxy).
 *   <li>A request on a reused pooled connection that the backend closed before answering is
 *       retried once on a fresh connection when it has no body; anything else gets 502.
 *   <li>Errors after the response head went out close the client connection.
 * </ul>
 */
package io.portcullis.dataplane.proxy;
