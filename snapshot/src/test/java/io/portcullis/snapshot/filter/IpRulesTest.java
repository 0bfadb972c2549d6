package io.portcullis.snapshot.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.snapshot.SnapshotCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpRulesTest {

  @ParameterizedTest(name = "{0} is read as {1}")
  @CsvSource({
    "192.0.2.7, 192.0.2.7/32",
    "192.0.2.7/24, 192.0.2.0/24",
    "' 10.0.0.0/8 ', 10.0.0.0/8",
    "0.0.0.0/0, 0.0.0.0/0",
    "255.255.255.255/1, 128.0.0.0/1",
    "2001:DB8::1, 2001:db8::1/128",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1/128",
    "2001:0db8:0000:0000:0000:0000:0000:0001/32, 2001:db8::/32",
    "::/0, ::/0",
    "::1, ::1/128",
    "1::, 1::/128",
    "1:0:0:2:0:0:0:3, 1:0:0:2::3/128",
    "2001:db8::ffff:1/127, 2001:db8::ffff:0/127",
    "::ffff:192.0.2.1, 192.0.2.1/32",
    "::ffff:10.0.0.0/104, 10.0.0.0/8",
    "::ffff:c000:0201/128, 192.0.2.1/32",
    "64:ff9b::192.0.2.33, 64:ff9b::c000:221/128",
    "fe80::1:2:3:4/64, fe80::/64",
  })
  void normalises(String text, String canonical) {
    assertEquals(canonical, IpPrefix.parse(text).toString());
  }

  @ParameterizedTest(name = "{0} is refused")
  @ValueSource(strings = {"", "10", "10.1", "10.0.0", "10.0.0.0.0", "256.0.0.1", "010.0.0.1",
      "10.0.0.1/33", "10.0.0.1/", "10.0.0.1/-1", "10.0.0.1/08", "10.0.0.1/8/8", "1.2.3.4 /8",
      "example.com", "localhost", "::1::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::",
      "fe80::1%eth0", "::/129", "g::", "1.2.3.4::", ":1::", "::1.2.3", "0x10.0.0.1", "+1.2.3.4"})
  void refuses(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse(text));
    assertTrue(e.getMessage().contains("is not an IP address or CIDR"), e.getMessage());
  }

  @Test
  @DisplayName("lists are normalised, sorted and without duplicates; a bad entry names the list")
  void lists() {
    IpRules rules = new IpRules(List.of("10.1.2.3/8", "10.0.0.0/8", "::1"), null);
    assertEquals(List.of("10.0.0.0/8", "::1/128"), rules.allow());
    assertEquals(List.of(), rules.deny());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new IpRules(List.of(), List.of("10.0.0.0/8", "nope")));
    assertEquals("ip deny: 'nope' is not an IP address or CIDR (IPv4 needs four dotted decimal parts)",
        e.getMessage());
  }

  @Test
  @DisplayName("JSON: type ipRules, empty lists omitted, round trip")
  void json() throws Exception {
    FilterConfig rules = new IpRules(List.of("192.0.2.0/24"), List.of("192.0.2.9"));
    String json = SnapshotCodec.toJsonString(rules);
    assertEquals("{\"type\":\"ipRules\",\"allow\":[\"192.0.2.0/24\"],\"deny\":[\"192.0.2.9/32\"]}", json);
    assertEquals(rules, SnapshotCodec.fromJson(json.getBytes(StandardCharsets.UTF_8), FilterConfig.class));
    assertEquals("{\"type\":\"ipRules\"}", SnapshotCodec.toJsonString(new IpRules(null, null)));
  }

  @Test
  void denyAllCoversBothFamilies() {
    assertTrue(IpRules.DENY_ALL.denyPrefixes().stream().allMatch(IpPrefix::isAll));
    assertEquals(2, IpRules.DENY_ALL.denyPrefixes().size());
    assertFalse(IpRules.DENY_ALL.denyPrefixes().get(0).v6() == IpRules.DENY_ALL.denyPrefixes().get(1).v6());
  }
}
