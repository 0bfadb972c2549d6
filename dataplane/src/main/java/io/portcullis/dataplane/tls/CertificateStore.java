package io.portcullis.dataplane.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.Mapping;
import io.portcullis.dataplane.config.ConfigRejectedException;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.VirtualHost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificates the HTTPS listener presents, and the SNI choice between them: the exact host,
 * else the wildcard one label up, else the default certificate (also for clients that send no
 * SNI). The {@link io.netty.handler.ssl.SniHandler} of every new connection asks {@link #map};
 * connections already established keep the context they were handshaken with.
 *
 * <p>A snapshot is applied in two steps so that the stream client can NACK a certificate the
 * dataplane cannot load: {@link #prepare} builds a new table (reusing the context of every
 * certificate whose content did not change: a route change costs no TLS work), then
 * {@link #install} swaps it in with one volatile write. No listener restarts.
 */
public final class CertificateStore implements Mapping<String, SslContext>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CertificateStore.class);

  /** SNI lookups for one snapshot; immutable. */
  public static final class Table {
    static final Table EMPTY = new Table(null, Map.of(), Map.of(), Map.of(), null);

    /** The snapshot version this table was built for; null for the empty table. */
    private final String version;
    private final Map<TlsCertificate, SslContext> byCertificate;
    private final Map<String, SslContext> exact;
    /** By the suffix after {@code *.}. */
    private final Map<String, SslContext> wildcard;
    private final SslContext fallback;

    private Table(String version, Map<TlsCertificate, SslContext> byCertificate,
        Map<String, SslContext> exact, Map<String, SslContext> wildcard, SslContext fallback) {
      this.version = version;
      this.byCertificate = byCertificate;
      this.exact = exact;
      this.wildcard = wildcard;
      this.fallback = fallback;
    }

    SslContext lookup(String sniName) {
      if (sniName != null) {
        String host = sniName.toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
          host = host.substring(0, host.length() - 1);
        }
        SslContext context = exact.get(host);
        if (context != null) {
          return context;
        }
        int dot = host.indexOf('.');
        if (dot > 0) {
          context = wildcard.get(host.substring(dot + 1));
          if (context != null) {
            return context;
          }
        }
      }
      return fallback;
    }

    /** Number of distinct certificates loaded. */
    public int size() {
      return byCertificate.size();
    }
  }

  private final SslProvider provider;
  private final TicketKeys tickets = new TicketKeys();
  private final ScheduledExecutorService rotation;
  private volatile Table table = Table.EMPTY;

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
   * Builds the table for {@code snapshot}, reusing the contexts of the installed table.
   *
   * @throws ConfigRejectedException naming {@code certificate/<name>} for every certificate that
   *     cannot be loaded; nothing changes then
   */
  public synchronized Table prepare(Snapshot snapshot) {
    Table current = table;
    Map<TlsCertificate, SslContext> contexts = new HashMap<>();
    Map<String, SslContext> byName = new HashMap<>();
    List<String> failed = new ArrayList<>();
    String firstProblem = null;
    int built = 0;
    for (TlsCertificate certificate : snapshot.certificates()) {
      SslContext context = current.byCertificate.get(certificate);
      if (context == null) {
        try {
          context = ServerContexts.build(certificate, provider);
          tickets.applyTo(context);
          built++;
        } catch (SSLException | RuntimeException e) {
          failed.add("certificate/" + certificate.name());
          if (firstProblem == null) {
            firstProblem = "certificate " + certificate.name() + " cannot be loaded: " + e.getMessage();
          }
          continue;
        }
      }
      contexts.put(certificate, context);
      byName.put(certificate.name(), context);
    }
    if (!failed.isEmpty()) {
      throw new ConfigRejectedException(firstProblem, failed);
    }
    SslContext fallback =
        snapshot.defaultCertificate() == null ? null : byName.get(snapshot.defaultCertificate());
    Map<String, SslContext> exact = new HashMap<>();
    Map<String, SslContext> wildcard = new HashMap<>();
    for (VirtualHost vhost : snapshot.virtualHosts()) {
      if (vhost.tls() == null || vhost.host().equals(VirtualHost.ANY_HOST)) {
        continue;
      }
      String name = vhost.tls().certificate();
      SslContext context = name == null ? fallback : byName.get(name);
      if (context == null) {
        continue; // no default either: the handshake fails, as for an unknown name
      }
      if (vhost.isWildcard()) {
        wildcard.put(vhost.host().substring(2), context);
      } else {
        exact.put(vhost.host(), context);
      }
    }
    if (built > 0) {
      log.info("TLS: built {} certificate context(s), reused {}, version {}",
          built, contexts.size() - built, snapshot.version());
    }
    return new Table(snapshot.version(), Map.copyOf(contexts), Map.copyOf(exact),
        Map.copyOf(wildcard), fallback);
  }

  /** Makes {@code next} the table new handshakes use. */
  public void install(Table next) {
    table = next;
  }

  /** The table new handshakes use now. */
  Table current() {
    return table;
  }

  /**
   * Keeps the certificates in step with every config {@code config} applies, including applies
   * that do not come through {@link TlsConfigApplier} (tests, tools). Those cannot be NACKed: a
   * certificate that fails to load is logged and the previous certificates stay.
   */
  public void follow(LiveConfig config) {
    config.onApplied(applied -> {
      Snapshot snapshot = applied.snapshot();
      if (snapshot.version().equals(table.version)) {
        return; // TlsConfigApplier installed it already
      }
      try {
        apply(snapshot);
      } catch (ConfigRejectedException e) {
        log.error("TLS: keeping the previous certificates: {}", e.getMessage());
      }
    });
  }

  /** {@link #prepare} then {@link #install}. */
  public synchronized void apply(Snapshot snapshot) {
    install(prepare(snapshot));
  }

  /** The certificate for an SNI name (null: none sent); null when there is none to offer. */
  @Override
  public SslContext map(String sniName) {
    SslContext context = table.lookup(sniName);
    if (context == null) {
      // Failing the lookup fails the handshake; the connection is closed.
      throw new IllegalStateException("no certificate for SNI name " + sniName);
    }
    return context;
  }

  private void rotateTicketKeys() {
    try {
      tickets.rotate();
      for (SslContext context : table.byCertificate.values()) {
        tickets.applyTo(context);
      }
    } catch (RuntimeException e) {
      log.warn("TLS ticket key rotation failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    rotation.shutdownNow();
  }
}
