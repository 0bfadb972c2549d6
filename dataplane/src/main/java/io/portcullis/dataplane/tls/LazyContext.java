package io.portcullis.dataplane.tls;

import io.netty.handler.ssl.SslContext;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.TlsPolicy.ClientValidation;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server context of the SNI table, built when first needed: its certificate and key (and
 * client CA bundle) were checked when the config was applied ({@link ServerContexts#validate}),
 * but building an OpenSSL context costs milliseconds each, a minute for 10,000 certificates, so
 * a config applies without building any. The first handshake that needs the context, or the
 * background pre-build after the config was applied, builds it, once: whoever comes while it is
 * being built waits for the same build. Shared by every host and name with the same content.
 */
final class LazyContext {
  private static final Logger log = LoggerFactory.getLogger(LazyContext.class);

  private final TlsCertificate certificate;
  private final ClientValidation validation;
  private final ContextFactory factory;
  private final TicketKeys tickets;
  /** Set once the build is claimed; completes with the context or the build's failure. */
  private final AtomicReference<CompletableFuture<SslContext>> build = new AtomicReference<>();
  /** The built context, once built; read by every handshake, so kept apart from the future. */
  private volatile SslContext context;

  /**
   * @param validation the client certificate validation the context enforces; null for none
   * @param tickets session ticket keys, installed in contexts that check no client certificate
   */
  LazyContext(TlsCertificate certificate, ClientValidation validation, ContextFactory factory,
      TicketKeys tickets) {
    this.certificate = certificate;
    this.validation = validation;
    this.factory = factory;
    this.tickets = tickets;
  }

  /** What this context is built from. */
  SniTable.ContextKey key() {
    return SniTable.ContextKey.of(certificate, validation);
  }

  /** The context if it was built, else null (nothing is started). */
  SslContext ifBuilt() {
    return context;
  }

  /**
   * The context, built on {@code executor} unless its build already started; the future completes
   * when it is built (at once when it was).
   */
  CompletableFuture<SslContext> build(Executor executor) {
    CompletableFuture<SslContext> started = build.get();
    if (started != null) {
      return started;
    }
    CompletableFuture<SslContext> mine = new CompletableFuture<>();
    if (!build.compareAndSet(null, mine)) {
      return build.get();
    }
    try {
      executor.execute(() -> run(mine));
    } catch (RejectedExecutionException e) { // the store is closing
      mine.completeExceptionally(e);
    }
    return mine;
  }

  /**
   * The context, built by the calling thread unless its build already started elsewhere (then
   * waits for it).
   *
   * @throws IllegalStateException when it cannot be built
   */
  SslContext join() {
    SslContext built = context;
    if (built != null) {
      return built;
    }
    CompletableFuture<SslContext> mine = new CompletableFuture<>();
    if (build.compareAndSet(null, mine)) {
      run(mine);
    }
    try {
      return build.get().join();
    } catch (CompletionException e) {
      throw new IllegalStateException("server context for certificate " + certificate.name()
          + " cannot be built: " + e.getCause(), e.getCause());
    }
  }

  private void run(CompletableFuture<SslContext> result) {
    SslContext built;
    try {
      built = factory.build(certificate, validation);
    } catch (Throwable e) {
      // Its certificate and key were read at apply, so this is rarely the Secret's fault;
      // handshakes for it fail (as for a missing certificate) and the log says why, once.
      log.warn("TLS: server context for certificate {} cannot be built: {}", certificate.name(),
          e.toString());
      result.completeExceptionally(e);
      if (e instanceof Error error) {
        throw error;
      }
      return;
    }
    if (validation == null) {
      // Installed and published under the ticket keys' lock, so a rotation either sees this
      // context among the built ones or ran before these keys were read.
      synchronized (tickets) {
        tickets.applyTo(built);
        context = built;
      }
    } else {
      context = built;
    }
    result.complete(built);
  }

  /** Builds the server context of a certificate (the seam tests count builds through). */
  @FunctionalInterface
  interface ContextFactory {
    /** {@link ServerContexts#build(TlsCertificate, ClientValidation, io.netty.handler.ssl.SslProvider)}. */
    SslContext build(TlsCertificate certificate, ClientValidation validation) throws Exception;
  }
}
