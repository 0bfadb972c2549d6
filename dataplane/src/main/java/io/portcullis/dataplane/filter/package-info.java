/**
 * The request-path filter API: every traffic feature (CORS, IP rules, rate limits,
 * authentication, WAF, cache, compression) is an {@link io.portcullis.dataplane.filter.HttpFilter}
 * on one {@link io.portcullis.dataplane.filter.FilterChain} per route, compiled once per snapshot
 * by the {@link io.portcullis.dataplane.filter.FilterRegistry} in the fixed order of {@link
 * io.portcullis.dataplane.filter.FilterStage}.
 *
 * <p>A request's way: routing picks the route (or none: the virtual host's chain); the request
 * phases run in order and each continues, answers locally ({@link
 * io.portcullis.dataplane.filter.LocalResponse}, streamed by the proxy's local responder), or
 * pauses on a future without blocking the event loop; the terminal step forwards upstream
 * (balancing, retries, timeouts) or answers (redirect, direct response, 404); the response head
 * then passes the response phases in reverse order, where a filter may change it, stream the body
 * through a {@link io.portcullis.dataplane.filter.BodyTransform}, or replace the response.
 *
 * <p>This package knows nothing of the proxy's connection handling: filters see a {@link
 * io.portcullis.dataplane.filter.FilterContext} and Netty's HTTP message types only.
 */
package io.portcullis.dataplane.filter;
