/**
 * The ProxyRoute custom resource as Java: {@link io.portcullis.operator.crd.ProxyRoute},
 * {@link io.portcullis.operator.crd.ProxyRouteSpec}, {@link io.portcullis.operator.crd.ProxyRouteStatus}.
 * The spec's parts live in holders by topic: {@code PolicySpec} (backends: TLS, balancing, health,
 * resilience), {@code ActionSpec} (redirect, direct response, static content), {@code FilterSpec}
 * (CORS, compression, WAF), and a file per larger filter ({@code AuthSpec}, {@code CacheSpec}).
 * This model is the single source of the CRD in {@code crds/} (and its copy in the chart), of
 * {@code kubectl explain proxyroute...} and of the field reference {@code docs/proxyroute.md}.
 *
 * <h2>Adding a field (cors, cache, compression, auth, waf, ...)</h2>
 * <ol>
 *   <li>Add a public field to the spec class it belongs to (a new nested {@code public static
 *       class} for an object), {@code @JsonInclude(NON_NULL)} on new classes.
 *   <li>Describe it with {@code @JsonPropertyDescription("...")} on the field: what it does, in
 *       the user's words, and its default ("Default 30s."). This text is what {@code kubectl
 *       explain} and {@code docs/proxyroute.md} show. Javadoc is not read by the generator: do not
 *       put the description there. {@code ProxyRouteCrdTest.everyFieldIsDescribed} fails for a
 *       field without one.
 *   <li>Validation the API server can do goes on the field too: {@code @Required},
 *       {@code @Min}/{@code @Max}, {@code @Size}, {@code @Pattern} (reuse the patterns at the top of
 *       {@code ProxyRouteSpec}, e.g. {@code DURATION}; the reference names them), enums through
 *       {@code @SchemaFrom(type = SomeEnum.class)} on a String field (so one bad value rejects one
 *       route, not the whole object), CEL rules through {@code @ValidationRule}.
 *   <li>Regenerate the CRD, its chart copy and the reference:
 *       {@code mvn -B -q -pl operator -am test -Dtest=ProxyRouteCrdTest
 *       -Dsurefire.failIfNoSpecifiedTests=false -Dportcullis.crd.update=true}, then
 *       {@code deploy/portcullis.yaml}: the same with {@code -Dtest=DeployManifestsTest
 *       -Dportcullis.regenerate=true}. Tests fail while any of them is stale.
 *   <li>Add the field to an example or a README YAML block: {@code DocumentedYamlTest} applies
 *       every one of them and fails if the operator refuses it.
 * </ol>
 * The descriptions of the resource, its spec and status, the conditions' fields, and the order
 * of printer columns are set in the test-side {@code CrdPostProcessor} (the generator cannot read
 * them from annotations).
 */
package io.portcullis.operator.crd;
