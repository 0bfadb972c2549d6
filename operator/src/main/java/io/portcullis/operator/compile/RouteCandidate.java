package io.portcullis.operator.compile;

import io.portcullis.snapshot.Route;
import java.time.Instant;

/**
 * A route an object asks for on one host, before conflicts are settled and routes are ordered.
 *
 * @param host normalised host pattern (or {@code *})
 * @param route the finished snapshot route
 * @param owner the Ingress or ProxyRoute it came from
 * @param created the owner's creationTimestamp, for oldest-wins
 * @param ordinal position within the owner, the last tie-breaker
 * @param description how to name this rule in a message ({@code path Prefix /api})
 */
record RouteCandidate(
    String host, Route route, ObjectRef owner, Instant created, int ordinal, String description) {}
