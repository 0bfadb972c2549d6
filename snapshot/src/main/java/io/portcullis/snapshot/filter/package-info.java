/**
 * Request-path filter configs, the snapshot's side of the filter chain: a sealed family of records
 * ({@link io.portcullis.snapshot.filter.FilterConfig}), one per filter kind, each with a stable
 * JSON type name, carried by {@link io.portcullis.snapshot.VirtualHost#filters()} (every request
 * of the host) and {@link io.portcullis.snapshot.Route#filters()} (one route; a config of a kind
 * replaces the host's). Lists are canonical (one config per kind, sorted by kind) and omitted from
 * JSON when empty, so snapshots without filters keep the version they had before filters existed.
 *
 * <p>Example (a route's JSON): {@code "filters": [{"type": "cors", "allowOrigins":
 * ["https://app.example.com"], "allowCredentials": true, "maxAgeSeconds": 600}]}
 */
package io.portcullis.snapshot.filter;
