package io.portcullis.operator.compile;

import io.portcullis.operator.crd.ActionSpec;
import io.portcullis.operator.crd.PolicySpec;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.operator.crd.ProxyRouteSpec.RouteSpec;
import io.portcullis.snapshot.CookieMatch;
import io.portcullis.snapshot.HeaderMatch;
import io.portcullis.snapshot.HeaderRewrite;
import io.portcullis.snapshot.Mirror;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.WeightedBackend;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates one ProxyRoute route and translates it into snapshot parts. Everything the API
 * server's schema should already have refused is checked again here, because local mode and old
 * CRDs skip that schema, and because a bad value must reject only its own route.
 */
final class ProxyRouteTranslator {
  /** Largest direct-response body; bigger bodies belong in a backend, not in every snapshot. */
  static final int MAX_DIRECT_RESPONSE_BODY = 64 * 1024;

  static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}");

  /** A translated route; {@code unresolved} lists backends that do not resolve (503, reported). */
  record Translated(
      RouteMatch match,
      RouteAction action,
      HeaderRewrite requestHeaders,
      HeaderRewrite responseHeaders,
      List<BackendResolver.Resolution> unresolved) {}

  private final BackendResolver backends;
  private final ClusterPolicies policies;
  private final StaticSites sites;

  ProxyRouteTranslator(BackendResolver backends, ClusterPolicies policies, StaticSites sites) {
    this.backends = backends;
    this.policies = policies;
    this.sites = sites;
  }

  Translated translate(String namespace, RouteSpec spec) throws InvalidInputException {
    RouteMatch match = match(spec.match);
    int actions =
        (spec.backends != null ? 1 : 0) + (spec.redirect != null ? 1 : 0)
            + (spec.directResponse != null ? 1 : 0) + (spec.staticContent != null ? 1 : 0);
    if (actions != 1) {
      throw new InvalidInputException(
          "needs exactly one of backends, redirect, directResponse or static (has " + actions + ")");
    }
    List<BackendResolver.Resolution> unresolved = new ArrayList<>();
    RouteAction action;
    if (spec.backends != null) {
      action = forward(namespace, spec, match.path(), unresolved);
    } else {
      if (spec.rewrite != null || spec.timeouts != null || spec.requestHeaders != null
          || spec.retries != null || spec.mirror != null || spec.loadBalancer != null
          || spec.slowStart != null || spec.healthCheck != null || spec.outlierDetection != null
          || spec.circuitBreakers != null) {
        throw new InvalidInputException("rewrite, timeouts, retries, mirror, requestHeaders and "
            + "cluster settings apply only to routes with backends");
      }
      action = spec.redirect != null ? redirect(spec.redirect)
          : spec.staticContent != null ? sites.translate(namespace, spec.staticContent, unresolved)
          : direct(spec.directResponse);
    }
    return new Translated(
        match, action, headers(spec.requestHeaders, "requestHeaders"),
        headers(spec.responseHeaders, "responseHeaders"), unresolved);
  }

  private static RouteMatch match(ProxyRouteSpec.Match match) throws InvalidInputException {
    if (match == null) {
      return RouteMatch.path(new PathMatch.Prefix("/"));
    }
    PathMatch path = path(match.path);
    List<HeaderMatch> headers = new ArrayList<>();
    if (match.headers != null) {
      for (ProxyRouteSpec.HeaderMatch h : match.headers) {
        headers.add(header(h));
      }
    }
    List<String> methods = new ArrayList<>();
    if (match.methods != null) {
      for (String m : match.methods) {
        String upper = m == null ? "" : m.toUpperCase(Locale.ROOT);
        if (!METHODS.contains(upper)) {
          throw new InvalidInputException("unknown method '" + m + "'");
        }
        methods.add(upper);
      }
    }
    return new RouteMatch(path, headers, methods, cookies(match.cookies));
  }

  private static List<CookieMatch> cookies(List<ProxyRouteSpec.CookieMatch> specs)
      throws InvalidInputException {
    List<CookieMatch> cookies = new ArrayList<>();
    if (specs != null) {
      for (ProxyRouteSpec.CookieMatch c : specs) {
        if (c == null || c.name == null || c.exact == null) {
          throw new InvalidInputException("cookie match needs a name and exact");
        }
        try {
          cookies.add(new CookieMatch(c.name, c.exact));
        } catch (IllegalArgumentException e) {
          throw new InvalidInputException(e.getMessage());
        }
      }
    }
    return cookies;
  }

  private static PathMatch path(ProxyRouteSpec.PathMatch path) throws InvalidInputException {
    if (path == null) {
      return new PathMatch.Prefix("/");
    }
    int set = (path.exact != null ? 1 : 0) + (path.prefix != null ? 1 : 0) + (path.regex != null ? 1 : 0);
    if (set != 1) {
      throw new InvalidInputException("match.path needs exactly one of exact, prefix or regex");
    }
    if (path.exact != null) {
      return PathRules.exact(path.exact);
    }
    return path.prefix != null ? PathRules.prefix(path.prefix) : PathRules.regex(path.regex);
  }

  private static HeaderMatch header(ProxyRouteSpec.HeaderMatch h) throws InvalidInputException {
    if (h == null || h.name == null || !TOKEN.matcher(h.name).matches()) {
      throw new InvalidInputException("header match needs a valid header name");
    }
    int set = (h.exact != null ? 1 : 0) + (h.prefix != null ? 1 : 0) + (h.present != null ? 1 : 0)
        + (h.regex != null ? 1 : 0);
    if (set != 1) {
      throw new InvalidInputException(
          "header match " + h.name + " needs exactly one of exact, prefix, regex or present");
    }
    if (h.regex != null) {
      return HeaderRegex.of(h.name, h.regex);
    }
    if (h.present != null) {
      if (!h.present) {
        throw new InvalidInputException(
            "header match " + h.name + ": present: false is not supported");
      }
      return new HeaderMatch(h.name, HeaderMatch.Type.PRESENT, null);
    }
    return h.exact != null
        ? new HeaderMatch(h.name, HeaderMatch.Type.EXACT, checkValue(h.name, h.exact))
        : new HeaderMatch(h.name, HeaderMatch.Type.PREFIX, checkValue(h.name, h.prefix));
  }

  private RouteAction forward(String namespace, RouteSpec spec, PathMatch path,
      List<BackendResolver.Resolution> unresolved) throws InvalidInputException {
    if (spec.backends.isEmpty()) {
      throw new InvalidInputException("backends must not be empty");
    }
    List<WeightedBackend> weighted = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    long total = 0;
    for (ProxyRouteSpec.Backend b : spec.backends) {
      if (b == null || b.service == null || b.service.isEmpty()) {
        throw new InvalidInputException("a backend needs a service");
      }
      if (b.port == null || b.port < 1 || b.port > 65535) {
        throw new InvalidInputException("backend " + b.service + " needs a port from 1 to 65535");
      }
      int weight = b.weight == null ? 1 : b.weight;
      if (weight < 0 || weight > 1_000_000) {
        throw new InvalidInputException("backend " + b.service + " weight must be 0 to 1000000");
      }
      BackendResolver.Resolution r = backends.resolve(namespace, b.service, b.port.toString(),
          policies.policy(spec, b), policies.upstream(namespace, b));
      if (!seen.add(r.cluster())) {
        throw new InvalidInputException("backend " + b.service + ":" + b.port + " is listed twice");
      }
      if (!r.ok()) {
        unresolved.add(r);
      }
      weighted.add(new WeightedBackend(r.cluster(), weight));
      total += weight;
    }
    if (total == 0) {
      throw new InvalidInputException("at least one backend needs a weight above 0");
    }
    String rewrite = null;
    if (spec.rewrite != null && spec.rewrite.pathPrefix != null) {
      if (!(path instanceof PathMatch.Prefix)) {
        throw new InvalidInputException("rewrite.pathPrefix needs a prefix path match");
      }
      if (!spec.rewrite.pathPrefix.startsWith("/")) {
        throw new InvalidInputException("rewrite.pathPrefix must start with /");
      }
      rewrite = spec.rewrite.pathPrefix;
    }
    PolicySpec.Timeouts t = spec.timeouts;
    long request = ClusterPolicies.millis(t == null ? null : t.request, "timeouts.request", 0);
    long idle = ClusterPolicies.millis(t == null ? null : t.idle, "timeouts.idle", 0);
    return new RouteAction.Forward(weighted, rewrite, request, idle,
        ClusterPolicies.retries(spec.retries, t), mirror(namespace, spec.mirror, unresolved));
  }

  /** The shadow cluster follows its Service port's appProtocol and otherwise the defaults. */
  private Mirror mirror(String namespace, PolicySpec.Mirror m,
      List<BackendResolver.Resolution> unresolved) throws InvalidInputException {
    if (m == null) {
      return null;
    }
    if (m.service == null || m.service.isEmpty() || m.port == null || m.port < 1 || m.port > 65535) {
      throw new InvalidInputException("mirror needs a service and a port from 1 to 65535");
    }
    int percent = m.percent == null ? 100 : m.percent;
    if (percent < 1 || percent > 100) {
      throw new InvalidInputException("mirror.percent must be 1 to 100");
    }
    BackendResolver.Resolution r = backends.resolve(namespace, m.service, m.port.toString());
    if (!r.ok()) {
      unresolved.add(new BackendResolver.Resolution(r.cluster(), r.reason(), "mirror: " + r.message()));
    }
    return new Mirror(r.cluster(), percent);
  }

  private static RouteAction redirect(ActionSpec.Redirect r) throws InvalidInputException {
    String host = null;
    if (r.host != null) {
      host = HostNames.normalize(r.host);
      if (host.indexOf('*') >= 0) {
        throw new InvalidInputException("redirect.host must not be a wildcard");
      }
    }
    try {
      return new RouteAction.Redirect(
          r.scheme == null ? null : r.scheme.toLowerCase(Locale.ROOT), host,
          r.port == null ? 0 : r.port, r.path, r.statusCode == null ? 302 : r.statusCode);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(e.getMessage());
    }
  }

  private static RouteAction direct(ActionSpec.DirectResponse d) throws InvalidInputException {
    if (d.status == null) {
      throw new InvalidInputException("directResponse needs a status");
    }
    if (d.body != null && d.body.length() > MAX_DIRECT_RESPONSE_BODY) {
      throw new InvalidInputException(
          "directResponse.body is longer than " + MAX_DIRECT_RESPONSE_BODY + " characters");
    }
    try {
      return new RouteAction.DirectResponse(d.status, d.body);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(e.getMessage());
    }
  }

  private static HeaderRewrite headers(ProxyRouteSpec.HeaderChanges changes, String field)
      throws InvalidInputException {
    if (changes == null) {
      return HeaderRewrite.NONE;
    }
    Map<String, String> set = changes.set == null ? Map.of() : changes.set;
    List<String> remove = changes.remove == null ? List.of() : changes.remove;
    for (Map.Entry<String, String> e : set.entrySet()) {
      if (e.getKey() == null || !TOKEN.matcher(e.getKey()).matches()) {
        throw new InvalidInputException(field + ".set: invalid header name '" + e.getKey() + "'");
      }
      checkValue(e.getKey(), e.getValue());
    }
    for (String name : remove) {
      if (name == null || !TOKEN.matcher(name).matches()) {
        throw new InvalidInputException(field + ".remove: invalid header name '" + name + "'");
      }
    }
    return new HeaderRewrite(set, remove);
  }

  /** Header values must not smuggle a line break or NUL into the proxied request or response. */
  private static String checkValue(String name, String value) throws InvalidInputException {
    if (value == null) {
      throw new InvalidInputException("header " + name + " needs a value");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        throw new InvalidInputException("header " + name + " value contains CR, LF or NUL");
      }
    }
    return value;
  }
}
