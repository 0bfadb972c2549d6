package io.portcullis.dataplane.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.AsyncMapping;
import io.netty.util.Mapping;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.portcullis.dataplane.config.ConfigRejectedException;
import io.portcullis.dataplane.config.CertificateTable;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.config.RuntimeConfig;
import io.portcullis.dataplane.tls.LazyContext.ContextFactory;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Snapshot;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificates the HTTPS listener presents, and the SNI choice between them: the exact host,
 * else the wildcard one label up, else the default certificate (also for clients that send no
 * SNI). The {@link io.netty.handler.ssl.SniHandler} of every new connection asks {@link #map};
 * connections already established keep the context they were handshaken with.
 *
 * <p>A host with client certificate validation (downstream mTLS) gets a context of its own for its
 * certificate and validation pair; hosts that share both share the context. Those contexts keep
 * their own session ticket keys: a session resumed from a context that asked for no certificate
 * must never resume into one that requires it.
 *
 * <p>The table is part of the config: {@link #attachTo} makes this store build the table of every
 * config the {@link LiveConfig} applies ({@link #prepare}), and the table is swapped in with the
 * routes and filters in one reference write. Given the delta that leads to the new snapshot, only
 * the certificates and hosts it names are looked at ({@link SniTables}): a route change costs no
 * TLS work, a changed Secret one read of its PEM. A certificate the dataplane cannot read rejects
 * the whole snapshot (a NACK), and nothing changes. No listener restarts.
 *
 * <p>Server contexts are built lazily ({@link LazyContext}): applying a config reads every new
 * certificate and key but builds no OpenSSL context (milliseconds each: a minute at 10,000
 * certificates, during which a new pod would serve nothing). A handshake that needs a context not
 * yet built waits for it off the event loop ({@link #map(String, Promise)}, Netty's async SNI
 * mapping), on the build threads; once a config is applied, one background thread builds the
 * contexts it made, so that steady state sees no first-handshake wait. Contexts are shared by
 * content (copies of a Secret under several names cost one) and reused from the installed table.
 */
public final class CertificateStore
    implements Mapping<String, SslContext>, AsyncMapping<String, SslContext>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CertificateStore.class);

  private final SslProvider provider;
  private final ContextFactory factory;
  private final TicketKeys tickets = new TicketKeys();
  private final ScheduledExecutorService rotation;
  /** Builds contexts a handshake waits for. */
  private final ExecutorService onDemand;
  /** Builds the contexts of each applied config in the background, one at a time. */
  private final Executor prebuild;
  private final ExecutorService ownPrebuild;
  private volatile LiveConfig config;

  /** A store using the best provider available ({@link TlsProvider}), rotating ticket keys. */
  public CertificateStore() {
    this(TlsProvider.get());
  }

  CertificateStore(SslProvider provider) {
    this(provider, (certificate, validation) -> ServerContexts.build(certificate, validation, provider),
        null);
  }

  /**
   * @param factory builds contexts (tests count the builds)
   * @param prebuild runs the background pre-build of each applied config's new contexts; null for
   *     the store's own background thread
   */
  CertificateStore(SslProvider provider, ContextFactory factory, Executor prebuild) {
    this.provider = provider;
    this.factory = factory;
    this.rotation = Executors.newSingleThreadScheduledExecutor(daemon("tls-ticket-key-rotation"));
    long period = TicketKeys.ROTATION.toMillis();
    rotation.scheduleAtFixedRate(this::rotateTicketKeys, period, period, TimeUnit.MILLISECONDS);
    // Handshakes for several new hosts at once (a fresh pod taking traffic) build in parallel, up
    // to the cores there are, and never fewer than two, so one slow build holds up no other host;
    // idle threads go away.
    int threads = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), daemon("tls-context-build"));
    pool.allowCoreThreadTimeOut(true);
    this.onDemand = pool;
    this.ownPrebuild = prebuild == null
        ? Executors.newSingleThreadExecutor(daemon("tls-context-prebuild")) : null;
    this.prebuild = prebuild == null ? ownPrebuild : prebuild;
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  public SslProvider provider() {
    return provider;
  }

  /**
   * Builds the table for {@code snapshot}, reusing the contexts of the installed table
   * {@code previous}; with {@code change}, the delta from {@code previous}'s snapshot to this one,
   * only the certificates and hosts it names are visited. Reads every new certificate and key;
   * builds no context.
   *
   * @throws ConfigRejectedException naming {@code certificate/<name>} for every certificate that
   *     cannot be read; nothing changes then
   */
  public synchronized SniTable prepare(Snapshot snapshot, CertificateTable previous, Delta change) {
    SniTable installed = previous instanceof SniTable t ? t : SniTable.EMPTY;
    SniTable table = SniTables.canFollow(installed, change, snapshot)
        ? SniTables.after(installed, change, snapshot,
            ContextSource.following(factory, tickets, installed))
        : SniTables.of(snapshot, ContextSource.fresh(factory, tickets, installed));
    if (!table.created.isEmpty()) {
      log.info("TLS: read {} new certificate(s), {} in use, version {}",
          table.created.size(), table.size(), snapshot.version());
    }
    return table;
  }

  /** The same, from the whole snapshot. */
  public SniTable prepare(Snapshot snapshot, CertificateTable previous) {
    return prepare(snapshot, previous, null);
  }

  /**
   * Builds the certificate table of every config {@code config} applies from now on, and builds
   * the contexts of each applied one in the background.
   */
  public void attachTo(LiveConfig config) {
    this.config = config;
    config.certificatesFrom(this::prepare);
    config.onApplied(applied -> {
      if (applied.certificates() instanceof SniTable table && !table.created.isEmpty()) {
        prebuild(table.created);
      }
    });
  }

  private void prebuild(List<LazyContext> contexts) {
    try {
      prebuild.execute(() -> {
        for (LazyContext context : contexts) {
          if (Thread.currentThread().isInterrupted()) {
            return; // closing
          }
          try {
            context.join();
          } catch (IllegalStateException e) {
            // Logged by the build; its handshakes fail, the others are built on.
          }
        }
      });
    } catch (RejectedExecutionException e) {
      // Closing: first handshakes build what they need.
    }
  }

  /** The table new handshakes use now. */
  SniTable current() {
    LiveConfig c = config;
    RuntimeConfig current = c == null ? null : c.current();
    return current != null && current.certificates() instanceof SniTable t ? t : SniTable.EMPTY;
  }

  /**
   * The certificate for an SNI name (null: none sent), built on the calling thread if it was not
   * yet; never call this on an event loop (the handshake's way is {@link #map(String, Promise)}).
   *
   * @throws IllegalStateException when there is none to offer
   */
  @Override
  public SslContext map(String sniName) {
    LazyContext context = current().context(sniName);
    if (context == null) {
      // Failing the lookup fails the handshake; the connection is closed.
      throw new IllegalStateException("no certificate for SNI name " + sniName);
    }
    return context.join();
  }

  /**
   * The certificate for an SNI name, as the HTTPS listener's SNI handler asks on the connection's
   * event loop: at once when its context is built, else once the build threads built it (a
   * handshake that comes while it is being built waits for the same build). Fails {@code promise}
   * when there is no certificate to offer or it cannot be built: the handshake fails.
   */
  @Override
  public Future<SslContext> map(String sniName, Promise<SslContext> promise) {
    LazyContext context = current().context(sniName);
    if (context == null) {
      return promise.setFailure(new IllegalStateException("no certificate for SNI name " + sniName));
    }
    SslContext built = context.ifBuilt();
    if (built != null) {
      return promise.setSuccess(built);
    }
    context.build(onDemand).whenComplete((ready, failure) -> {
      if (failure != null) {
        promise.tryFailure(failure);
      } else {
        promise.trySuccess(ready);
      }
    });
    return promise;
  }

  private void rotateTicketKeys() {
    try {
      tickets.rotate();
      current().plainContexts().forEach(tickets::applyTo);
    } catch (RuntimeException e) {
      log.warn("TLS ticket key rotation failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    rotation.shutdownNow();
    onDemand.shutdownNow();
    if (ownPrebuild != null) {
      ownPrebuild.shutdownNow();
    }
  }
}
