package io.portcullis.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/**
 * Authentication of a ProxyRoute ({@code spec.auth}: every route of it) or of one route ({@code
 * routes[].auth}, replacing the spec's): exactly one mechanism. A route whose authentication
 * cannot be used (a missing Secret, say) answers 503 and says why in a condition: it never serves
 * unauthenticated.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "(has(self.basic) ? 1 : 0) + (has(self.external) ? 1 : 0)"
    + " + (has(self.jwt) ? 1 : 0) + (has(self.oidc) ? 1 : 0) == 1",
    message = "auth needs exactly one of basic, external, jwt or oidc")
public class AuthSpec {
  @JsonPropertyDescription("HTTP Basic authentication against an htpasswd Secret.")
  public Basic basic;
  @JsonPropertyDescription("An external authorization service asked about every request (like nginx auth_request or Envoy ext_authz).")
  public External external;
  @JsonPropertyDescription("JSON Web Token (bearer token) validation against a key set.")
  public Jwt jwt;
  @JsonPropertyDescription("OpenID Connect single sign-on: the proxy logs users in at the provider and keeps an encrypted session cookie.")
  public Oidc oidc;

  /** HTTP Basic authentication against an htpasswd Secret. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Basic {
    @JsonPropertyDescription("A Secret in the ProxyRoute's namespace whose key auth holds htpasswd lines (bcrypt or SHA-256/512 crypt; plain text and MD5 are refused).")
    @Required
    @Pattern(ProxyRouteSpec.DNS_NAME)
    @Size(max = 253)
    public String secret;
    @JsonPropertyDescription("The realm browsers show; default Authentication Required.")
    @Size(max = 256)
    public String realm;
    @JsonPropertyDescription("The header the user name goes upstream in; default X-Remote-User.")
    @Pattern(ProxyRouteSpec.HEADER_NAME)
    public String userHeader;
  }

  /** An authorization service asked about every request (nginx auth_request, Envoy ext_authz). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class External {
    @JsonPropertyDescription("The service's http or https URL.")
    @Required
    @Pattern("^https?://.+")
    public String url;
    @JsonPropertyDescription("Request headers sent to the service; default Authorization and Cookie.")
    @Size(max = 64)
    @Pattern(ProxyRouteSpec.HEADER_NAME)
    public List<String> requestHeaders;
    @JsonPropertyDescription("Headers of an allowing (2xx) answer copied onto the upstream request.")
    @Size(max = 64)
    @Pattern(ProxyRouteSpec.HEADER_NAME)
    public List<String> responseHeaders;
    @JsonPropertyDescription("How long the service may take; default 2s.")
    @Pattern(ProxyRouteSpec.DURATION)
    public String timeout;
    @JsonPropertyDescription("Let requests through when the service is down or too slow; default false (503).")
    public Boolean failOpen;
    @JsonPropertyDescription("The service also sees up to this many bytes of the request body; default 0.")
    @Min(0)
    @Max(1048576)
    public Integer maxRequestBodyBytes;
    @JsonPropertyDescription("Reuse an allowing answer (or the cacheStatuses) for the same request (or cacheKey) this long (such as 30s); default off.")
    @Pattern(ProxyRouteSpec.DURATION)
    public String cacheDuration;
    @JsonPropertyDescription("Reuse only answers of these statuses (2xx, 401, 403) for cacheDuration; default every 2xx.")
    @Size(max = 16)
    public List<Integer> cacheStatuses;
    @JsonPropertyDescription("What identifies a reusable answer, with nginx variables such as $http_authorization, $cookie_session, $remote_user, $host, $uri; default the method, URI, host, client address and the headers sent. Needs cacheDuration.")
    @Size(max = 512)
    public String cacheKey;
    @JsonPropertyDescription("The Set-Cookie headers of the service's answer: Drop (default); OnSuccess: added to the client's response when its status is 200, 201, 204, 206, 301, 302, 303, 304, 307 or 308, and to a signIn redirect (as ingress-nginx, for services that refresh sessions such as oauth2-proxy); Always: whatever the status.")
    @Pattern("^(Drop|OnSuccess|Always)$")
    public String answerCookies;
    @JsonPropertyDescription("The method the service is asked with; default the request's own.")
    @Pattern("^[A-Z]{1,32}$")
    public String method;
    @JsonPropertyDescription("Where a 401 from the service sends the client (302): an http(s) URL or a path; the original URL $scheme://$http_host$escaped_request_uri is added in the signInRedirectParam query parameter unless the URL has it already.")
    @Pattern("^(https?://|/).+")
    public String signIn;
    @JsonPropertyDescription("The query parameter of signIn that carries the original URL; default rd.")
    @Pattern("^[A-Za-z0-9_.~-]{1,64}$")
    public String signInRedirectParam;
  }

  /** Bearer JWTs verified against a JSON Web Key Set. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "has(self.jwksUri) != has(self.jwksSecret)",
      message = "jwt needs exactly one of jwksUri and jwksSecret")
  public static class Jwt {
    @JsonPropertyDescription("The iss tokens must carry.")
    @Required
    public String issuer;
    @JsonPropertyDescription("A token's aud must name one of these; empty: not checked.")
    public List<String> audiences;
    @JsonPropertyDescription("Where the key set is fetched (http or https).")
    @Pattern("^https?://.+")
    public String jwksUri;
    @JsonPropertyDescription("A Secret in the ProxyRoute's namespace whose key jwks holds the key set (JSON).")
    @Pattern(ProxyRouteSpec.DNS_NAME)
    public String jwksSecret;
    @JsonPropertyDescription("Where tokens are looked for, in order; default the Authorization header (Bearer).")
    @Size(max = 8)
    public List<TokenSource> tokenFrom;
    @JsonPropertyDescription("Claim name to the value it must have (or hold, for a list or a space-separated scope).")
    public Map<String, String> requiredClaims;
    @JsonPropertyDescription("Claim name to the request header its value goes upstream in.")
    public Map<String, String> claimHeaders;
    @JsonPropertyDescription("Tolerance for exp and nbf; default 60s, at most 10m.")
    @Pattern(ProxyRouteSpec.DURATION)
    public String clockSkew;
  }

  /** One place a token may be: a header, a cookie or a query parameter. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "(has(self.header) ? 1 : 0) + (has(self.cookie) ? 1 : 0)"
      + " + (has(self.queryParameter) ? 1 : 0) == 1",
      message = "a token source needs exactly one of header, cookie or queryParameter")
  public static class TokenSource {
    @JsonPropertyDescription("Take the token from this request header (with a Bearer prefix for Authorization).")
    @Pattern(ProxyRouteSpec.HEADER_NAME)
    public String header;
    @JsonPropertyDescription("Take the token from this cookie.")
    public String cookie;
    @JsonPropertyDescription("Take the token from this query parameter.")
    public String queryParameter;
  }

  /** OpenID Connect single sign-on; the proxy is the relying party. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Oidc {
    @JsonPropertyDescription("The provider's issuer URL (discovery at /.well-known/openid-configuration).")
    @Required
    @Pattern("^https?://.+")
    public String issuer;
    @JsonPropertyDescription("The client id registered at the provider.")
    @Required
    public String clientId;
    @JsonPropertyDescription("The client secret: a key of a Secret in the ProxyRoute's namespace.")
    @Required
    public SecretKeyRef clientSecret;
    @JsonPropertyDescription("Scopes to ask for; openid is always added.")
    public List<String> scopes;
    @JsonPropertyDescription("Default /oauth2/callback.")
    @Pattern(ProxyRouteSpec.PATH_PATTERN)
    public String callbackPath;
    @JsonPropertyDescription("Default /oauth2/logout.")
    @Pattern(ProxyRouteSpec.PATH_PATTERN)
    public String logoutPath;
    @JsonPropertyDescription("Where the provider sends the browser after logout.")
    public String postLogoutRedirectUri;
    @JsonPropertyDescription("A Secret whose key session-key (base64, 32 bytes) encrypts session cookies, and whose optional previous-session-key still opens them (rotation with a grace period). In a cluster the operator creates it, with a random key, when it does not exist. Without it the key is derived from the client secret.")
    @Pattern(ProxyRouteSpec.DNS_NAME)
    public String sessionSecret;
    @JsonPropertyDescription("Default _portcullis_session.")
    @Pattern("^[A-Za-z0-9_.-]{1,64}$")
    public String cookieName;
    @JsonPropertyDescription("How long a session lasts at most, refreshes included; default 12h.")
    @Pattern(ProxyRouteSpec.DURATION)
    public String sessionDuration;
    @JsonPropertyDescription("Only these users (email or sub); others get 403.")
    public List<String> allowedUsers;
    @JsonPropertyDescription("Only members of one of these groups; others get 403.")
    public List<String> allowedGroups;
    @JsonPropertyDescription("The ID token claim with the user's groups; default groups.")
    public String groupsClaim;
    @JsonPropertyDescription("ID token claim to the request header its value goes upstream in.")
    public Map<String, String> claimHeaders;
    @JsonPropertyDescription("The header the ID token goes upstream in.")
    @Pattern(ProxyRouteSpec.HEADER_NAME)
    public String idTokenHeader;
    @JsonPropertyDescription("The header the access token goes upstream in (Authorization gets Bearer).")
    @Pattern(ProxyRouteSpec.HEADER_NAME)
    public String accessTokenHeader;
    @JsonPropertyDescription("Build redirect URIs from X-Forwarded-Proto/-Host (behind another proxy); default false.")
    public Boolean trustForwardedHeaders;
  }

  /** A key of a Secret in the ProxyRoute's namespace. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SecretKeyRef {
    @JsonPropertyDescription("The Secret, in the ProxyRoute's namespace.")
    @Required
    @Pattern(ProxyRouteSpec.DNS_NAME)
    public String name;
    @JsonPropertyDescription("The key of the Secret that holds the value.")
    @Required
    public String key;
  }
}
