package io.portcullis.transport;

import io.netty.handler.ssl.SslContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dataplane's client TLS for the snapshot stream, from three PEM files (usually the mounted
 * Secret the operator maintains): {@code --tls-cert}, {@code --tls-key} (PKCS#8) and
 * {@code --tls-ca}. The operator's certificate must chain to that CA alone (the JDK's public roots
 * are not trusted) and name the control-plane host (see {@link ControlChannelTls#client}).
 *
 * <p>The files are polled and, when their content changed, a new context is built; the next
 * connection uses it. The kubelet swaps a mounted Secret's files atomically, but a half-written
 * set (a new certificate with the old key) is possible with other tooling: such a set fails to
 * build, the previous context stays, and the next poll tries again.
 */
public final class ControlPlaneTls implements Supplier<SslContext>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlaneTls.class);

  /** How often the files are checked for changes (kubelet updates Secret volumes in ~1 min). */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(10);
  /** Certificate files are small; anything bigger is a mistake, not a certificate. */
  static final long MAX_FILE_BYTES = 1024 * 1024;

  private final Path certFile;
  private final Path keyFile;
  private final Path caFile;
  private final ScheduledExecutorService poller;
  private volatile Material loaded;
  private volatile SslContext current;

  private ControlPlaneTls(Path certFile, Path keyFile, Path caFile, Duration pollInterval) {
    this.certFile = Objects.requireNonNull(certFile, "certFile");
    this.keyFile = Objects.requireNonNull(keyFile, "keyFile");
    this.caFile = Objects.requireNonNull(caFile, "caFile");
    Material first = read();
    this.current = build(first);
    this.loaded = first;
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tls-files");
      t.setDaemon(true);
      return t;
    });
    long every = pollInterval.toMillis();
    poller.scheduleWithFixedDelay(this::reload, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Loads the files now and watches them.
   *
   * @throws IllegalArgumentException with a one-line reason when the files cannot be read or do
   *     not form a usable client identity
   */
  public static ControlPlaneTls load(Path certFile, Path keyFile, Path caFile, Duration pollInterval) {
    return new ControlPlaneTls(certFile, keyFile, caFile, pollInterval);
  }

  /** The newest good client context. */
  @Override
  public SslContext get() {
    return current;
  }

  /**
   * Re-reads the files and rebuilds the context when they changed (the poller calls this; a
   * signal handler or a test may too).
   *
   * @return true when a new context is now in use; false when nothing changed or the new files
   *     were unusable (logged; the previous context stays)
   */
  public synchronized boolean reload() {
    try {
      Material next = read();
      if (next.equals(loaded)) {
        return false;
      }
      current = build(next);
      loaded = next;
      log.info("control-plane client certificate reloaded from {}", certFile);
      return true;
    } catch (RuntimeException e) {
      log.warn("control-plane TLS files not reloaded (keeping the previous ones): {}", e.getMessage());
      return false;
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }

  private Material read() {
    return new Material(bytes(certFile), bytes(keyFile), bytes(caFile));
  }

  private static byte[] bytes(Path file) {
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new IllegalArgumentException(file + " is larger than " + MAX_FILE_BYTES + " bytes");
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private SslContext build(Material m) {
    try {
      // Netty accepts a key that does not belong to the certificate and fails only at the
      // handshake, far from the cause: check the pair here.
      KeyPairCheck.requireMatch(m.cert(), m.key());
      return ControlChannelTls.client(new ByteArrayInputStream(m.cert()),
          new ByteArrayInputStream(m.key()), new ByteArrayInputStream(m.ca()));
    } catch (SSLException | IllegalArgumentException e) {
      String why = e.getCause() != null && e.getCause().getMessage() != null
          ? e.getCause().getMessage() : e.getMessage();
      throw new IllegalArgumentException("cannot use " + certFile + ", " + keyFile + ", " + caFile
          + " as the control-plane client identity: " + why, e);
    }
  }

  /** The three files' bytes; equal when nothing changed. */
  private record Material(byte[] cert, byte[] key, byte[] ca) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Material m
          && Arrays.equals(cert, m.cert) && Arrays.equals(key, m.key) && Arrays.equals(ca, m.ca);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(cert) * 31 + Arrays.hashCode(key) * 17 + Arrays.hashCode(ca);
    }
  }
}
