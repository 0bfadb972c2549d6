package io.portcullis.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.portcullis.dataplane.upstream.UpstreamKey;
import io.portcullis.snapshot.Endpoint;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UpstreamPoolTest {
  private static final Endpoint STAYS = new Endpoint("10.0.0.1", 80);
  private static final Endpoint LEAVES = new Endpoint("10.0.0.2", 80);

  @Test
  void aConfigChangeClosesOnlyTheIdleConnectionsOfEndpointsThatLeft() {
    UpstreamPool pool = new UpstreamPool(4);
    EmbeddedChannel kept = new EmbeddedChannel();
    EmbeddedChannel dropped1 = new EmbeddedChannel();
    EmbeddedChannel dropped2 = new EmbeddedChannel();
    pool.offer(UpstreamKey.plain(STAYS), kept);
    pool.offer(UpstreamKey.plain(LEAVES), dropped1);
    pool.offer(UpstreamKey.plain(LEAVES), dropped2);

    pool.retainOnly(Set.of(UpstreamKey.plain(STAYS), UpstreamKey.plain(new Endpoint("10.0.0.3", 80))));

    assertTrue(kept.isOpen());
    assertFalse(dropped1.isOpen());
    assertFalse(dropped2.isOpen());
    assertEquals(0, pool.idleCount(UpstreamKey.plain(LEAVES)));
    assertSame(kept, pool.poll(UpstreamKey.plain(STAYS)));
    assertFalse(kept.finish());
  }

  @Test
  void aDeltaClosesTheIdleConnectionsOfTheKeysItRetiredOnly() {
    UpstreamPool pool = new UpstreamPool(4);
    EmbeddedChannel kept = new EmbeddedChannel();
    EmbeddedChannel dropped = new EmbeddedChannel();
    pool.offer(UpstreamKey.plain(STAYS), kept);
    pool.offer(UpstreamKey.plain(LEAVES), dropped);

    pool.closeIdle(Set.of(UpstreamKey.plain(LEAVES), UpstreamKey.plain(new Endpoint("10.0.0.3", 80))));

    assertTrue(kept.isOpen());
    assertFalse(dropped.isOpen());
    assertEquals(0, pool.idleCount(UpstreamKey.plain(LEAVES)));
    assertSame(kept, pool.poll(UpstreamKey.plain(STAYS)));
    assertFalse(kept.finish());
  }
}
