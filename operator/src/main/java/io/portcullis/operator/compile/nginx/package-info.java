/**
 * ingress-nginx compatibility ({@code --ingress-nginx-compat}): the registry of
 * {@code nginx.ingress.kubernetes.io/*} annotations and their translation, one class per family
 * (paths, redirects, upstream, balancing, canary, CORS, auth, WAF, IP rules), onto our own
 * {@code portcullis.io/*} annotations and a few route-level extras. Pure: maps of strings in,
 * records out; the compiler's {@code NginxPass} and {@code IngressPass} apply the result and report
 * the findings. Depends on the snapshot records only, never on the rest of the compiler.
 */
package io.portcullis.operator.compile.nginx;
