package io.portcullis.dataplane.filters.auth;

import com.nimbusds.jose.jwk.JWKSet;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.FilterRegistry;
import io.portcullis.dataplane.filter.FilterStage;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.SubrequestClient;
import io.portcullis.dataplane.filters.auth.AuthMetrics.Result;
import io.portcullis.snapshot.filter.AuthPolicy;
import io.portcullis.snapshot.filter.BasicAuth;
import io.portcullis.snapshot.filter.ExternalAuth;
import io.portcullis.snapshot.filter.JwtAuth;
import io.portcullis.snapshot.filter.OidcAuth;
import io.portcullis.snapshot.filter.UnusableAuth;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the authentication filter of an {@link AuthPolicy}, and holds what outlives a snapshot:
 * the password-check pool and its cache of verified credentials, the key sets fetched from JWKS
 * URLs and the OpenID providers' discovery documents (shared by every route naming them), the
 * subrequest client and the metrics.
 *
 * <p>Register with {@code builder.add(AuthPolicy.class, FilterStage.AUTHENTICATION,
 * authFilters::create)} (see {@link #register}).
 */
public final class AuthFilters implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuthFilters.class);
  /** Unknown key ids refetch the key set at most this often. */
  static final Duration KEY_REFRESH_INTERVAL = Duration.ofSeconds(10);
  /** A key set is refetched in the background once this old. */
  static final Duration KEY_MAX_AGE = Duration.ofMinutes(5);

  private final SubrequestClient client;
  private final AuthMetrics metrics;
  private final PasswordVerifier passwords = new PasswordVerifier(2, 1024);
  private final ConcurrentMap<String, RemoteKeySet> keySets = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, OidcProvider> providers = new ConcurrentHashMap<>();
  private final Duration keyRefreshInterval;

  public AuthFilters(SubrequestClient client, PrometheusRegistry registry) {
    this(client, registry, KEY_REFRESH_INTERVAL);
  }

  AuthFilters(SubrequestClient client, PrometheusRegistry registry, Duration keyRefreshInterval) {
    this(client, new AuthMetrics(registry), keyRefreshInterval);
  }

  private AuthFilters(SubrequestClient client, AuthMetrics metrics, Duration keyRefreshInterval) {
    this.client = client;
    this.metrics = metrics;
    this.keyRefreshInterval = keyRefreshInterval;
  }

  private static final class Shared {
    static final AuthFilters INSTANCE = new AuthFilters(
        new JdkSubrequestClient(Duration.ofSeconds(5)), new AuthMetrics(), KEY_REFRESH_INTERVAL);
  }

  /**
   * The process's authentication state (password pool, key sets, providers, subrequest client),
   * created on first use and kept for the life of the process, across snapshots: what {@link
   * io.portcullis.dataplane.filters.StandardFilters} registers. Its metrics are shown where
   * {@link #metrics()} is registered.
   */
  public static AuthFilters shared() {
    return Shared.INSTANCE;
  }

  /** The decision counters, to register in a dataplane's metrics registry. */
  public AuthMetrics metrics() {
    return metrics;
  }

  /** Registers the {@code auth} kind at its stage. */
  public FilterRegistry.Builder register(FilterRegistry.Builder builder) {
    return builder.add(AuthPolicy.class, FilterStage.AUTHENTICATION, this::create);
  }

  /** The filter for one route's (or host's) policy. */
  public HttpFilter create(AuthPolicy policy) {
    if (policy.mechanism() instanceof BasicAuth basic) {
      return new BasicAuthFilter(basic, passwords, metrics);
    }
    if (policy.mechanism() instanceof JwtAuth jwt) {
      return new JwtAuthFilter(jwt, keySet(jwt), metrics, System::currentTimeMillis);
    }
    if (policy.mechanism() instanceof ExternalAuth external) {
      return new ExternalAuthFilter(external, client, metrics);
    }
    if (policy.mechanism() instanceof OidcAuth oidc) {
      OidcProvider provider = providers.computeIfAbsent(oidc.issuer(), issuer -> new OidcProvider(
          issuer, client, uri -> remoteKeys(uri.toString()), keyRefreshInterval, System::nanoTime));
      return new OidcAuthFilter(oidc, provider, client, metrics, System::currentTimeMillis);
    }
    UnusableAuth unusable = (UnusableAuth) policy.mechanism();
    return new HttpFilter() {
      @Override
      public FilterAction onRequest(FilterContext ctx) {
        metrics.record("unusable", Result.UNAVAILABLE);
        return FilterAction.respond(AuthAnswers.unavailable("misconfigured"));
      }

      @Override
      public String toString() {
        return "UnusableAuth(" + unusable.reason() + ")";
      }
    };
  }

  private KeySet keySet(JwtAuth jwt) {
    if (jwt.jwks() != null) {
      try {
        return KeySet.fixed(JWKSet.parse(jwt.jwks()));
      } catch (ParseException e) {
        throw new IllegalArgumentException("jwt: the key set is not valid JWKS: " + e.getMessage());
      }
    }
    return remoteKeys(jwt.jwksUri());
  }

  private RemoteKeySet remoteKeys(String jwksUri) {
    return keySets.computeIfAbsent(jwksUri, uri -> {
      RemoteKeySet keys = new RemoteKeySet(URI.create(uri), client, keyRefreshInterval,
          KEY_MAX_AGE, System::nanoTime);
      keys.refresh(); // warm, so the first request rarely waits
      log.info("jwt: fetching signing keys from {}", uri);
      return keys;
    });
  }

  @Override
  public void close() {
    passwords.close();
  }
}
