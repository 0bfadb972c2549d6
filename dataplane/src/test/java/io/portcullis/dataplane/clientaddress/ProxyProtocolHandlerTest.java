package io.portcullis.dataplane.clientaddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The PROXY header handlers on an {@link EmbeddedChannel}: what passes, what closes. */
class ProxyProtocolHandlerTest {
  private static EmbeddedChannel channel(ProxyProtocol mode) {
    EmbeddedChannel ch = new EmbeddedChannel();
    ConnectionAdmission admission = new ConnectionAdmission(
        ClientAddressSettings.DEFAULT.withProxyProtocol(mode), Duration.ofSeconds(5),
        new PrometheusRegistry());
    assertTrue(admission.admit(ch));
    return ch;
  }

  private static ByteBuf ascii(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }

  @Test
  @DisplayName("the bytes after the header, in the same read, pass on untouched")
  void bytesAfterTheHeaderInOneRead() {
    EmbeddedChannel ch = channel(ProxyProtocol.ANY);
    ch.writeInbound(ascii("PROXY TCP4 192.0.2.1 10.0.0.1 1 80\r\nPRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
    assertTrue(ch.isOpen());
    ByteBuf passed = ch.readInbound();
    assertEquals("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", passed.toString(StandardCharsets.US_ASCII));
    passed.release();
    assertEquals("192.0.2.1", ClientAddress.of(ch).getHostAddress());
    assertNull(ch.pipeline().get(ConnectionAdmission.DECODER));
    assertNull(ch.pipeline().get(ConnectionAdmission.HANDLER));
    assertFalse(ch.finish());
  }

  @Test
  @DisplayName("anything but a header closes the connection and passes nothing on")
  void notAHeader() {
    EmbeddedChannel ch = channel(ProxyProtocol.ANY);
    ch.writeInbound(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    assertFalse(ch.isOpen());
    assertNull(ch.readInbound());
    ch.finishAndReleaseAll();
  }
}
