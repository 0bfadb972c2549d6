package io.portcullis.dataplane.tls;

import io.portcullis.dataplane.config.ConfigRejectedException;
import io.portcullis.dataplane.tls.LazyContext.ContextFactory;
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
 * (and validation) where there is one, else a new {@link LazyContext} whose PEM was read here and
 * which is built later, on its first handshake or by the background pre-build. Contexts are
 * shared by content: Secrets copied under several names, and a Secret whose content came back,
 * are read once and cost one build. Collects what cannot be read, so that one rejection names
 * every broken certificate.
 */
final class ContextSource {
  private final ContextFactory factory;
  private final TicketKeys tickets;
  private final SniTable installed;
  /** The installed table's contexts and those made here, by content; made on first need. */
  private Map<ContextKey, LazyContext> byContent;
  private final List<LazyContext> created = new ArrayList<>();
  private final List<String> failed = new ArrayList<>();
  private String firstProblem;

  ContextSource(ContextFactory factory, TicketKeys tickets, SniTable installed) {
    this.factory = factory;
    this.tickets = tickets;
    this.installed = installed;
  }

  /**
   * The context presenting {@code certificate} and checking client certificates as
   * {@code validation} says (null: none), or null when its PEM cannot be read: then
   * {@code resource} is named in {@link #throwIfFailed}'s rejection with {@code problem} and the
   * error.
   */
  LazyContext context(TlsCertificate certificate, ClientValidation validation, String resource,
      String problem) {
    ContextKey key = ContextKey.of(certificate, validation);
    LazyContext context = byContent().get(key);
    if (context != null) {
      return context;
    }
    try {
      ServerContexts.validate(certificate, validation);
    } catch (SSLException | RuntimeException e) {
      failed.add(resource);
      if (firstProblem == null) {
        firstProblem = problem + ": " + e.getMessage();
      }
      return null;
    }
    context = new LazyContext(certificate, validation, factory, tickets);
    created.add(context);
    byContent.put(key, context);
    return context;
  }

  /** The plain context of {@code certificate}; rejects naming {@code certificate/<name>}. */
  LazyContext plain(TlsCertificate certificate) {
    return context(certificate, null, "certificate/" + certificate.name(),
        "certificate " + certificate.name() + " cannot be loaded");
  }

  private Map<ContextKey, LazyContext> byContent() {
    if (byContent == null) {
      byContent = new HashMap<>(installed.validating);
      installed.certificates.forEach((name, loaded) ->
          byContent.put(ContextKey.of(loaded.certificate(), null), loaded.context()));
    }
    return byContent;
  }

  /** @throws ConfigRejectedException when anything asked for could not be read */
  void throwIfFailed() {
    if (!failed.isEmpty()) {
      throw new ConfigRejectedException(firstProblem, List.copyOf(failed));
    }
  }

  /** The contexts made here (read, not built): the new table's to pre-build. */
  List<LazyContext> created() {
    return created;
  }
}
