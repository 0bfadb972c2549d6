package io.portcullis.dataplane.stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** Which control-plane URLs the stream client accepts: plaintext is for loopback only. */
class StreamClientTransportTest {
  private static StreamClient client(String url) {
    return new StreamClient(URI.create(url), "node-a", new LiveConfig(), new ProxyMetrics());
  }

  @Test
  void plaintextToAnotherHostIsRefusedBecauseSnapshotsCarryPrivateKeys() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> client("http://operator.example:18000"));
    assertTrue(e.getMessage().startsWith("plaintext control plane only on loopback"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> client("http://10.1.2.3:18000"));
  }

  @Test
  void plaintextToLoopbackIsLocalModeAndAllowed() {
    assertDoesNotThrow(() -> client("http://127.0.0.1:18000").close());
    assertDoesNotThrow(() -> client("http://localhost:18000").close());
    assertDoesNotThrow(() -> client("http://[::1]:18000").close());
  }

  @Test
  void httpsWithoutAClientTlsContextIsRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> client("https://127.0.0.1:18000"));
    assertTrue(e.getMessage().startsWith("https control plane needs a TLS context"));
  }

  @Test
  void loopbackIsDecidedWithoutAskingDns() {
    assertTrue(StreamClient.isLoopback("127.8.9.10"));
    assertTrue(StreamClient.isLoopback("LOCALHOST"));
    assertFalse(StreamClient.isLoopback("localhost.attacker.example"));
    assertFalse(StreamClient.isLoopback("127.0.0.1.nip.io"));
    assertFalse(StreamClient.isLoopback("0.0.0.0"));
    assertFalse(StreamClient.isLoopback("999.0.0.1"));
    assertEquals(false, StreamClient.isLoopback("[::2]"));
  }
}
