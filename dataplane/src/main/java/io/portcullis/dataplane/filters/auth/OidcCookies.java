package io.portcullis.dataplane.filters.auth;

import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filters.auth.OidcSession.Login;
import io.portcullis.snapshot.filter.OidcAuth;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The two sealed cookies the relying party keeps in the browser: the session (possibly in
 * several chunks, see {@link ChunkedCookies}) and the short-lived login cookie holding a sign-in
 * in progress. Sealing binds each value to its cookie name, so neither can stand in for the
 * other.
 */
final class OidcCookies {
  private final SessionCipher cipher;
  private final OidcRequestOrigin origin;
  private final LongSupplier nowSeconds;
  private final String sessionCookie;
  private final String loginCookie;

  OidcCookies(OidcAuth config, OidcRequestOrigin origin, LongSupplier nowSeconds) {
    this.cipher = new SessionCipher(config.sessionKeys());
    this.origin = origin;
    this.nowSeconds = nowSeconds;
    this.sessionCookie = config.cookieName();
    this.loginCookie = config.cookieName() + "_login";
  }

  // ---- the session ----

  /** The request's session, or null when it has none or one we did not seal. */
  OidcSession session(Map<String, String> cookies) {
    String sealed = ChunkedCookies.read(cookies, sessionCookie);
    if (sealed == null) {
      return null;
    }
    byte[] plain = cipher.open(sealed, sessionCookie);
    return plain == null ? null : OidcSession.fromJson(plain); // tampered or foreign: no session
  }

  /** Set-Cookie values storing {@code session} until it ends, replacing the request's chunks. */
  List<String> writeSession(FilterContext ctx, OidcSession session, Map<String, String> cookies) {
    String sealed = cipher.seal(session.toJson(), sessionCookie);
    return ChunkedCookies.write(sessionCookie, sealed, origin.cookieAttributes(ctx),
        Math.max(0, session.endsAt() - nowSeconds.getAsLong()),
        ChunkedCookies.count(cookies, sessionCookie));
  }

  /** Set-Cookie values removing the request's session chunks (at least the first, always). */
  List<String> clearSession(FilterContext ctx, Map<String, String> cookies) {
    return ChunkedCookies.clearAll(sessionCookie, origin.cookieAttributes(ctx),
        ChunkedCookies.count(cookies, sessionCookie));
  }

  /** Like {@link #clearSession}, but nothing when the request carries no session cookie. */
  List<String> clearStaleSession(FilterContext ctx, Map<String, String> cookies) {
    return ChunkedCookies.count(cookies, sessionCookie) == 0 ? List.of()
        : clearSession(ctx, cookies);
  }

  // ---- the login in progress ----

  /** The Set-Cookie value holding {@code login} for as long as a sign-in may take. */
  String writeLogin(FilterContext ctx, Login login) {
    return loginCookie + "=" + cipher.seal(login.toJson(), loginCookie)
        + "; Max-Age=" + OidcSignIn.LOGIN_SECONDS + origin.cookieAttributes(ctx);
  }

  /** The request's login in progress, or null when it has none or one we did not seal. */
  Login login(Map<String, String> cookies) {
    String sealed = cookies.get(loginCookie);
    byte[] plain = sealed == null ? null : cipher.open(sealed, loginCookie);
    return plain == null ? null : Login.fromJson(plain);
  }

  /** The Set-Cookie value removing the login cookie. */
  String clearLogin(FilterContext ctx) {
    return loginCookie + "=; Max-Age=0" + origin.cookieAttributes(ctx);
  }
}
