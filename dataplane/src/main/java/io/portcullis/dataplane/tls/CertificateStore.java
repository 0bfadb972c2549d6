package io.portcullis.dataplane.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.Mapping;
import io.portcullis.dataplane.config.ConfigRejectedException;
import io.portcullis.dataplane.config.CertificateTable;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.config.RuntimeConfig;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.TlsPolicy.ClientValidation;
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
 * <p>A host with client certificate validation (downstream mTLS) gets a context of its own for its
 * certificate and validation pair; hosts that share both share the context. Those contexts keep
 * their own session ticket keys: a session resumed from a context that asked for no certificate
 * must never resume into one that requires it.
 *
 * <p>The table is part of the config: {@link #attachTo} makes this store build the table of every
 * config the {@link LiveConfig} applies ({@link #prepare}, reusing the context of every
 * certificate whose content did not change: a route change costs no TLS work), and the table is
 * swapped in with the routes and filters in one reference write. A certificate the dataplane
 * cannot load rejects the whole snapshot (a NACK), and nothing changes. No listener restarts.
 */
public final class CertificateStore implements Mapping<String, SslContext>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CertificateStore.class);

  /** SNI lookups for one snapshot; immutable. */
  /** One server context per certificate and client validation (null: none). */
  private record ContextKey(TlsCertificate certificate, ClientValidation validation) {}

  public static final class Table implements CertificateTable {
    static final Table EMPTY = new Table(null, Map.of(), Map.of(), Map.of(), null);

    /** The snapshot version this table was built for; null for the empty table. */
    private final String version;
    private final Map<ContextKey, SslContext> byCertificate;
    private final Map<String, SslContext> exact;
    /** By the suffix after {@code *.}. */
    private final Map<String, SslContext> wildcard;
    private final SslContext fallback;

    private Table(String version, Map<ContextKey, SslContext> byCertificate,
        Map<String, SslContext> exact, Map<String, SslContext> wildcard, SslContext fallback) {
      this.version = version;
      this.byCertificate = byCertificate;
      this.exact = exact;
      this.wildcard = wildcard;
      this.fallback = fallback;
    }

    @Override
    public SslContext lookup(String sniName) {
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

    /** Number of distinct contexts loaded (certificates, and certificate-validation pairs). */
    public int size() {
      return byCertificate.size();
    }
  }

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
   * Builds the table for {@code snapshot}, reusing the contexts of the installed table.
   *
   * @throws ConfigRejectedException naming {@code certificate/<name>} for every certificate that
   *     cannot be loaded; nothing changes then
   */
  public synchronized Table prepare(Snapshot snapshot, CertificateTable previous) {
    Table current = previous instanceof Table t ? t : Table.EMPTY;
    Map<ContextKey, SslContext> contexts = new HashMap<>();
    Map<String, TlsCertificate> certificatesByName = new HashMap<>();
    List<String> failed = new ArrayList<>();
    String[] firstProblem = {null};
    int[] built = {0};
    for (TlsCertificate certificate : snapshot.certificates()) {
      try {
        context(new ContextKey(certificate, null), current, contexts, built);
        certificatesByName.put(certificate.name(), certificate);
      } catch (SSLException | RuntimeException e) {
        failed.add("certificate/" + certificate.name());
        if (firstProblem[0] == null) {
          firstProblem[0] = "certificate " + certificate.name() + " cannot be loaded: " + e.getMessage();
        }
      }
    }
    if (!failed.isEmpty()) {
      throw new ConfigRejectedException(firstProblem[0], failed);
    }
    TlsCertificate defaultCertificate = snapshot.defaultCertificate() == null
        ? null : certificatesByName.get(snapshot.defaultCertificate());
    SslContext fallback =
        defaultCertificate == null ? null : contexts.get(new ContextKey(defaultCertificate, null));
    Map<String, SslContext> exact = new HashMap<>();
    Map<String, SslContext> wildcard = new HashMap<>();
    for (VirtualHost vhost : snapshot.virtualHosts()) {
      if (vhost.tls() == null || vhost.host().equals(VirtualHost.ANY_HOST)) {
        continue;
      }
      String name = vhost.tls().certificate();
      TlsCertificate certificate = name == null ? defaultCertificate : certificatesByName.get(name);
      if (certificate == null) {
        continue; // no default either: the handshake fails, as for an unknown name
      }
      SslContext context;
      try {
        context = context(
            new ContextKey(certificate, vhost.tls().clientCertificates()), current, contexts, built);
      } catch (SSLException | RuntimeException e) {
        failed.add("virtualHost/" + vhost.host());
        if (firstProblem[0] == null) {
          firstProblem[0] = "client CA bundle of host " + vhost.host() + " cannot be loaded: "
              + e.getMessage();
        }
        continue;
      }
      if (vhost.isWildcard()) {
        wildcard.put(vhost.host().substring(2), context);
      } else {
        exact.put(vhost.host(), context);
      }
    }
    if (!failed.isEmpty()) {
      throw new ConfigRejectedException(firstProblem[0], failed);
    }
    if (built[0] > 0) {
      log.info("TLS: built {} context(s), reused {}, version {}",
          built[0], contexts.size() - built[0], snapshot.version());
    }
    return new Table(snapshot.version(), Map.copyOf(contexts), Map.copyOf(exact),
        Map.copyOf(wildcard), fallback);
  }

  /** The context for {@code key}: already in this table, reused from the installed one, or new. */
  private SslContext context(ContextKey key, Table current, Map<ContextKey, SslContext> contexts,
      int[] built) throws SSLException {
    SslContext context = contexts.get(key);
    if (context == null) {
      context = current.byCertificate.get(key);
    }
    if (context == null) {
      context = ServerContexts.build(key.certificate(), key.validation(), provider);
      if (key.validation() == null) {
        tickets.applyTo(context);
      }
      built[0]++;
    }
    contexts.put(key, context);
    return context;
  }

  /** Builds the certificate table of every config {@code config} applies from now on. */
  public void attachTo(LiveConfig config) {
    this.config = config;
    config.certificatesFrom(this::prepare);
  }

  /** The table new handshakes use now. */
  Table current() {
    LiveConfig c = config;
    RuntimeConfig current = c == null ? null : c.current();
    return current != null && current.certificates() instanceof Table t ? t : Table.EMPTY;
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
      current().byCertificate.forEach((key, context) -> {
        if (key.validation() == null) {
          tickets.applyTo(context);
        }
      });
    } catch (RuntimeException e) {
      log.warn("TLS ticket key rotation failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    rotation.shutdownNow();
  }
}
