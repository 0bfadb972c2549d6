/**
 * Per-route request limits: the request body size ({@link
 * io.portcullis.dataplane.filters.limits.BodyLimitFilter}) and requests in progress per client
 * ({@link io.portcullis.dataplane.filters.limits.ConcurrencyLimitFilter}).
 */
package io.portcullis.dataplane.filters.limits;
