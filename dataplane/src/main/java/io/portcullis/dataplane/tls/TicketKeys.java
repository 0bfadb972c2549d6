package io.portcullis.dataplane.tls;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Session ticket keys with rotation, for OpenSSL contexts (the JDK provider manages its own). The
 * newest key encrypts new tickets; the previous ones still decrypt, so a ticket stays usable for
 * {@link #KEPT} rotations. Keys live in memory only and are per dataplane: a client resuming on
 * another pod does a full handshake, which is correct, only slower. Rotating bounds how much
 * traffic one stolen key exposes (forward secrecy for resumed sessions).
 */
final class TicketKeys {
  /** How often a new encryption key is made. */
  static final Duration ROTATION = Duration.ofHours(1);

  /** Keys kept: the current one and the ones before it (tickets live up to this many periods). */
  static final int KEPT = 3;

  private final SecureRandom random = new SecureRandom();
  private final List<OpenSslSessionTicketKey> keys = new ArrayList<>();

  TicketKeys() {
    rotate();
  }

  /** Makes a new current key, dropping the oldest beyond {@link #KEPT}. */
  synchronized void rotate() {
    keys.add(0, new OpenSslSessionTicketKey(
        bytes(OpenSslSessionTicketKey.NAME_SIZE),
        bytes(OpenSslSessionTicketKey.HMAC_KEY_SIZE),
        bytes(OpenSslSessionTicketKey.AES_KEY_SIZE)));
    while (keys.size() > KEPT) {
      keys.remove(keys.size() - 1);
    }
  }

  /** Installs the current keys in {@code context} if it is an OpenSSL one; true when it was. */
  synchronized boolean applyTo(SslContext context) {
    if (context.sessionContext() instanceof OpenSslSessionContext openssl) {
      openssl.setTicketKeys(keys.toArray(new OpenSslSessionTicketKey[0]));
      return true;
    }
    return false;
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
