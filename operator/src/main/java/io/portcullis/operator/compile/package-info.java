/**
 * The compiler: {@link io.portcullis.operator.compile.ClusterState} in,
 * {@link io.portcullis.operator.compile.CompileResult} (snapshot + a status per object of ours) out.
 * Pure: fabric8 model classes only, no client, no I/O, no clock (CompilerArchitectureTest).
 *
 * <p>Passes, in order ({@link io.portcullis.operator.compile.Compiler}):
 *
 * <ol>
 *   <li>{@code ClassSelector}: which Ingresses and ProxyRoutes are ours. Others get no status.
 *   <li>{@code NginxPass} (only with {@code --ingress-nginx-compat}): ingress-nginx annotations
 *       translated ({@code compile.nginx}) onto ours; refusals reported.
 *   <li>{@code IngressPass} (canary Ingresses first, as splits: {@code CanarySplits}), {@code ProxyRoutePass} (+ {@code ProxyRouteTranslator}): each rule or
 *       route is validated alone and becomes a {@code RouteCandidate}; backends go through
 *       {@code BackendResolver} (indexed once, memoised).
 *   <li>{@code RouteTable}: merge by host, oldest object wins a true conflict, order by
 *       {@code RoutePriority}.
 *   <li>{@code DefaultBackendPass}: oldest Ingress's defaultBackend, else {@code --default-backend}.
 *   <li>{@code TlsPass}: Secret checks now; certificates and SNI later (issue 3).
 *   <li>{@code StatusCollector}: Accepted / ResolvedRefs conditions, events, route names.
 * </ol>
 *
 * <p>Decisions the design left open:
 *
 * <ul>
 *   <li>{@code ImplementationSpecific} is Prefix, or an RE2 regex (whole path) when the Ingress
 *       has {@code portcullis.io/use-regex: "true"}.
 *   <li>Regex routes rank by pattern length among the others; on equal length Exact, Regex, Prefix.
 *       More header matches, then fewer methods, rank first. Ties: namespace, name, kind, index.
 *   <li>ExternalName Services are not supported: the route stays, answers 503, and the owner gets
 *       ResolvedRefs=False / UnsupportedBackend.
 *   <li>A ProxyRoute {@code timeouts.idle} is validated but not yet carried (no snapshot field).
 * </ul>
 */
package io.portcullis.operator.compile;
