package io.portcullis.dataplane.clientaddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The X-Forwarded-For walk and the CIDRs it trusts, as tables. */
class ForwardedForTest {
  private static final TrustedProxies TRUSTED = TrustedProxies.parse("10.0.0.0/8, 2001:db8::/32");

  @ParameterizedTest(name = "peer {0}, X-Forwarded-For \"{1}\" -> client {2}")
  @CsvSource(delimiter = '|', value = {
      // an untrusted peer: its header means nothing
      "192.0.2.1 | 1.1.1.1                         | 192.0.2.1",
      // a trusted peer without a header is the client
      "10.0.0.1  |                                 | 10.0.0.1",
      "10.0.0.1  | 198.51.100.7                    | 198.51.100.7",
      "10.0.0.1  | 6.6.6.6, 198.51.100.7, 10.9.9.9 | 198.51.100.7",
      // every hop trusted: the leftmost
      "10.0.0.1  | 10.1.1.1, 10.2.2.2              | 10.1.1.1",
      // not an address: stop at the last trusted hop
      "10.0.0.1  | 198.51.100.7, unknown, 10.2.2.2 | 10.2.2.2",
      "10.0.0.1  | 198.51.100.7, evil.example      | 10.0.0.1",
      // ports and brackets are tolerated
      "10.0.0.1  | 198.51.100.7:4711               | 198.51.100.7",
      "10.0.0.1  | '[2001:db9::5]:443'              | 2001:db9:0:0:0:0:0:5",
      "10.0.0.1  | '2001:db9::5, 2001:db8::1'      | 2001:db9:0:0:0:0:0:5",
      // empty entries are skipped
      "10.0.0.1  | '198.51.100.7, , '               | 198.51.100.7",
  })
  void walk(String peer, String header, String client) throws Exception {
    HttpHeaders headers = new DefaultHttpHeaders();
    if (header != null) {
      headers.set("x-forwarded-for", header);
    }
    InetAddress resolved = ForwardedFor.client(InetAddress.getByName(peer), headers, TRUSTED);
    assertEquals(client, resolved.getHostAddress());
  }

  @Test
  @DisplayName("without trusted proxies the peer itself comes back, the header unread")
  void noTrustedProxiesIsThePeer() throws Exception {
    InetAddress peer = InetAddress.getByName("10.0.0.1");
    HttpHeaders headers = new DefaultHttpHeaders().set("x-forwarded-for", "1.2.3.4");
    assertSame(peer, ForwardedFor.client(peer, headers, TrustedProxies.NONE));
    assertEquals("10.0.0.1", ForwardedFor.upstreamValue(peer, headers, TrustedProxies.NONE));
  }

  @Test
  @DisplayName("upstream: a trusted peer's chain is kept and the peer appended")
  void upstreamFromTrustedPeer() throws Exception {
    HttpHeaders headers = new DefaultHttpHeaders()
        .add("x-forwarded-for", "1.1.1.1")
        .add("x-forwarded-for", "2.2.2.2");
    assertEquals("1.1.1.1, 2.2.2.2, 10.0.0.1",
        ForwardedFor.upstreamValue(InetAddress.getByName("10.0.0.1"), headers, TRUSTED));
    assertEquals("unknown", ForwardedFor.upstreamValue(null, headers, TRUSTED));
  }

  @ParameterizedTest(name = "{0} contains {1}: {2}")
  @CsvSource({
      "10.0.0.0/8, 10.255.1.2, true",
      "10.0.0.0/8, 11.0.0.1, false",
      "192.168.1.128/25, 192.168.1.200, true",
      "192.168.1.128/25, 192.168.1.127, false",
      "0.0.0.0/0, 8.8.8.8, true",
      "0.0.0.0/0, ::1, false",
      "2001:db8::/32, 2001:db8:ffff::1, true",
      "2001:db8::/32, 2001:db9::1, false",
      "::1, ::1, true",
      "127.0.0.1, 127.0.0.2, false",
      "::ffff:10.0.0.0/104, 10.1.2.3, true",
  })
  void cidr(String cidr, String address, boolean contained) throws Exception {
    assertEquals(contained, TrustedProxies.parse(cidr).contains(InetAddress.getByName(address)));
  }

  @ParameterizedTest(name = "\"{0}\" is refused: {1}")
  @CsvSource(delimiter = '|', value = {
      "10.0.0.0/33    | is not an IP address or CIDR",
      "10.1.2.3/8     | has host bits set (did you mean 10.0.0.0/8?)",
      "example.com    | is not an IP address or CIDR",
      "10.0.0.0/      | is not an IP address or CIDR",
      "10.0.0.0/x     | is not an IP address or CIDR",
      "2001:db8::/129 | is not an IP address or CIDR",
      "010.0.0.1      | is not an IP address or CIDR",
  })
  void badCidr(String text, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TrustedProxies.parse(text));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  @DisplayName("a blank list trusts nobody")
  void blankList() {
    assertTrue(TrustedProxies.parse(" , ").isEmpty());
    assertFalse(TrustedProxies.NONE.contains(null));
  }
}
