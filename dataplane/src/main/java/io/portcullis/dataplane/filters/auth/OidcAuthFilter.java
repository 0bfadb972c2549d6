package io.portcullis.dataplane.filters.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filter.ResponseAction;
import io.portcullis.dataplane.filter.SubrequestClient;
import io.portcullis.dataplane.filter.SubrequestClient.Subrequest;
import io.portcullis.dataplane.filters.auth.AuthMetrics.Result;
import io.portcullis.dataplane.filters.auth.OidcProvider.Metadata;
import io.portcullis.dataplane.filters.auth.OidcSession.Login;
import io.portcullis.snapshot.filter.JwtAuth;
import io.portcullis.snapshot.filter.OidcAuth;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * OpenID Connect relying party. A request with a valid session cookie goes upstream with the
 * chosen claims and tokens in headers (refreshing the tokens first when they are about to
 * expire); a browser without one is sent to the provider (authorization code flow, PKCE S256,
 * state and nonce in a sealed short-lived login cookie); an API client gets 401. The provider
 * sends the browser back to the callback path, where the code is exchanged for tokens (a
 * subrequest, off the event loop), the ID token is checked, and the session cookie is set.
 */
final class OidcAuthFilter implements HttpFilter {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OidcAuthFilter.class);
  private static final String MECHANISM = "oidc";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  static final AttributeKey<List<String>> SET_COOKIES =
      AttributeKey.valueOf("portcullis.oidc.setCookies");
  /** How long a login may take, from the redirect to the provider to the callback. */
  static final long LOGIN_SECONDS = 600;
  /** Tokens are refreshed this long before they expire. */
  static final long REFRESH_EARLY_SECONDS = 30;
  static final int MAX_TOKEN_ANSWER = 256 * 1024;

  private final OidcAuth config;
  private final OidcProvider provider;
  private final SessionCipher cipher;
  private final SubrequestClient client;
  private final AuthMetrics metrics;
  private final LongSupplier clockMillis;
  private final String loginCookie;
  private final JwtVerifier idTokens;
  /** States already redeemed: a replayed callback is refused even with its login cookie. */
  private final Cache<String, Boolean> usedStates = Caffeine.newBuilder()
      .maximumSize(100_000).expireAfterWrite(Duration.ofSeconds(LOGIN_SECONDS)).build();

  OidcAuthFilter(OidcAuth config, OidcProvider provider, SubrequestClient client,
      AuthMetrics metrics, LongSupplier clockMillis) {
    this.config = config;
    this.provider = provider;
    this.cipher = new SessionCipher(config.sessionKeys());
    this.client = client;
    this.metrics = metrics;
    this.clockMillis = clockMillis;
    this.loginCookie = config.cookieName() + "_login";
    // Issuer, audience (our client id) and expiry; the key set is the provider's.
    this.idTokens = new JwtVerifier(new JwtAuth(config.issuer(), List.of(config.clientId()),
        null, "{\"keys\":[]}", null, null, null, 60));
  }

  @Override
  public FilterAction onRequest(FilterContext ctx) {
    HttpHeaders headers = ctx.request().headers();
    config.claimHeaders().values().forEach(headers::remove);
    if (config.idTokenHeader() != null) {
      headers.remove(config.idTokenHeader());
    }
    if (config.accessTokenHeader() != null) {
      headers.remove(config.accessTokenHeader());
    }
    Map<String, String> cookies = ChunkedCookies.parse(headers);
    String path = ctx.head().path();
    if (path.equals(config.callbackPath())) {
      return withProvider(ctx, md -> callback(ctx, md, cookies));
    }
    if (path.equals(config.logoutPath())) {
      return FilterAction.pause(provider.metadata()
          .handle((md, error) -> md)
          .thenApplyAsync(md -> logout(ctx, md, cookies), ctx.eventLoop()));
    }
    OidcSession session = session(cookies);
    long now = nowSeconds();
    if (session != null && session.endsAt() > now) {
      if (session.accessExpiresAt() > now + REFRESH_EARLY_SECONDS
          || (session.refreshToken() == null && session.accessExpiresAt() > now)) {
        return admit(ctx, session, null);
      }
      if (session.refreshToken() != null) {
        return withProvider(ctx, md -> refresh(md, session)
            .handle((fresh, error) -> {
              if (error != null) {
                log.info("oidc refresh on route {} failed, signing in again: {}",
                    ctx.routeName(), error.toString());
              }
              return fresh;
            })
            .thenApplyAsync(fresh -> fresh == null ? signIn(ctx, md, cookies)
                : admit(ctx, fresh, sessionCookies(ctx, fresh, cookies)), ctx.eventLoop()));
      }
    }
    return withProvider(ctx, md -> CompletableFuture.completedFuture(signIn(ctx, md, cookies)));
  }

  @Override
  public ResponseAction onResponse(FilterContext ctx, HttpResponse response) {
    List<String> setCookies = ctx.attr(SET_COOKIES).getAndSet(null);
    if (setCookies != null) {
      setCookies.forEach(c -> response.headers().add(HttpHeaderNames.SET_COOKIE, c));
    }
    return ResponseAction.proceed();
  }

  /** Pauses until the provider's metadata is known, then runs {@code next} on the event loop. */
  private FilterAction withProvider(FilterContext ctx,
      java.util.function.Function<Metadata, CompletionStage<FilterAction>> next) {
    return FilterAction.pause(provider.metadata().handle((md, error) -> md)
        .thenComposeAsync(md -> {
          if (md == null) {
            metrics.record(MECHANISM, Result.UNAVAILABLE);
            return CompletableFuture.completedFuture(FilterAction.respond(
                AuthAnswers.unavailable("the identity provider cannot be reached")));
          }
          return next.apply(md);
        }, ctx.eventLoop()));
  }

  // ---- the session ----

  private OidcSession session(Map<String, String> cookies) {
    String sealed = ChunkedCookies.read(cookies, config.cookieName());
    if (sealed == null) {
      return null;
    }
    byte[] plain = cipher.open(sealed, config.cookieName());
    return plain == null ? null : OidcSession.fromJson(plain); // tampered or foreign: no session
  }

  private FilterAction admit(FilterContext ctx, OidcSession session, List<String> setCookies) {
    if (!allowed(session)) {
      metrics.record(MECHANISM, Result.FORBIDDEN);
      LocalResponse forbidden = AuthAnswers.forbidden(null);
      if (setCookies != null) {
        setCookies.forEach(c -> forbidden.headers().add(HttpHeaderNames.SET_COOKIE, c));
      }
      return FilterAction.respond(forbidden);
    }
    HttpHeaders headers = ctx.request().headers();
    config.claimHeaders().forEach((claim, header) -> {
      String value = "groups".equals(claim) || config.groupsClaim().equals(claim)
          ? String.join(",", session.groups()) : session.claims().get(claim);
      if (value != null) {
        headers.set(header, AuthAnswers.headerValue(value));
      }
    });
    if (config.idTokenHeader() != null && session.idToken() != null) {
      headers.set(config.idTokenHeader(), session.idToken());
    }
    if (config.accessTokenHeader() != null && session.accessToken() != null) {
      headers.set(config.accessTokenHeader(), config.accessTokenHeader().equals("authorization")
          ? "Bearer " + session.accessToken() : session.accessToken());
    }
    ChunkedCookies.strip(headers, config.cookieName()); // the session is ours, not the backend's
    if (setCookies != null) {
      ctx.attr(SET_COOKIES).set(setCookies);
    }
    metrics.record(MECHANISM, Result.ALLOWED);
    return FilterAction.proceed();
  }

  private boolean allowed(OidcSession session) {
    if (!config.allowedUsers().isEmpty() && !config.allowedUsers().contains(session.user())
        && !config.allowedUsers().contains(session.subject())) {
      return false;
    }
    return config.allowedGroups().isEmpty()
        || session.groups().stream().anyMatch(config.allowedGroups()::contains);
  }

  private List<String> sessionCookies(FilterContext ctx, OidcSession session,
      Map<String, String> cookies) {
    String sealed = cipher.seal(session.toJson(), config.cookieName());
    return ChunkedCookies.write(config.cookieName(), sealed, attributes(ctx),
        Math.max(0, session.endsAt() - nowSeconds()),
        ChunkedCookies.count(cookies, config.cookieName()));
  }

  // ---- signing in ----

  private FilterAction signIn(FilterContext ctx, Metadata md, Map<String, String> cookies) {
    metrics.record(MECHANISM, Result.MISSING);
    List<String> clear = ChunkedCookies.count(cookies, config.cookieName()) == 0 ? List.of()
        : ChunkedCookies.clearAll(config.cookieName(), attributes(ctx),
            ChunkedCookies.count(cookies, config.cookieName()));
    if (apiClient(ctx)) {
      LocalResponse r = AuthAnswers.unauthorized("Bearer");
      clear.forEach(c -> r.headers().add(HttpHeaderNames.SET_COOKIE, c));
      return FilterAction.respond(r);
    }
    String method = ctx.head().method();
    String returnTo = method.equals("GET") || method.equals("HEAD")
        ? ctx.head().path() + (ctx.head().query() == null ? "" : "?" + ctx.head().query()) : "/";
    Login login = new Login(random(), random(), random() + random(), returnTo, nowSeconds());
    Map<String, String> params = new LinkedHashMap<>();
    params.put("response_type", "code");
    params.put("client_id", config.clientId());
    params.put("redirect_uri", redirectUri(ctx));
    params.put("scope", String.join(" ", config.scopes()));
    params.put("state", login.state());
    params.put("nonce", login.nonce());
    params.put("code_challenge", challenge(login.verifier()));
    params.put("code_challenge_method", "S256");
    String endpoint = md.authorizationEndpoint().toString();
    LocalResponse r = redirect(endpoint + (endpoint.contains("?") ? "&" : "?") + form(params));
    clear.forEach(c -> r.headers().add(HttpHeaderNames.SET_COOKIE, c));
    r.headers().add(HttpHeaderNames.SET_COOKIE, loginCookie + "="
        + cipher.seal(login.toJson(), loginCookie) + "; Max-Age=" + LOGIN_SECONDS + attributes(ctx));
    return FilterAction.respond(r);
  }

  /** Scripts and API clients cannot follow a login redirect: they get 401. */
  private static boolean apiClient(FilterContext ctx) {
    HttpHeaders h = ctx.request().headers();
    if ("XMLHttpRequest".equalsIgnoreCase(h.get("x-requested-with"))) {
      return true;
    }
    String method = ctx.head().method();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return true;
    }
    String accept = h.get(HttpHeaderNames.ACCEPT);
    return accept != null && accept.contains("application/json") && !accept.contains("text/html");
  }

  private CompletionStage<FilterAction> callback(
      FilterContext ctx, Metadata md, Map<String, String> cookies) {
    Map<String, List<String>> query =
        new QueryStringDecoder(ctx.head().query() == null ? "" : ctx.head().query(), false)
            .parameters();
    String error = first(query, "error");
    if (error != null) {
      return done(badLogin(401, "sign-in failed at the provider: " + error));
    }
    String code = first(query, "code");
    String state = first(query, "state");
    String sealed = cookies.get(loginCookie);
    byte[] plain = sealed == null ? null : cipher.open(sealed, loginCookie);
    Login login = plain == null ? null : Login.fromJson(plain);
    if (code == null || state == null || login == null) {
      return done(badLogin(400, "no sign-in in progress (or it expired): start again"));
    }
    if (!login.state().equals(state) || nowSeconds() - login.startedAt() > LOGIN_SECONDS) {
      return done(badLogin(400, "the sign-in state does not match: start again"));
    }
    if (usedStates.asMap().putIfAbsent(state, Boolean.TRUE) != null) {
      return done(badLogin(400, "this sign-in was already completed: start again"));
    }
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "authorization_code");
    form.put("code", code);
    form.put("redirect_uri", redirectUri(ctx));
    form.put("code_verifier", login.verifier());
    return tokens(md, form)
        .thenCompose(answer -> verifyIdToken(md, answer, login.nonce())
            .thenApply(claims -> newSession(answer, claims, null)))
        .handle((session, failure) -> {
          if (failure != null) {
            log.warn("oidc sign-in on route {} failed: {}", ctx.routeName(), failure.toString());
          }
          return session;
        })
        .thenApplyAsync(session -> {
          if (session == null) {
            metrics.record(MECHANISM, Result.DENIED);
            return FilterAction.respond(LocalResponse.text(401, "sign-in failed\n"));
          }
          List<String> setCookies = new ArrayList<>(sessionCookies(ctx, session, cookies));
          setCookies.add(loginCookie + "=; Max-Age=0" + attributes(ctx));
          if (!allowed(session)) {
            metrics.record(MECHANISM, Result.FORBIDDEN);
            LocalResponse forbidden = AuthAnswers.forbidden(null);
            setCookies.forEach(c -> forbidden.headers().add(HttpHeaderNames.SET_COOKIE, c));
            return FilterAction.respond(forbidden);
          }
          metrics.record(MECHANISM, Result.ALLOWED);
          LocalResponse r = redirect(safeReturn(login.returnTo()));
          setCookies.forEach(c -> r.headers().add(HttpHeaderNames.SET_COOKIE, c));
          return FilterAction.respond(r);
        }, ctx.eventLoop());
  }

  private FilterAction badLogin(int status, String why) {
    metrics.record(MECHANISM, Result.DENIED);
    return FilterAction.respond(LocalResponse.text(status, AuthAnswers.headerValue(why) + "\n"));
  }

  /** Only a local path: the login never becomes an open redirect. */
  private static String safeReturn(String returnTo) {
    return returnTo != null && returnTo.startsWith("/") && !returnTo.startsWith("//")
        && !returnTo.startsWith("/\\") ? returnTo : "/";
  }

  private CompletionStage<OidcSession> refresh(Metadata md, OidcSession old) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "refresh_token");
    form.put("refresh_token", old.refreshToken());
    return tokens(md, form).thenCompose(answer -> {
      if (answer.path("id_token").asText(null) == null) {
        return CompletableFuture.completedFuture(newSession(answer, null, old));
      }
      return verifyIdToken(md, answer, null).thenApply(claims -> newSession(answer, claims, old));
    });
  }

  private OidcSession newSession(JsonNode answer, JWTClaimsSet claims, OidcSession old) {
    long now = nowSeconds();
    String accessToken = answer.path("access_token").asText(null);
    if (accessToken == null) {
      throw new CompletionException(new IllegalStateException("no access_token"));
    }
    long expiresIn = answer.path("expires_in").asLong(0);
    String refreshToken = answer.path("refresh_token").asText(old == null ? null : old.refreshToken());
    String idToken = answer.path("id_token").asText(old == null ? null : old.idToken());
    if (claims == null) {
      return new OidcSession(old.subject(), old.user(), old.groups(), old.claims(), idToken,
          accessToken, refreshToken, now + (expiresIn > 0 ? expiresIn : 300), old.endsAt());
    }
    Map<String, String> strings = new TreeMap<>();
    claims.getClaims().forEach((name, value) -> {
      if (value instanceof String s && config.claimHeaders().containsKey(name)) {
        strings.put(name, s);
      }
    });
    List<String> groups = new ArrayList<>();
    Object g = claims.getClaim(config.groupsClaim());
    if (g instanceof List<?> list) {
      list.forEach(v -> groups.add(String.valueOf(v)));
    } else if (g instanceof String s) {
      groups.add(s);
    }
    String user = firstNonNull(claim(claims, "email"), claim(claims, "preferred_username"),
        claims.getSubject());
    long exp = expiresIn > 0 ? now + expiresIn : claims.getExpirationTime().getTime() / 1000;
    return new OidcSession(claims.getSubject(), user, groups, strings, idToken, accessToken,
        refreshToken, exp, old == null ? now + config.sessionMaxAgeSeconds() : old.endsAt());
  }

  private CompletionStage<JWTClaimsSet> verifyIdToken(Metadata md, JsonNode answer, String nonce) {
    String token = answer.path("id_token").asText(null);
    SignedJWT jwt = token == null ? null : JwtVerifier.parse(token);
    if (jwt == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("no signed id_token"));
    }
    JwtVerifier.Verdict first = idTokens.verify(jwt, md.keys().current());
    CompletionStage<JwtVerifier.Verdict> verdict = first instanceof JwtVerifier.UnknownKey
        ? md.keys().refresh().thenApply(keys -> idTokens.verify(jwt, keys))
        : CompletableFuture.completedFuture(first);
    return verdict.thenApply(v -> {
      if (!(v instanceof JwtVerifier.Valid valid)) {
        throw new CompletionException(new IllegalStateException("id_token rejected: " + v));
      }
      if (nonce != null && !nonce.equals(claim(valid.claims(), "nonce"))) {
        throw new CompletionException(new IllegalStateException("id_token nonce mismatch"));
      }
      return valid.claims();
    });
  }

  private CompletionStage<JsonNode> tokens(Metadata md, Map<String, String> form) {
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded");
    headers.set(HttpHeaderNames.ACCEPT, "application/json");
    headers.set(HttpHeaderNames.AUTHORIZATION, "Basic " + Base64.getEncoder().encodeToString(
        (encode(config.clientId()) + ":" + encode(config.clientSecret()))
            .getBytes(StandardCharsets.UTF_8)));
    return client.send(new Subrequest("POST", md.tokenEndpoint(), headers,
            form(form).getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10), MAX_TOKEN_ANSWER))
        .thenApply(response -> {
          if (response.status() != 200) {
            throw new CompletionException(new IllegalStateException(
                "token endpoint answered " + response.status()));
          }
          try {
            return JSON.readTree(response.body());
          } catch (java.io.IOException e) {
            throw new CompletionException(e);
          }
        });
  }

  // ---- signing out ----

  private FilterAction logout(FilterContext ctx, Metadata md, Map<String, String> cookies) {
    OidcSession session = session(cookies);
    List<String> clear = new ArrayList<>(ChunkedCookies.clearAll(config.cookieName(),
        attributes(ctx), ChunkedCookies.count(cookies, config.cookieName())));
    clear.add(loginCookie + "=; Max-Age=0" + attributes(ctx));
    LocalResponse r;
    if (md != null && md.endSessionEndpoint() != null && session != null
        && session.idToken() != null) {
      Map<String, String> params = new LinkedHashMap<>();
      params.put("id_token_hint", session.idToken());
      params.put("client_id", config.clientId());
      if (config.postLogoutRedirectUri() != null) {
        params.put("post_logout_redirect_uri", config.postLogoutRedirectUri());
      }
      String endpoint = md.endSessionEndpoint().toString();
      r = redirect(endpoint + (endpoint.contains("?") ? "&" : "?") + form(params));
    } else if (config.postLogoutRedirectUri() != null) {
      r = redirect(config.postLogoutRedirectUri());
    } else {
      r = LocalResponse.text(200, "signed out\n");
    }
    clear.forEach(c -> r.headers().add(HttpHeaderNames.SET_COOKIE, c));
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return FilterAction.respond(r);
  }

  // ---- helpers ----

  private String redirectUri(FilterContext ctx) {
    return scheme(ctx) + "://" + host(ctx) + config.callbackPath();
  }

  private String scheme(FilterContext ctx) {
    if (config.trustForwardedHeaders()) {
      String proto = firstValue(ctx.request().headers().get("x-forwarded-proto"));
      if ("https".equalsIgnoreCase(proto) || "http".equalsIgnoreCase(proto)) {
        return proto.toLowerCase(java.util.Locale.ROOT);
      }
    }
    return ctx.head().scheme();
  }

  private String host(FilterContext ctx) {
    if (config.trustForwardedHeaders()) {
      String host = firstValue(ctx.request().headers().get("x-forwarded-host"));
      if (host != null && !host.isEmpty()) {
        return host;
      }
    }
    String host = ctx.head().host();
    return host == null ? ctx.request().headers().get(HttpHeaderNames.HOST) : host;
  }

  private static String firstValue(String header) {
    if (header == null) {
      return null;
    }
    int comma = header.indexOf(',');
    return (comma < 0 ? header : header.substring(0, comma)).trim();
  }

  private String attributes(FilterContext ctx) {
    return "; Path=/; HttpOnly; SameSite=Lax" + ("https".equals(scheme(ctx)) ? "; Secure" : "");
  }

  private static LocalResponse redirect(String location) {
    LocalResponse r = LocalResponse.empty(302);
    r.headers().set(HttpHeaderNames.LOCATION, location);
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return r;
  }

  private static CompletionStage<FilterAction> done(FilterAction action) {
    return CompletableFuture.completedFuture(action);
  }

  private long nowSeconds() {
    return clockMillis.getAsLong() / 1000;
  }

  private static String random() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String challenge(String verifier) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String form(Map<String, String> params) {
    StringBuilder sb = new StringBuilder();
    params.forEach((k, v) -> {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(encode(k)).append('=').append(encode(v));
    });
    return sb.toString();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String first(Map<String, List<String>> query, String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static String claim(JWTClaimsSet claims, String name) {
    Object v = claims.getClaim(name);
    return v instanceof String s ? s : null;
  }

  @SafeVarargs
  private static <T> T firstNonNull(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }
}
