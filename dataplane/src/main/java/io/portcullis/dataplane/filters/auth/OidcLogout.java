package io.portcullis.dataplane.filters.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filters.auth.OidcProvider.Metadata;
import io.portcullis.snapshot.filter.OidcAuth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The logout path: our cookies are cleared, and the browser goes on to the provider's end-session
 * endpoint (RP-initiated logout) so the provider's session ends too; failing that, to the
 * post-logout page, or it is told it is signed out.
 */
final class OidcLogout {
  private final OidcAuth config;
  private final OidcCookies cookies;

  OidcLogout(OidcAuth config, OidcCookies cookies) {
    this.config = config;
    this.cookies = cookies;
  }

  /**
   * The answer to a logout request. {@code md} is null when the provider cannot be reached: a
   * user must still be able to sign out of this site.
   */
  FilterAction handle(FilterContext ctx, Metadata md, Map<String, String> requestCookies) {
    OidcSession session = cookies.session(requestCookies);
    List<String> clear = new ArrayList<>(cookies.clearSession(ctx, requestCookies));
    clear.add(cookies.clearLogin(ctx));
    LocalResponse r;
    if (md != null && md.endSessionEndpoint() != null && session != null
        && session.idToken() != null) {
      Map<String, String> params = new LinkedHashMap<>();
      params.put("id_token_hint", session.idToken());
      params.put("client_id", config.clientId());
      if (config.postLogoutRedirectUri() != null) {
        params.put("post_logout_redirect_uri", config.postLogoutRedirectUri());
      }
      r = AuthAnswers.redirect(UrlForms.withQuery(md.endSessionEndpoint().toString(), params));
    } else if (config.postLogoutRedirectUri() != null) {
      r = AuthAnswers.redirect(config.postLogoutRedirectUri());
    } else {
      r = LocalResponse.text(200, "signed out\n");
    }
    clear.forEach(c -> r.headers().add(HttpHeaderNames.SET_COOKIE, c));
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return FilterAction.respond(r);
  }
}
