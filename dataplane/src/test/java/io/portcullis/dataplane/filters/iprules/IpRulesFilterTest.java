package io.portcullis.dataplane.filters.iprules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.LocalResponses;
import io.portcullis.dataplane.testing.FakeFilterContext;
import io.portcullis.snapshot.filter.IpRules;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class IpRulesFilterTest {
  private final IpRulesMetrics metrics = new IpRulesMetrics();

  /** 403 or 0 (proceed) for a client under rules; a 403's body is released. */
  private int status(IpRules rules, String client) throws Exception {
    HttpFilter filter = IpRulesFilter.create(rules, metrics);
    FakeFilterContext ctx = FakeFilterContext.of("http", "GET", "a.example", "/")
        .client(client == null ? null : InetAddress.getByName(client)).route("r");
    FilterAction action = filter.onRequest(ctx);
    if (action instanceof FilterAction.Respond respond) {
      LocalResponses.release(respond.response().body());
      return respond.response().status();
    }
    assertInstanceOf(FilterAction.Proceed.class, action);
    return 0;
  }

  @ParameterizedTest(name = "allow {0}, deny {1}: client {2} gets {3}")
  @CsvSource(delimiter = '|', value = {
    "                      |                  | 192.0.2.1   | 0",
    "192.0.2.0/24          |                  | 192.0.2.1   | 0",
    "192.0.2.0/24          |                  | 198.51.100.1| 403",
    "192.0.2.0/24          |                  | 2001:db8::1 | 403",
    "192.0.2.0/24          | 192.0.2.9        | 192.0.2.9   | 403",
    "192.0.2.0/24          | 192.0.2.9        | 192.0.2.8   | 0",
    "                      | 10.0.0.0/8       | 10.9.9.9    | 403",
    "                      | 10.0.0.0/8       | 11.0.0.1    | 0",
    "10.1.0.0/16           | 10.0.0.0/8       | 10.1.0.1    | 403",
    "0.0.0.0/0             | 192.0.2.1        | 192.0.2.2   | 0",
    "0.0.0.0/0             |                  | 2001:db8::1 | 403",
    "2001:db8::/32,::1     |                  | 2001:db8::5 | 0",
    "2001:db8::/32,::1     |                  | ::1         | 0",
    "2001:db8::/32         | 2001:db8:bad::/48| 2001:db8:bad::1 | 403",
    "::ffff:192.0.2.0/120  |                  | 192.0.2.200 | 0",
    "                      | 0.0.0.0/0,::/0   | 127.0.0.1   | 403",
  })
  void decides(String allow, String deny, String client, int expected) throws Exception {
    assertEquals(expected, status(new IpRules(list(allow), list(deny)), client));
  }

  @Test
  @DisplayName("a request without a client address is refused by an allow list, not by a deny list")
  void unknownClient() throws Exception {
    assertEquals(403, status(new IpRules(List.of("0.0.0.0/0"), List.of()), null));
    assertEquals(0, status(new IpRules(List.of(), List.of("10.0.0.0/8")), null));
  }

  @Test
  @DisplayName("refusals are counted by route and by the list that refused")
  void counts() throws Exception {
    IpRules rules = new IpRules(List.of("192.0.2.0/24"), List.of("192.0.2.9"));
    status(rules, "192.0.2.9");
    status(rules, "10.0.0.1");
    status(rules, "10.0.0.2");
    status(rules, "192.0.2.1");
    assertEquals(1, metrics.count("r", "deny"));
    assertEquals(2, metrics.count("r", "allow"));
  }

  private static List<String> list(String commaSeparated) {
    return commaSeparated == null ? List.of() : List.of(commaSeparated.split(","));
  }
}
