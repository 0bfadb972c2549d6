package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.portcullis.operator.compile.CompilerSettings.DefaultCertificate;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.TlsPolicy;
import io.portcullis.snapshot.VirtualHost;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The TLS pass: which certificate each host presents, whether plain HTTP is redirected, and HSTS.
 *
 * <p>Every Ingress {@code spec.tls} entry and ProxyRoute {@code spec.tls} claims its hosts for a
 * Secret in its own namespace. The oldest claim of a host wins (as for routes); a younger claim
 * naming another Secret is told. Each Secret is validated once ({@link CertificateValidator}); an
 * unusable one is reported on every object that names it ({@code ResolvedRefs=False}, reason
 * {@code InvalidTlsSecret}, and an Event naming the Secret and the problem) and its hosts fall back
 * to the default certificate; nothing else changes. A certificate whose names do not cover a host
 * is served anyway, with a warning: the user may know better (a client pinned to it, say).
 *
 * <p>Client certificates (ProxyRoute {@code spec.tls.clientCertificate}) fail closed: when the CA
 * Secret is unusable, the hosts keep their certificate but lose every route (404), and a younger
 * ProxyRoute that asks for client certificates on a host whose TLS settings an older object owns
 * (without the same requirement) loses its routes on that host. Serving either without the
 * validation the user asked for would open the backends to any client.
 */
final class TlsPass {
  /** Ingress annotation: {@code "false"} keeps plain HTTP for the Ingress's TLS hosts. */
  static final String SSL_REDIRECT_ANNOTATION = "portcullis.io/ssl-redirect";
  /**
   * Ingress annotation: {@code "true"} redirects plain HTTP to https for the Ingress's rule hosts
   * even without {@code spec.tls} (TLS ends in front of Portcullis, or the default certificate
   * serves them): ingress-nginx's force-ssl-redirect.
   */
  static final String FORCE_SSL_REDIRECT_ANNOTATION = "portcullis.io/force-ssl-redirect";
  /** Ingress annotation: HSTS max-age in seconds for the Ingress's TLS hosts. */
  static final String HSTS_MAX_AGE_ANNOTATION = "portcullis.io/hsts-max-age";
  /** Ingress annotation: {@code "true"} adds includeSubDomains to the HSTS header. */
  static final String HSTS_SUBDOMAINS_ANNOTATION = "portcullis.io/hsts-include-subdomains";

  static final long MAX_HSTS_MAX_AGE = 315_360_000L;

  private final Map<String, Secret> secrets = new HashMap<>();
  private final StatusCollector status;
  private final Instant now;
  private final DefaultCertificate defaults;

  /** Validation outcome per Secret name, so a Secret shared by many objects is parsed once. */
  private final Map<String, Object> validated = new HashMap<>();
  private final Map<String, TlsCertificate> used = new TreeMap<>();
  private final Map<String, TlsPolicy> policies = new HashMap<>();
  /** Hosts that force-ssl-redirect without a certificate of their own, with their HSTS. */
  private final Map<String, Optional<TlsPolicy.Hsts>> forcedRedirects = new HashMap<>();
  private final CaBundles caBundles;
  /** Hosts whose client CA is unusable: served with no routes at all. */
  private final Set<String> closedHosts = new java.util.HashSet<>();
  /** Per host, route-name prefixes of objects whose client certificate requirement cannot hold. */
  private final Map<String, Set<String>> closedRoutes = new HashMap<>();
  private String defaultCertificate;
  /** What earlier compiles learned from Secret contents (parsing and the key check). */
  private final ParsedCertificates.Round parsed;

  TlsPass(List<Secret> secretList, CaBundles caBundles, StatusCollector status, Instant now,
      DefaultCertificate defaults) {
    this(secretList, caBundles, status, now, defaults, ParsedCertificates.Round.none());
  }

  TlsPass(List<Secret> secretList, CaBundles caBundles, StatusCollector status, Instant now,
      DefaultCertificate defaults, ParsedCertificates.Round parsed) {
    this.parsed = parsed;
    this.caBundles = caBundles;
    for (Secret s : secretList) {
      secrets.put(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(), s);
    }
    this.status = status;
    this.now = now;
    this.defaults = defaults;
  }

  /** One object's claim on some hosts. */
  private record Claim(
      ObjectRef owner, Instant created, String secretName, Set<String> hosts,
      boolean redirectHttp, TlsPolicy.Hsts hsts, ProxyRouteSpec.ClientCertificate clientCertificate) {

    boolean sameClientValidation(Claim other) {
      ProxyRouteSpec.ClientCertificate a = clientCertificate;
      ProxyRouteSpec.ClientCertificate b = other.clientCertificate;
      if (a == null || b == null) {
        return a == b;
      }
      return owner.namespace().equals(other.owner.namespace())
          && java.util.Objects.equals(a.caSecret, b.caSecret)
          && Boolean.TRUE.equals(a.optional) == Boolean.TRUE.equals(b.optional);
    }
  }

  void run(List<Ingress> ingresses, List<ProxyRoute> proxyRoutes) {
    List<Claim> claims = new ArrayList<>();
    for (Ingress ingress : ingresses) {
      try {
        ingressClaims(ingress, claims);
      } catch (RuntimeException e) {
        status.unresolved(ObjectAge.ref(IngressPass.KIND, ingress), Reasons.INVALID_TLS_SECRET,
            "spec.tls could not be compiled: " + e);
      }
    }
    for (ProxyRoute route : proxyRoutes) {
      if (route.getSpec() != null && route.getSpec().tls != null) {
        proxyRouteClaim(route, claims);
      }
    }
    claims.sort(Comparator.comparing(Claim::created)
        .thenComparing(c -> c.owner().namespace())
        .thenComparing(c -> c.owner().name())
        .thenComparing(c -> c.owner().kind()));
    Map<String, Claim> winners = new HashMap<>();
    for (Claim claim : claims) {
      apply(claim, winners);
    }
    // After every certificate claim, so that a forced redirect never takes a host's TLS settings
    // from an object that names a certificate for it.
    forcedRedirects.forEach((host, hsts) -> {
      if (!winners.containsKey(host)) {
        policies.putIfAbsent(host, new TlsPolicy(null, true, hsts.orElse(null)));
      }
    });
    defaultCertificate = resolveDefault();
  }

  /** The virtual hosts with their TLS policies attached. */
  List<VirtualHost> attach(List<VirtualHost> hosts) {
    List<VirtualHost> out = new ArrayList<>(hosts.size());
    Set<String> dropped = new java.util.HashSet<>();
    for (VirtualHost v : hosts) {
      TlsPolicy policy = policies.get(v.host());
      List<io.portcullis.snapshot.Route> routes = v.routes();
      if (closedHosts.contains(v.host())) {
        routes = List.of();
      } else if (closedRoutes.containsKey(v.host())) {
        Set<String> prefixes = closedRoutes.get(v.host());
        routes = routes.stream()
            .filter(r -> prefixes.stream().noneMatch(p -> r.name().startsWith(p)))
            .toList();
      }
      if (routes != v.routes()) {
        Set<io.portcullis.snapshot.Route> kept = new java.util.HashSet<>(routes);
        v.routes().stream().filter(r -> !kept.contains(r)).forEach(r -> dropped.add(r.name()));
      }
      out.add(policy == null && routes == v.routes() ? v : new VirtualHost(v.host(), routes, policy));
    }
    status.routesDropped(dropped);
    return out;
  }

  /** Every certificate a policy or the default names, sorted by name. */
  List<TlsCertificate> certificates() {
    return List.copyOf(used.values());
  }

  /** Name of the default certificate, or null. */
  String defaultCertificate() {
    return defaultCertificate;
  }

  private void ingressClaims(Ingress ingress, List<Claim> out) {
    List<IngressTLS> tls = ingress.getSpec() == null ? null : ingress.getSpec().getTls();
    ObjectRef ref = ObjectAge.ref(IngressPass.KIND, ingress);
    Map<String, String> annotations = ingress.getMetadata().getAnnotations();
    annotations = annotations == null ? Map.of() : annotations;
    // Every rule host of the Ingress: those that no certificate claim wins redirect as forced
    // (see claims()), the others take their TLS policy from the claim.
    if (annotations.containsKey(FORCE_SSL_REDIRECT_ANNOTATION)) {
      if (booleanAnnotation(ref, annotations, FORCE_SSL_REDIRECT_ANNOTATION, false)) {
        Optional<TlsPolicy.Hsts> hsts = Optional.ofNullable(ingressHsts(ref, annotations));
        for (String host : hosts(ref, ruleHosts(ingress), "spec.rules.host")) {
          forcedRedirects.putIfAbsent(host, hsts);
        }
      }
    }
    if (tls == null || tls.isEmpty()) {
      return;
    }
    boolean redirect = booleanAnnotation(ref, annotations, SSL_REDIRECT_ANNOTATION, true);
    TlsPolicy.Hsts hsts = ingressHsts(ref, annotations);
    Instant created = ObjectAge.created(ingress.getMetadata());
    for (IngressTLS entry : tls) {
      if (entry == null) {
        continue;
      }
      if (entry.getSecretName() == null || entry.getSecretName().isEmpty()) {
        status.unresolved(ref, Reasons.INVALID_TLS_SECRET, "a spec.tls entry names no secretName");
        continue;
      }
      List<String> declared = entry.getHosts();
      // An entry without hosts covers the Ingress's own rule hosts: the common single-host case.
      if (declared == null || declared.isEmpty()) {
        declared = ruleHosts(ingress);
      }
      Set<String> hosts = hosts(ref, declared, "spec.tls.hosts");
      out.add(new Claim(ref, created, entry.getSecretName(), hosts, redirect, hsts, null));
    }
  }

  private void proxyRouteClaim(ProxyRoute route, List<Claim> out) {
    ObjectRef ref = ObjectAge.ref(ProxyRoutePass.KIND, route);
    ProxyRouteSpec.Tls tls = route.getSpec().tls;
    List<String> declared = route.getSpec().hosts == null ? List.of() : route.getSpec().hosts;
    if (tls.secretName == null || tls.secretName.isEmpty()) {
      status.unresolved(ref, Reasons.INVALID_TLS_SECRET, "spec.tls names no secretName");
      if (tls.clientCertificate != null) {
        Set<String> hosts = hosts(ref, declared, "spec.hosts");
        hosts.forEach(h -> closeRoutes(h, ref));
        status.rejected(ref, Reasons.INVALID_TLS_SECRET, "spec.tls.clientCertificate needs "
            + "spec.tls.secretName; the routes of hosts " + hosts + " are not served");
      }
      return;
    }
    TlsPolicy.Hsts hsts = null;
    if (tls.hsts != null && tls.hsts.maxAge != null) {
      if (tls.hsts.maxAge < 0 || tls.hsts.maxAge > MAX_HSTS_MAX_AGE) {
        status.event(ref, true, Reasons.INVALID_TLS_SETTINGS,
            "spec.tls.hsts.maxAge must be between 0 and " + MAX_HSTS_MAX_AGE + "; no HSTS header");
      } else {
        hsts = new TlsPolicy.Hsts(tls.hsts.maxAge, Boolean.TRUE.equals(tls.hsts.includeSubDomains));
      }
    }
    out.add(new Claim(ref, ObjectAge.created(route.getMetadata()), tls.secretName,
        hosts(ref, declared, "spec.hosts"), !Boolean.FALSE.equals(tls.redirectHttp), hsts,
        tls.clientCertificate));
  }

  private void apply(Claim claim, Map<String, Claim> winners) {
    String secretName = claim.owner().namespace() + "/" + claim.secretName();
    Set<String> mine = new LinkedHashSet<>();
    for (String host : claim.hosts()) {
      Claim winner = winners.putIfAbsent(host, claim);
      if (winner == null) {
        mine.add(host);
      } else if (claim.clientCertificate() != null && !winner.sameClientValidation(claim)) {
        closeRoutes(host, claim.owner());
        status.rejected(claim.owner(), Reasons.TLS_CONFLICT,
            "host " + host + " takes its TLS settings from " + winner.owner() + " (the older "
                + "object wins), which does not require the same client certificates; this "
                + "ProxyRoute's routes for " + host + " are not served");
      } else if (!winner.owner().equals(claim.owner())
          && !winner.secretName().equals(claim.secretName())) {
        status.event(claim.owner(), true, Reasons.TLS_CONFLICT,
            "host " + host + " already takes its certificate from " + winner.owner()
                + " (the older object wins); TLS Secret " + secretName + " is not used for it");
      }
    }
    if (mine.isEmpty()) {
      return;
    }
    CertificateValidator.Valid valid = validate(secretName, claim.owner());
    String certificate = null;
    if (valid != null) {
      certificate = secretName;
      used.put(secretName,
          new TlsCertificate(secretName, valid.certificateChainPem(), valid.privateKeyPem()));
      for (String host : mine) {
        if (!CertificateValidator.covers(valid.dnsNames(), host)) {
          status.event(claim.owner(), true, Reasons.CERTIFICATE_HOST_MISMATCH,
              "TLS Secret " + secretName + ": the certificate does not cover host " + host
                  + " (its names: " + String.join(", ", valid.dnsNames()) + ")");
        }
      }
    }
    TlsPolicy.ClientValidation clientValidation = null;
    if (claim.clientCertificate() != null) {
      clientValidation = clientValidation(claim, mine);
      if (clientValidation == null) {
        closedHosts.addAll(mine);
      }
    }
    for (String host : mine) {
      policies.put(host,
          new TlsPolicy(certificate, claim.redirectHttp(), claim.hsts(), clientValidation));
    }
  }

  /** The client validation a claim asks for, or null (reported) when its CA is unusable. */
  private TlsPolicy.ClientValidation clientValidation(Claim claim, Set<String> hosts) {
    ProxyRouteSpec.ClientCertificate c = claim.clientCertificate();
    try {
      if (c.caSecret == null || c.caSecret.isEmpty()) {
        throw new InvalidInputException("names no Secret");
      }
      return new TlsPolicy.ClientValidation(
          caBundles.pem(claim.owner().namespace(), c.caSecret), Boolean.TRUE.equals(c.optional));
    } catch (InvalidInputException e) {
      status.rejected(claim.owner(), Reasons.INVALID_CA_SECRET,
          "spec.tls.clientCertificate.caSecret: " + e.getMessage() + "; hosts " + hosts
              + " are not served until it is fixed (client certificates are required)");
      return null;
    }
  }

  private void closeRoutes(String host, ObjectRef owner) {
    closedRoutes.computeIfAbsent(host, h -> new java.util.HashSet<>())
        .add("proxyroute/" + owner.namespace() + "/" + owner.name() + "/");
  }

  private CertificateValidator.Valid validate(String secretName, ObjectRef owner) {
    Object outcome = validated.computeIfAbsent(secretName, n -> {
      try {
        return CertificateValidator.validate(n, secrets.get(n), now, parsed);
      } catch (InvalidInputException e) {
        return e.getMessage();
      }
    });
    if (outcome instanceof String problem) {
      status.unresolved(owner, Reasons.INVALID_TLS_SECRET,
          problem + "; its hosts use the default certificate");
      return null;
    }
    return (CertificateValidator.Valid) outcome;
  }

  private String resolveDefault() {
    if (defaults.secret() != null) {
      try {
        CertificateValidator.Valid valid =
            CertificateValidator.validate(defaults.secret(), secrets.get(defaults.secret()), now, parsed);
        used.put(defaults.secret(),
            new TlsCertificate(defaults.secret(), valid.certificateChainPem(), valid.privateKeyPem()));
        return defaults.secret();
      } catch (InvalidInputException e) {
        String[] parts = defaults.secret().split("/", 2);
        status.event(new ObjectRef("Secret", parts[0], parts[1], 0, null), true,
            Reasons.INVALID_TLS_SECRET, "--default-certificate: " + e.getMessage()
                + (defaults.generated() == null ? "" : "; the generated certificate is used"));
      }
    }
    if (defaults.generated() != null) {
      used.put(defaults.generated().name(), defaults.generated());
      return defaults.generated().name();
    }
    return null;
  }

  private Set<String> hosts(ObjectRef ref, List<String> declared, String field) {
    Set<String> hosts = new LinkedHashSet<>();
    for (String host : declared) {
      if (host == null || host.isEmpty()) {
        continue;
      }
      try {
        hosts.add(HostNames.normalize(host));
      } catch (InvalidInputException e) {
        status.event(ref, true, Reasons.INVALID_TLS_SETTINGS, field + ": " + e.getMessage());
      }
    }
    return hosts;
  }

  private static List<String> ruleHosts(Ingress ingress) {
    List<String> hosts = new ArrayList<>();
    List<IngressRule> rules = ingress.getSpec().getRules();
    if (rules != null) {
      for (IngressRule rule : rules) {
        if (rule != null && rule.getHost() != null && !rule.getHost().isEmpty()) {
          hosts.add(rule.getHost());
        }
      }
    }
    return hosts;
  }

  private boolean booleanAnnotation(
      ObjectRef ref, Map<String, String> annotations, String key, boolean fallback) {
    String value = annotations.get(key);
    if (value == null) {
      return fallback;
    }
    if (value.equals("true") || value.equals("false")) {
      return Boolean.parseBoolean(value);
    }
    status.event(ref, true, Reasons.INVALID_ANNOTATION,
        "annotation " + key + " must be \"true\" or \"false\", not \"" + StatusCollector.bounded(value)
            + "\"; using " + fallback);
    return fallback;
  }

  private TlsPolicy.Hsts ingressHsts(ObjectRef ref, Map<String, String> annotations) {
    String maxAge = annotations.get(HSTS_MAX_AGE_ANNOTATION);
    if (maxAge == null) {
      return null;
    }
    long seconds;
    try {
      seconds = Long.parseLong(maxAge.trim());
    } catch (NumberFormatException e) {
      seconds = -1;
    }
    if (seconds < 0 || seconds > MAX_HSTS_MAX_AGE) {
      status.event(ref, true, Reasons.INVALID_ANNOTATION, "annotation " + HSTS_MAX_AGE_ANNOTATION
          + " must be whole seconds from 0 to " + MAX_HSTS_MAX_AGE + "; no HSTS header is sent");
      return null;
    }
    return new TlsPolicy.Hsts(
        seconds, booleanAnnotation(ref, annotations, HSTS_SUBDOMAINS_ANNOTATION, false));
  }
}
