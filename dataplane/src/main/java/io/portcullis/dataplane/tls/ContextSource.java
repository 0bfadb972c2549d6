package io.portcullis.dataplane.tls;

import io.portcullis.dataplane.config.ConfigRejectedException;
import io.portcullis.dataplane.config.LayeredMap;
import io.portcullis.dataplane.tls.LazyContext.ContextFactory;
import io.portcullis.dataplane.tls.SniTable.ContextKey;
import io.portcullis.dataplane.tls.SniTable.Shared;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.TlsPolicy.ClientValidation;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The server contexts of one new table, counted by their users: the installed table's context for
 * the same content (and validation) where there is one, else a new {@link LazyContext} whose PEM
 * was read here and which is built later, on its first handshake or by the background pre-build.
 * Contexts are shared by content: Secrets copied under several names, and a Secret whose content
 * came back, are read once and cost one build. Collects what cannot be read, so that one
 * rejection names every broken certificate.
 */
final class ContextSource {
  private final ContextFactory factory;
  private final TicketKeys tickets;
  /** The installed table's contexts: reused by content. */
  private final LayeredMap<ContextKey, Shared> installed;
  /** The new table's contexts and their users. */
  private final LayeredMap.Editor<ContextKey, Shared> contexts;
  private final List<LazyContext> created = new ArrayList<>();
  private final List<String> failed = new ArrayList<>();
  private String firstProblem;

  private ContextSource(ContextFactory factory, TicketKeys tickets,
      LayeredMap<ContextKey, Shared> installed, LayeredMap<ContextKey, Shared> start) {
    this.factory = factory;
    this.tickets = tickets;
    this.installed = installed;
    this.contexts = start.edit();
  }

  /** For a table made from the whole snapshot: no users yet, the installed contexts reused. */
  static ContextSource fresh(ContextFactory factory, TicketKeys tickets, SniTable installed) {
    return new ContextSource(factory, tickets, installed.contexts, LayeredMap.empty());
  }

  /** For a table that follows the installed one by a delta: its contexts and users carry on. */
  static ContextSource following(ContextFactory factory, TicketKeys tickets, SniTable installed) {
    return new ContextSource(factory, tickets, installed.contexts, installed.contexts);
  }

  /**
   * One more user of the context presenting {@code certificate} and checking client
   * certificates as {@code validation} says (null: none), or null when its PEM cannot be read:
   * then {@code resource} is named in {@link #throwIfFailed}'s rejection with {@code problem} and
   * the error.
   */
  LazyContext acquire(TlsCertificate certificate, ClientValidation validation, String resource,
      String problem) {
    ContextKey key = ContextKey.of(certificate, validation);
    Shared shared = contexts.get(key);
    if (shared == null) {
      shared = installed.get(key);
      if (shared != null) {
        shared = new Shared(shared.context(), 0);
      }
    }
    if (shared == null) {
      try {
        ServerContexts.validate(certificate, validation);
      } catch (SSLException | RuntimeException e) {
        failed.add(resource);
        if (firstProblem == null) {
          firstProblem = problem + ": " + e.getMessage();
        }
        return null;
      }
      shared = new Shared(new LazyContext(certificate, validation, factory, tickets), 0);
      created.add(shared.context());
    }
    contexts.put(key, new Shared(shared.context(), shared.users() + 1));
    return shared.context();
  }

  /** One more user of {@code certificate}'s plain context; rejects naming {@code certificate/<name>}. */
  LazyContext acquirePlain(TlsCertificate certificate) {
    return acquire(certificate, null, "certificate/" + certificate.name(),
        "certificate " + certificate.name() + " cannot be loaded");
  }

  /** One user fewer of {@code context}; unused, it leaves the table. */
  void release(LazyContext context) {
    ContextKey key = context.key();
    Shared shared = contexts.get(key);
    if (shared == null) {
      return;
    }
    if (shared.users() <= 1) {
      contexts.remove(key);
    } else {
      contexts.put(key, new Shared(shared.context(), shared.users() - 1));
    }
  }

  /** @throws ConfigRejectedException when anything asked for could not be read */
  void throwIfFailed() {
    if (!failed.isEmpty()) {
      throw new ConfigRejectedException(firstProblem, List.copyOf(failed));
    }
  }

  /** The new table's contexts and their users. */
  LayeredMap<ContextKey, Shared> contexts() {
    return contexts.build();
  }

  /** The contexts made here (read, not built): the new table's to pre-build. */
  List<LazyContext> created() {
    return List.copyOf(created);
  }
}
