package io.portcullis.operator.compile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.portcullis.operator.crd.AuthSpec;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.snapshot.HeaderRewrite;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.VirtualHost;
import io.portcullis.snapshot.filter.AuthMechanism;
import io.portcullis.snapshot.filter.AuthPolicy;
import io.portcullis.snapshot.filter.BasicAuth;
import io.portcullis.snapshot.filter.ExternalAuth;
import io.portcullis.snapshot.filter.FilterConfig;
import io.portcullis.snapshot.filter.JwtAuth;
import io.portcullis.snapshot.filter.OidcAuth;
import io.portcullis.snapshot.filter.UnusableAuth;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Authentication: ProxyRoute {@code auth} (spec-wide, or per route replacing it) and the Ingress
 * annotations {@code portcullis.io/auth-type: basic} with {@code auth-secret} and {@code
 * auth-realm}, or {@code portcullis.io/auth-url} with {@code auth-response-headers}. Secrets are
 * read here and their content travels in the snapshot. Runs after the route table, like the TLS
 * pass, and attaches an {@link AuthPolicy} to each route by the name the route passes gave it.
 *
 * <p>Authentication that cannot be used fails closed: the route stays (dropping it could let a
 * less specific route without authentication answer) and carries {@link UnusableAuth}, which
 * answers 503; the object is told why in a condition (ProxyRoute) or an Event (Ingress).
 */
final class AuthPass {
  static final String AUTH_TYPE = "portcullis.io/auth-type";
  static final String AUTH_SECRET = "portcullis.io/auth-secret";
  static final String AUTH_REALM = "portcullis.io/auth-realm";
  /** {@code auth-file} (default: htpasswd lines under key {@code auth}) or {@code auth-map}. */
  static final String AUTH_SECRET_TYPE = "portcullis.io/auth-secret-type";
  static final String AUTH_URL = "portcullis.io/auth-url";
  static final String AUTH_RESPONSE_HEADERS = "portcullis.io/auth-response-headers";
  /** The htpasswd key of a basic-auth Secret (as ingress-nginx). */
  static final String HTPASSWD_KEY = "auth";
  /** The key set key of a JWT Secret. */
  static final String JWKS_KEY = "jwks";
  static final String DEFAULT_REALM = "Authentication Required";
  static final String DEFAULT_USER_HEADER = "x-remote-user";
  static final long DEFAULT_EXTERNAL_TIMEOUT_MILLIS = 2000;
  static final long DEFAULT_CLOCK_SKEW_MILLIS = 60_000;
  static final List<String> DEFAULT_EXTERNAL_HEADERS = List.of("authorization", "cookie");
  static final long DEFAULT_SESSION_MILLIS = 12 * 3_600_000L;
  /** The keys of an OIDC session Secret: the key that seals, and one that still opens. */
  static final String SESSION_KEY = "session-key";
  static final String PREVIOUS_SESSION_KEY = "previous-session-key";
  /** Largest htpasswd or key set taken into the snapshot. */
  static final int MAX_SECRET_BYTES = 256 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Secret> secrets = new HashMap<>();
  private final StatusCollector status;
  /** Route name prefix ({@code proxyroute/ns/name/id/}, {@code ingress/ns/name/}) to its policy. */
  private final Map<String, AuthPolicy> byRoutePrefix = new HashMap<>();
  /** Routes for OIDC callback and logout paths that no route of their object covers. */
  private final List<RouteCandidate> endpointRoutes = new ArrayList<>();

  AuthPass(List<Secret> secretList, StatusCollector status) {
    for (Secret s : secretList) {
      secrets.put(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(), s);
    }
    this.status = status;
  }

  void run(List<Ingress> ingresses, List<ProxyRoute> proxyRoutes) {
    for (Ingress ingress : ingresses) {
      Map<String, String> annotations = ingress.getMetadata().getAnnotations();
      if (annotations == null || (!annotations.containsKey(AUTH_TYPE)
          && !annotations.containsKey(AUTH_URL))) {
        continue;
      }
      ObjectRef ref = ObjectAge.ref(IngressPass.KIND, ingress);
      AuthMechanism mechanism;
      try {
        mechanism = fromAnnotations(ref.namespace(), annotations);
      } catch (InvalidInputException e) {
        status.event(ref, true, e.reasonOr(Reasons.INVALID_AUTH), "authentication annotations: "
            + e.getMessage() + "; every path of this Ingress answers 503 until this is fixed");
        mechanism = new UnusableAuth(e.getMessage());
      }
      byRoutePrefix.put("ingress/" + ref.namespace() + "/" + ref.name() + "/",
          new AuthPolicy(mechanism));
    }
    for (ProxyRoute route : proxyRoutes) {
      ProxyRouteSpec spec = route.getSpec();
      if (spec == null || spec.routes == null) {
        continue;
      }
      ObjectRef ref = ObjectAge.ref(ProxyRoutePass.KIND, route);
      AuthPolicy specWide = spec.auth == null ? null : translate(ref, "spec.auth", spec.auth);
      for (int i = 0; i < spec.routes.size(); i++) {
        ProxyRouteSpec.RouteSpec r = spec.routes.get(i);
        if (r == null) {
          continue;
        }
        String id = r.name == null ? Integer.toString(i) : r.name;
        AuthPolicy policy = r.auth == null ? specWide : translate(ref, "route " + id + ": auth", r.auth);
        if (policy != null) {
          byRoutePrefix.put(
              "proxyroute/" + ref.namespace() + "/" + ref.name() + "/" + id + "/", policy);
        }
      }
      oidcEndpoints(ref, route, specWide);
    }
  }

  /**
   * The sign-in callback and logout paths must reach the OIDC filter even when no route of the
   * ProxyRoute covers them (its routes serve {@code /app} only, say): for each such path an exact
   * route carrying the policy is added on the object's hosts. The filter always answers those
   * paths, so the route's own action is never used.
   */
  private void oidcEndpoints(ObjectRef ref, ProxyRoute route, AuthPolicy specWide) {
    ProxyRouteSpec spec = route.getSpec();
    Map<String, AuthPolicy> needed = new LinkedHashMap<>();
    for (int i = 0; i < spec.routes.size(); i++) {
      ProxyRouteSpec.RouteSpec r = spec.routes.get(i);
      if (r == null) {
        continue;
      }
      String id = r.name == null ? Integer.toString(i) : r.name;
      AuthPolicy policy = byRoutePrefix.get(
          "proxyroute/" + ref.namespace() + "/" + ref.name() + "/" + id + "/");
      if (policy != null && policy.mechanism() instanceof OidcAuth oidc) {
        needed.putIfAbsent(oidc.callbackPath(), policy);
        needed.putIfAbsent(oidc.logoutPath(), policy);
      }
    }
    needed.keySet().removeIf(path -> spec.routes.stream().anyMatch(r -> covers(r, path)));
    if (needed.isEmpty() || spec.hosts == null) {
      return;
    }
    java.time.Instant created = ObjectAge.created(route.getMetadata());
    int ordinal = spec.routes.size();
    for (Map.Entry<String, AuthPolicy> e : needed.entrySet()) {
      String id = "oidc" + e.getKey().replace('/', '-');
      for (String declared : spec.hosts) {
        String host;
        try {
          host = HostNames.normalize(declared);
        } catch (InvalidInputException ex) {
          continue; // reported by the ProxyRoute pass
        }
        Route endpoint = new Route(
            "proxyroute/" + ref.namespace() + "/" + ref.name() + "/" + id + "/" + host,
            RouteMatch.path(new PathMatch.Exact(e.getKey())),
            new RouteAction.DirectResponse(404, null), HeaderRewrite.NONE, HeaderRewrite.NONE,
            List.of(e.getValue()));
        endpointRoutes.add(new RouteCandidate(host, endpoint, ref, created, ordinal++,
            "OpenID Connect endpoint " + e.getKey()));
      }
    }
  }

  /** True when route {@code r} (any method, any headers) matches {@code path} by prefix. */
  private static boolean covers(ProxyRouteSpec.RouteSpec r, String path) {
    if (r == null || r.backends == null) {
      return false;
    }
    if (r.match == null) {
      return true;
    }
    if ((r.match.headers != null && !r.match.headers.isEmpty())
        || (r.match.methods != null && !r.match.methods.isEmpty())) {
      return false;
    }
    if (r.match.path == null) {
      return true;
    }
    String prefix = r.match.path.prefix;
    if (prefix == null) {
      return path.equals(r.match.path.exact);
    }
    String p = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    return p.isEmpty() || path.equals(p) || path.startsWith(p + "/");
  }

  /** Adds the OIDC endpoint routes to the route table (before it is built). */
  void addRoutes(RouteTable table) {
    endpointRoutes.forEach(table::add);
  }

  /** The virtual hosts with each protected route carrying its policy. */
  List<VirtualHost> attach(List<VirtualHost> virtualHosts) {
    if (byRoutePrefix.isEmpty()) {
      return virtualHosts;
    }
    List<VirtualHost> out = new ArrayList<>(virtualHosts.size());
    for (VirtualHost vhost : virtualHosts) {
      List<Route> routes = new ArrayList<>(vhost.routes().size());
      for (Route route : vhost.routes()) {
        AuthPolicy policy = byRoutePrefix.get(prefix(route.name()));
        if (policy == null) {
          routes.add(route);
        } else {
          List<FilterConfig> filters = new ArrayList<>(route.filters());
          filters.removeIf(f -> f instanceof AuthPolicy);
          filters.add(policy);
          routes.add(route.withFilters(filters));
        }
      }
      out.add(new VirtualHost(vhost.host(), routes, vhost.tls(), vhost.filters()));
    }
    return out;
  }

  /** {@code proxyroute/ns/name/id/} or {@code ingress/ns/name/} of a route name; else the name. */
  private static String prefix(String routeName) {
    int parts = routeName.startsWith("proxyroute/") ? 4 : routeName.startsWith("ingress/") ? 3 : 0;
    int at = -1;
    for (int i = 0; i < parts; i++) {
      at = routeName.indexOf('/', at + 1);
      if (at < 0) {
        return routeName;
      }
    }
    return parts == 0 ? routeName : routeName.substring(0, at + 1);
  }

  private AuthPolicy translate(ObjectRef ref, String where, AuthSpec spec) {
    try {
      return new AuthPolicy(mechanism(ref.namespace(), spec));
    } catch (InvalidInputException e) {
      String message = where + ": " + e.getMessage() + "; answering 503 until this is fixed";
      if (Reasons.INVALID_AUTH_SECRET.equals(e.reasonOr(Reasons.INVALID_AUTH))) {
        status.unresolved(ref, Reasons.INVALID_AUTH_SECRET, message);
      } else {
        status.rejected(ref, Reasons.INVALID_AUTH, message);
      }
      return new AuthPolicy(new UnusableAuth(e.getMessage()));
    }
  }

  private AuthMechanism mechanism(String namespace, AuthSpec spec) throws InvalidInputException {
    int set = (spec.basic != null ? 1 : 0) + (spec.external != null ? 1 : 0)
        + (spec.jwt != null ? 1 : 0) + (spec.oidc != null ? 1 : 0);
    if (set != 1) {
      throw new InvalidInputException(
          "needs exactly one of basic, external, jwt or oidc (has " + set + ")");
    }
    try {
      if (spec.basic != null) {
        return basic(namespace, spec.basic.secret, spec.basic.realm, spec.basic.userHeader);
      }
      if (spec.external != null) {
        return external(spec.external);
      }
      if (spec.oidc != null) {
        return oidc(namespace, spec.oidc);
      }
      return jwt(namespace, spec.jwt);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(e.getMessage());
    }
  }

  private AuthMechanism fromAnnotations(String namespace, Map<String, String> annotations)
      throws InvalidInputException {
    String type = annotations.get(AUTH_TYPE);
    String url = annotations.get(AUTH_URL);
    if (type != null && url != null) {
      throw new InvalidInputException(AUTH_TYPE + " and " + AUTH_URL + " exclude each other");
    }
    try {
      if (url != null) {
        AuthSpec.External external = new AuthSpec.External();
        external.url = url.trim();
        String headers = annotations.get(AUTH_RESPONSE_HEADERS);
        external.responseHeaders = headers == null ? null
            : Arrays.stream(headers.split(",")).map(String::trim).filter(h -> !h.isEmpty()).toList();
        return external(external);
      }
      if (!"basic".equals(type.trim())) {
        throw new InvalidInputException(
            AUTH_TYPE + ": \"" + StatusCollector.bounded(type) + "\" is not supported (basic)");
      }
      String secret = annotations.get(AUTH_SECRET);
      if (secret == null || secret.isBlank()) {
        throw new InvalidInputException(AUTH_TYPE + ": basic needs " + AUTH_SECRET);
      }
      String secretType = annotations.getOrDefault(AUTH_SECRET_TYPE, "auth-file").trim();
      if (secretType.equals("auth-map")) {
        return basicFromMap(namespace, secret.trim(), annotations.get(AUTH_REALM));
      }
      if (!secretType.equals("auth-file")) {
        throw new InvalidInputException(AUTH_SECRET_TYPE + ": \"" + StatusCollector.bounded(secretType)
            + "\" is not auth-file or auth-map");
      }
      return basic(namespace, secret.trim(), annotations.get(AUTH_REALM), null);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(e.getMessage());
    }
  }

  /** ingress-nginx's {@code auth-map}: one key per user, the hash its value. */
  private BasicAuth basicFromMap(String namespace, String secretName, String realm)
      throws InvalidInputException {
    Secret secret = secrets.get(namespace + "/" + secretName);
    if (secret == null) {
      throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET,
          "Secret " + namespace + "/" + secretName + " not found");
    }
    java.util.Set<String> users = new java.util.TreeSet<>();
    if (secret.getData() != null) {
      users.addAll(secret.getData().keySet());
    }
    if (secret.getStringData() != null) {
      users.addAll(secret.getStringData().keySet());
    }
    StringBuilder htpasswd = new StringBuilder();
    for (String user : users) {
      htpasswd.append(user).append(':')
          .append(secretText(namespace, secretName, user).trim()).append('\n');
    }
    return users(namespace, secretName, htpasswd.toString(), realm, null);
  }

  private BasicAuth basic(String namespace, String secretName, String realm, String userHeader)
      throws InvalidInputException {
    return users(namespace, secretName, secretText(namespace, secretName, HTPASSWD_KEY), realm,
        userHeader);
  }

  private BasicAuth users(
      String namespace, String secretName, String htpasswd, String realm, String userHeader)
      throws InvalidInputException {
    Map<String, String> users = new LinkedHashMap<>();
    List<String> refused = new ArrayList<>();
    for (String line : htpasswd.split("\r?\n")) {
      String trimmed = line.trim();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      int colon = trimmed.indexOf(':');
      if (colon <= 0) {
        throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET, "Secret " + namespace + "/"
            + secretName + ": a line of " + HTPASSWD_KEY + " is not user:hash");
      }
      String user = trimmed.substring(0, colon);
      String hash = trimmed.substring(colon + 1);
      if (BasicAuth.supportedHash(hash)) {
        users.put(user, hash);
      } else {
        refused.add(user + " (" + scheme(hash) + ")");
      }
    }
    if (!refused.isEmpty()) {
      throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET, "Secret " + namespace + "/"
          + secretName + ": refused password hashes for " + String.join(", ", refused)
          + "; use bcrypt (htpasswd -B) or SHA-256/512 crypt");
    }
    if (users.isEmpty()) {
      throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET,
          "Secret " + namespace + "/" + secretName + ": " + HTPASSWD_KEY + " holds no users");
    }
    return new BasicAuth(realm == null || realm.isBlank() ? DEFAULT_REALM : realm.trim(), users,
        userHeader == null ? DEFAULT_USER_HEADER : userHeader);
  }

  /** The name of a hash scheme we refuse, for the message. */
  private static String scheme(String hash) {
    if (hash.startsWith("$apr1$") || hash.startsWith("$1$")) {
      return "MD5";
    }
    if (hash.startsWith("{SHA}")) {
      return "unsalted SHA-1";
    }
    return hash.startsWith("$") ? "unsupported scheme" : "plain text or DES crypt";
  }

  private static ExternalAuth external(AuthSpec.External e) throws InvalidInputException {
    if (e.url == null || !(e.url.startsWith("http://") || e.url.startsWith("https://"))) {
      throw new InvalidInputException("external auth needs an http or https url");
    }
    return new ExternalAuth(e.url,
        e.requestHeaders == null ? DEFAULT_EXTERNAL_HEADERS : e.requestHeaders,
        e.responseHeaders,
        ClusterPolicies.millis(e.timeout, "external.timeout", DEFAULT_EXTERNAL_TIMEOUT_MILLIS),
        Boolean.TRUE.equals(e.failOpen) ? ExternalAuth.OnError.ALLOW : ExternalAuth.OnError.DENY,
        e.maxRequestBodyBytes == null ? 0 : e.maxRequestBodyBytes,
        ClusterPolicies.millis(e.cacheDuration, "external.cacheDuration", 0));
  }

  private JwtAuth jwt(String namespace, AuthSpec.Jwt j) throws InvalidInputException {
    if ((j.jwksUri == null) == (j.jwksSecret == null)) {
      throw new InvalidInputException("jwt needs exactly one of jwksUri and jwksSecret");
    }
    String jwks = null;
    if (j.jwksSecret != null) {
      jwks = secretText(namespace, j.jwksSecret, JWKS_KEY);
      try {
        JsonNode keys = JSON.readTree(jwks).get("keys");
        if (keys == null || !keys.isArray() || keys.isEmpty()) {
          throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET, "Secret " + namespace + "/"
              + j.jwksSecret + ": " + JWKS_KEY + " holds no \"keys\"");
        }
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET, "Secret " + namespace + "/"
            + j.jwksSecret + ": " + JWKS_KEY + " is not JSON");
      }
    }
    List<JwtAuth.TokenSource> sources = new ArrayList<>();
    if (j.tokenFrom != null) {
      for (AuthSpec.TokenSource t : j.tokenFrom) {
        int set = (t.header != null ? 1 : 0) + (t.cookie != null ? 1 : 0)
            + (t.queryParameter != null ? 1 : 0);
        if (set != 1) {
          throw new InvalidInputException(
              "a token source needs exactly one of header, cookie or queryParameter");
        }
        sources.add(t.header != null ? new JwtAuth.TokenSource(JwtAuth.TokenSource.From.HEADER, t.header)
            : t.cookie != null ? new JwtAuth.TokenSource(JwtAuth.TokenSource.From.COOKIE, t.cookie)
            : new JwtAuth.TokenSource(JwtAuth.TokenSource.From.QUERY, t.queryParameter));
      }
    }
    long skew = ClusterPolicies.millis(j.clockSkew, "jwt.clockSkew", DEFAULT_CLOCK_SKEW_MILLIS);
    return new JwtAuth(j.issuer, j.audiences, j.jwksUri, jwks, sources, j.requiredClaims,
        j.claimHeaders, skew / 1000);
  }

  private OidcAuth oidc(String namespace, AuthSpec.Oidc o) throws InvalidInputException {
    if (o.clientSecret == null || o.clientSecret.name == null || o.clientSecret.key == null) {
      throw new InvalidInputException("oidc.clientSecret needs a name and a key");
    }
    if (o.issuer == null || o.clientId == null) {
      throw new InvalidInputException("oidc needs an issuer and a clientId");
    }
    String clientSecret = secretText(namespace, o.clientSecret.name, o.clientSecret.key).trim();
    List<String> keys = new ArrayList<>();
    if (o.sessionSecret != null) {
      keys.add(sessionKey(namespace, o.sessionSecret, SESSION_KEY, true));
      String previous = sessionKey(namespace, o.sessionSecret, PREVIOUS_SESSION_KEY, false);
      if (previous != null) {
        keys.add(previous);
      }
    } else {
      keys.add(derivedSessionKey(clientSecret, namespace, o.clientId));
    }
    long sessionMillis = ClusterPolicies.millis(o.sessionDuration, "oidc.sessionDuration",
        DEFAULT_SESSION_MILLIS);
    if (sessionMillis < 60_000) {
      throw new InvalidInputException("oidc.sessionDuration must be at least 1m");
    }
    return new OidcAuth(o.issuer, o.clientId, clientSecret, o.scopes,
        o.callbackPath == null ? "/oauth2/callback" : o.callbackPath,
        o.logoutPath == null ? "/oauth2/logout" : o.logoutPath, o.postLogoutRedirectUri, keys,
        o.cookieName == null ? "_portcullis_session" : o.cookieName, sessionMillis / 1000,
        o.allowedUsers, o.allowedGroups, o.groupsClaim, o.claimHeaders, o.idTokenHeader,
        o.accessTokenHeader, Boolean.TRUE.equals(o.trustForwardedHeaders));
  }

  private String sessionKey(String namespace, String secret, String key, boolean required)
      throws InvalidInputException {
    Secret s = secrets.get(namespace + "/" + secret);
    boolean present = s != null && ((s.getData() != null && s.getData().containsKey(key))
        || (s.getStringData() != null && s.getStringData().containsKey(key)));
    if (!required && !present) {
      return null;
    }
    String value = secretText(namespace, secret, key).trim();
    try {
      if (Base64.getDecoder().decode(value).length != 32) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET, "Secret " + namespace + "/"
          + secret + ": " + key + " must be 32 random bytes in base64 (openssl rand -base64 32)");
    }
    return value;
  }

  /**
   * A session key for routes that name no session Secret: derived from the client secret (which
   * only the operator, the dataplanes and the provider know), so every dataplane agrees on it and
   * rotating the client secret rotates it.
   */
  static String derivedSessionKey(String clientSecret, String namespace, String clientId) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(
          clientSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return Base64.getEncoder().encodeToString(mac.doFinal(
          ("portcullis oidc session key v1\0" + namespace + "\0" + clientId)
              .getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The text under {@code key} of Secret {@code namespace/name} (data, or stringData in local mode). */
  private String secretText(String namespace, String name, String key) throws InvalidInputException {
    String full = namespace + "/" + name;
    Secret secret = secrets.get(full);
    if (secret == null) {
      throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET, "Secret " + full + " not found");
    }
    String b64 = secret.getData() == null ? null : secret.getData().get(key);
    String text;
    if (b64 != null && !b64.isEmpty()) {
      try {
        text = new String(Base64.getMimeDecoder().decode(b64), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET,
            "Secret " + full + ": " + key + " is not base64");
      }
    } else {
      text = secret.getStringData() == null ? null : secret.getStringData().get(key);
    }
    if (text == null || text.isBlank()) {
      throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET,
          "Secret " + full + " has no key " + key);
    }
    if (text.length() > MAX_SECRET_BYTES) {
      throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET,
          "Secret " + full + ": " + key + " is larger than " + MAX_SECRET_BYTES + " bytes");
    }
    return text;
  }
}
