package io.portcullis.dataplane.clientaddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ConnectionsPerClientTest {
  @Test
  @DisplayName("counts up to the limit, refuses beyond, and forgets an address at zero")
  void countsAndForgets() throws Exception {
    ConnectionsPerClient counts = new ConnectionsPerClient(2);
    InetAddress a = InetAddress.getByName("192.0.2.1");
    InetAddress b = InetAddress.getByName("192.0.2.2");
    assertTrue(counts.tryAcquire(a));
    assertTrue(counts.tryAcquire(a));
    assertFalse(counts.tryAcquire(a));
    assertTrue(counts.tryAcquire(b));
    assertEquals(2, counts.clients());
    counts.release(a);
    assertTrue(counts.tryAcquire(a));
    counts.release(a);
    counts.release(a);
    counts.release(b);
    assertEquals(0, counts.clients());
    counts.release(b); // a stray release never goes negative
    assertEquals(0, counts.connections(b));
  }
}
