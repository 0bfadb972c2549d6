package io.portcullis.dataplane.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.portcullis.dataplane.config.ConfigRejectedException;
import io.portcullis.dataplane.tls.SniTable.ContextKey;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.TlsPolicy.ClientValidation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * The server contexts one new table needs: the installed table's context for the same content
 * (and validation) where there is one, else a new one. Building a context costs tens of
 * milliseconds, so contexts are shared by content: Secrets copied under several names, and a
 * Secret whose content came back, cost one build. Collects what cannot be loaded, so that one
 * rejection names every broken certificate.
 */
final class ContextSource {
  private final SslProvider provider;
  private final TicketKeys tickets;
  private final SniTable installed;
  /** The installed table's contexts and those built here, by content; made on first need. */
  private Map<ContextKey, SslContext> byContent;
  private int built;
  private final List<String> failed = new ArrayList<>();
  private String firstProblem;

  ContextSource(SslProvider provider, TicketKeys tickets, SniTable installed) {
    this.provider = provider;
    this.tickets = tickets;
    this.installed = installed;
  }

  /**
   * The context presenting {@code certificate} and checking client certificates as
   * {@code validation} says (null: none), or null when it cannot be loaded: then {@code resource}
   * is named in {@link #throwIfFailed}'s rejection with {@code problem} and the error.
   */
  SslContext context(TlsCertificate certificate, ClientValidation validation, String resource,
      String problem) {
    ContextKey key = ContextKey.of(certificate, validation);
    SslContext context = byContent().get(key);
    if (context != null) {
      return context;
    }
    try {
      context = ServerContexts.build(certificate, validation, provider);
    } catch (SSLException | RuntimeException e) {
      failed.add(resource);
      if (firstProblem == null) {
        firstProblem = problem + ": " + e.getMessage();
      }
      return null;
    }
    if (validation == null) {
      tickets.applyTo(context);
    }
    built++;
    byContent.put(key, context);
    return context;
  }

  /** The plain context of {@code certificate}; rejects naming {@code certificate/<name>}. */
  SslContext plain(TlsCertificate certificate) {
    return context(certificate, null, "certificate/" + certificate.name(),
        "certificate " + certificate.name() + " cannot be loaded");
  }

  private Map<ContextKey, SslContext> byContent() {
    if (byContent == null) {
      byContent = new HashMap<>(installed.validating);
      installed.certificates.forEach((name, loaded) ->
          byContent.put(ContextKey.of(loaded.certificate(), null), loaded.context()));
    }
    return byContent;
  }

  /** @throws ConfigRejectedException when anything asked for could not be loaded */
  void throwIfFailed() {
    if (!failed.isEmpty()) {
      throw new ConfigRejectedException(firstProblem, List.copyOf(failed));
    }
  }

  /** How many contexts were built (not reused). */
  int built() {
    return built;
  }
}
