package io.portcullis.dataplane.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.snapshot.filter.IpPrefix;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AddressSetTest {

  private static AddressSet set(String... cidrs) {
    return AddressSet.of(Arrays.stream(cidrs).map(IpPrefix::parse).toList());
  }

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal); // literals only: never a lookup
  }

  @Test
  @DisplayName("a host route matches its address only")
  void hostRoutes() throws Exception {
    AddressSet s = set("192.0.2.7", "2001:db8::7");
    assertTrue(s.contains(ip("192.0.2.7")));
    assertFalse(s.contains(ip("192.0.2.6")));
    assertFalse(s.contains(ip("192.0.2.8")));
    assertTrue(s.contains(ip("2001:db8::7")));
    assertFalse(s.contains(ip("2001:db8::8")));
    assertFalse(s.contains(ip("2001:db8::6")));
  }

  @Test
  @DisplayName("a prefix covers its first and last address and nothing beside them")
  void prefixBounds() throws Exception {
    AddressSet s = set("10.1.0.0/16", "2001:db8:1::/48");
    assertTrue(s.contains(ip("10.1.0.0")));
    assertTrue(s.contains(ip("10.1.255.255")));
    assertFalse(s.contains(ip("10.0.255.255")));
    assertFalse(s.contains(ip("10.2.0.0")));
    assertTrue(s.contains(ip("2001:db8:1::")));
    assertTrue(s.contains(ip("2001:db8:1:ffff:ffff:ffff:ffff:ffff")));
    assertFalse(s.contains(ip("2001:db8:0:ffff:ffff:ffff:ffff:ffff")));
    assertFalse(s.contains(ip("2001:db8:2::")));
  }

  @Test
  @DisplayName("overlapping and nested prefixes merge; adjacent ones join")
  void overlapping() throws Exception {
    AddressSet s = set("10.0.0.0/8", "10.1.0.0/16", "10.1.2.3", "11.0.0.0/8", "12.0.0.0/9",
        "2001:db8::/32", "2001:db8:ffff::/48", "2001:db9::/32");
    assertEquals(2, s.ranges()); // 10.0.0.0-12.127.255.255, and one IPv6 range
    assertTrue(s.contains(ip("11.255.255.255")));
    assertTrue(s.contains(ip("12.127.0.1")));
    assertFalse(s.contains(ip("12.128.0.0")));
    assertTrue(s.contains(ip("2001:db9:ffff::1")));
    assertFalse(s.contains(ip("2001:dba::")));
  }

  @Test
  @DisplayName("/0 covers its own family only")
  void everything() throws Exception {
    AddressSet v4 = set("0.0.0.0/0");
    assertTrue(v4.contains(ip("0.0.0.0")));
    assertTrue(v4.contains(ip("255.255.255.255")));
    assertFalse(v4.contains(ip("::1")));
    AddressSet v6 = set("::/0");
    assertTrue(v6.contains(ip("::")));
    assertTrue(v6.contains(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
    assertFalse(v6.contains(ip("127.0.0.1")));
  }

  @Test
  @DisplayName("an IPv4-mapped IPv6 client matches IPv4 rules")
  void mapped() throws Exception {
    AddressSet s = set("192.0.2.0/24");
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xFF;
    mapped[11] = (byte) 0xFF;
    mapped[12] = (byte) 192;
    mapped[14] = 2;
    mapped[15] = 9;
    // InetAddress.getByAddress turns mapped bytes into an Inet4Address; a socket may hand out
    // an Inet6Address holding them, so test both shapes.
    assertTrue(s.contains(InetAddress.getByAddress(mapped)));
    assertTrue(s.contains(java.net.Inet6Address.getByAddress(null, mapped, -1)));
    mapped[12] = (byte) 193;
    assertFalse(s.contains(java.net.Inet6Address.getByAddress(null, mapped, -1)));
    assertTrue(set("::ffff:192.0.2.0/120").contains(ip("192.0.2.1")));
  }

  @Test
  @DisplayName("empty sets and null addresses contain nothing")
  void empty() throws Exception {
    assertTrue(set().isEmpty());
    assertFalse(set().contains(ip("10.0.0.1")));
    assertFalse(set("0.0.0.0/0", "::/0").contains(null));
  }

  @Test
  @DisplayName("thousands of random prefixes agree with a linear scan")
  void agreesWithLinearScan() throws Exception {
    Random random = new Random(42);
    for (boolean v6 : new boolean[] {false, true}) {
      List<IpPrefix> prefixes = new ArrayList<>();
      for (int i = 0; i < 5000; i++) {
        // Narrow the address space so prefixes overlap and abut often.
        long high = v6 ? 0x20010db8_00000000L | (random.nextInt(64) << 16) : 0;
        long low = v6 ? random.nextLong() : (0x0A000000L | random.nextInt(1 << 16) << 8);
        int length = v6 ? 40 + random.nextInt(89) : 8 + random.nextInt(25);
        prefixes.add(new IpPrefix(v6, high, low, length));
      }
      AddressSet set = AddressSet.of(prefixes);
      for (int i = 0; i < 20_000; i++) {
        byte[] address = new byte[v6 ? 16 : 4];
        random.nextBytes(address);
        if (v6) {
          address[0] = 0x20; address[1] = 0x01; address[2] = 0x0d; address[3] = (byte) 0xb8;
          address[4] = 0; address[5] = (byte) random.nextInt(64);
        } else {
          address[0] = 10;
          address[1] = (byte) random.nextInt(2);
        }
        InetAddress a = InetAddress.getByAddress(address);
        assertEquals(linear(prefixes, address), set.contains(a), a.toString());
      }
    }
  }

  private static boolean linear(List<IpPrefix> prefixes, byte[] address) {
    for (IpPrefix p : prefixes) {
      if (p.v6() != (address.length == 16)) {
        continue;
      }
      byte[] net = new byte[address.length];
      for (int i = 0; i < address.length; i++) {
        long word = address.length == 4 ? p.low() << 32 : i < 8 ? p.high() : p.low();
        net[i] = (byte) (word >>> (56 - 8 * (i % 8)));
      }
      boolean in = true;
      for (int bit = 0; bit < p.length() && in; bit++) {
        int mask = 0x80 >>> (bit % 8);
        in = (address[bit / 8] & mask) == (net[bit / 8] & mask);
      }
      if (in) {
        return true;
      }
    }
    return false;
  }
}
