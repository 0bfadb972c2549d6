package io.portcullis.dataplane.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.Mapping;
import io.portcullis.dataplane.config.ConfigRejectedException;
import io.portcullis.dataplane.config.CertificateTable;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.config.RuntimeConfig;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Snapshot;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
 * TLS work, a changed Secret one context. Contexts are shared by content (copies of a Secret under
 * several names cost one) and reused from the installed table. A certificate the dataplane cannot
 * load rejects the whole snapshot (a NACK), and nothing changes. No listener restarts.
 */
public final class CertificateStore implements Mapping<String, SslContext>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CertificateStore.class);

  private final SslProvider provider;
  private final TicketKeys tickets = new TicketKeys();
  private final ScheduledExecutorService rotation;
  private volatile LiveConfig config;

  /** A store using the best provider available ({@link TlsProvider}), rotating ticket keys. */
  public CertificateStore() {
    this(TlsProvider.get());
  }

  CertificateStore(SslProvider provider) {
    this.provider = provider;
    this.rotation = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tls-ticket-key-rotation");
      t.setDaemon(true);
      return t;
    });
    long period = TicketKeys.ROTATION.toMillis();
    rotation.scheduleAtFixedRate(this::rotateTicketKeys, period, period, TimeUnit.MILLISECONDS);
  }

  public SslProvider provider() {
    return provider;
  }

  /**
   * Builds the table for {@code snapshot}, reusing the contexts of the installed table
   * {@code previous}; with {@code change}, the delta from {@code previous}'s snapshot to this one,
   * only the certificates and hosts it names are visited.
   *
   * @throws ConfigRejectedException naming {@code certificate/<name>} for every certificate that
   *     cannot be loaded; nothing changes then
   */
  public synchronized SniTable prepare(Snapshot snapshot, CertificateTable previous, Delta change) {
    SniTable installed = previous instanceof SniTable t ? t : SniTable.EMPTY;
    ContextSource contexts = new ContextSource(provider, tickets, installed);
    SniTable table = SniTables.canFollow(installed, change, snapshot)
        ? SniTables.after(installed, change, snapshot, contexts)
        : SniTables.of(snapshot, contexts);
    if (contexts.built() > 0) {
      log.info("TLS: built {} context(s), {} in use, version {}",
          contexts.built(), table.size(), snapshot.version());
    }
    return table;
  }

  /** The same, from the whole snapshot. */
  public SniTable prepare(Snapshot snapshot, CertificateTable previous) {
    return prepare(snapshot, previous, null);
  }

  /** Builds the certificate table of every config {@code config} applies from now on. */
  public void attachTo(LiveConfig config) {
    this.config = config;
    config.certificatesFrom(this::prepare);
  }

  /** The table new handshakes use now. */
  SniTable current() {
    LiveConfig c = config;
    RuntimeConfig current = c == null ? null : c.current();
    return current != null && current.certificates() instanceof SniTable t ? t : SniTable.EMPTY;
  }

  /** The certificate for an SNI name (null: none sent); null when there is none to offer. */
  @Override
  public SslContext map(String sniName) {
    SslContext context = current().lookup(sniName);
    if (context == null) {
      // Failing the lookup fails the handshake; the connection is closed.
      throw new IllegalStateException("no certificate for SNI name " + sniName);
    }
    return context;
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
  }
}
