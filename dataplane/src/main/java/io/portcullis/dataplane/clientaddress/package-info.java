/**
 * The real client address of a connection and of each request: the PROXY protocol header a load
 * balancer sends ahead of the bytes, {@code X-Forwarded-For} walked through trusted proxies only,
 * and the per-client connection limit counted on the resolved connection address.
 *
 * <p>One address per connection ({@link io.portcullis.dataplane.clientaddress.ClientAddress}: the
 * PROXY source, else the TCP peer) and one per request ({@link
 * io.portcullis.dataplane.clientaddress.ForwardedFor}), used by every consumer: filters, the
 * balancer's client hash, external authorization, the access log and the {@code X-Forwarded-For}
 * sent upstream.
 */
package io.portcullis.dataplane.clientaddress;
