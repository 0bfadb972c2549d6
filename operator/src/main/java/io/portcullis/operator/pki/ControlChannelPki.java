package io.portcullis.operator.pki;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.netty.handler.ssl.SslContext;
import io.portcullis.transport.ControlChannelTls;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's side of the mutually authenticated snapshot stream: loads or creates the CA,
 * issues the operator's serving certificate, keeps the dataplanes' client certificate Secret
 * current, and renews both after two thirds of their lifetime.
 *
 * <p>Renewal swaps the server {@link SslContext} that {@link #serverContext()} hands out (Netty's
 * contexts are immutable, so a new one is built): new handshakes get the new certificate, open
 * streams keep the session they negotiated. A failed renewal is logged and retried at the next
 * check; the old certificate stays in use until then.
 */
public final class ControlChannelPki implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlChannelPki.class);
  static final String CA_NAME = "portcullis control channel CA";

  private final ControlChannelSettings settings;
  private final Clock clock;
  private final CaSecretStore caStore;
  private final DataplaneCertificateSecret dataplaneSecret;
  private final ServerContextHolder holder = new ServerContextHolder();
  private volatile CertificateAuthority ca;
  private volatile IssuedCertificate serving;
  private ScheduledExecutorService renewer;

  public ControlChannelPki(KubernetesClient client, ControlChannelSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.caStore = new CaSecretStore(client, settings.caSecret(), clock);
    this.dataplaneSecret = new DataplaneCertificateSecret(
        client, settings.dataplaneSecret(), settings.certValidity(), clock);
  }

  /**
   * Sets everything up and starts the renewal timer.
   *
   * @throws PkiException when the CA or the dataplane Secret cannot be set up
   */
  public synchronized void start() {
    if (renewer != null) {
      throw new IllegalStateException("already started");
    }
    ca = caStore.loadOrCreate(
        () -> CertificateAuthority.create(CA_NAME, CertificateAuthority.DEFAULT_CA_VALIDITY, clock));
    renewServing();
    dataplaneSecret.ensureFresh(ca);
    renewer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "pki-renewer");
      t.setDaemon(true);
      return t;
    });
    long every = settings.checkInterval().toMillis();
    renewer.scheduleWithFixedDelay(this::checkSafely, every, every, TimeUnit.MILLISECONDS);
  }

  /** The current server context; each new connection asks again, so rotation reaches it. */
  public Supplier<SslContext> serverContext() {
    return holder;
  }

  public CertificateAuthority ca() {
    return ca;
  }

  /** The operator's current serving certificate. */
  public IssuedCertificate servingCertificate() {
    return serving;
  }

  /** Renews whatever is due now (the timer calls this; tests may too). */
  public void checkNow() {
    if (!clock.instant().isBefore(serving.renewAt(settings.certValidity()))) {
      renewServing();
    }
    dataplaneSecret.ensureFresh(ca);
  }

  @Override
  public synchronized void close() {
    if (renewer != null) {
      renewer.shutdownNow();
      renewer = null;
    }
  }

  private void checkSafely() {
    try {
      checkNow();
    } catch (RuntimeException e) {
      log.warn("control channel certificate renewal failed, retrying in {}: {}",
          settings.checkInterval(), e.getMessage());
    }
  }

  private void renewServing() {
    IssuedCertificate next = ca.issueServer(settings.serverNames(), settings.certValidity());
    holder.set(ControlChannelTls.server(next.key(), next.certificate(), ca.certificate()));
    serving = next;
    log.info("snapshot stream serving certificate issued (serial {}, expires {}, names {})",
        next.serial(), next.notAfter(), settings.serverNames());
  }

  /** Hands out the newest server context. */
  private static final class ServerContextHolder implements Supplier<SslContext> {
    private volatile SslContext current;

    void set(SslContext next) {
      current = next;
    }

    @Override
    public SslContext get() {
      return current;
    }
  }
}
