package io.portcullis.dataplane.filters.ratelimit;

/**
 * A bucket's identity: the limit it enforces, the route it counts for (a host-wide limit keeps a
 * budget per route), and the key value (an {@link java.net.InetAddress} or a header's value).
 */
record BucketKey(Limit limit, String route, Object value) {}
