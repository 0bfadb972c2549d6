package io.portcullis.dataplane.filters.iprules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.cli.Flags.FlagException;
import io.portcullis.dataplane.Dataplane;
import io.portcullis.dataplane.DataplaneOptions;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import io.portcullis.snapshot.filter.IpRules;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dataplane's global deny list: {@code --ip-deny} through a started dataplane. */
class GlobalIpDenyTest {
  private static final String CP = "http://127.0.0.1:18000";

  private static DataplaneOptions parse(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--control-plane";
    all[1] = CP;
    System.arraycopy(args, 0, all, 2, args.length);
    return DataplaneOptions.parse(all, Map.of("HOSTNAME", "n"));
  }

  @Test
  @DisplayName("--ip-deny reads CIDRs from the flag, the environment or @FILE, normalised")
  void flag(@TempDir Path dir) throws Exception {
    assertEquals(List.of(), parse().ipDeny());
    assertEquals(List.of(), DataplaneOptions.parse(new String[] {"--control-plane", CP},
        Map.of("PORTCULLIS_IP_DENY", "")).ipDeny()); // what the chart passes by default
    assertEquals(List.of("10.0.0.0/8", "2001:db8::1/128"),
        parse("--ip-deny", " 2001:DB8::1, 10.1.2.3/8 ,").ipDeny());
    assertEquals(List.of("192.0.2.0/24"), DataplaneOptions.parse(new String[] {"--control-plane", CP},
        Map.of("PORTCULLIS_IP_DENY", "192.0.2.0/24")).ipDeny());
    Path file = dir.resolve("deny.txt");
    Files.writeString(file, "# a block list\n192.0.2.0/24  198.51.100.7 # one host\n\n2001:db8::/32,\n");
    assertEquals(List.of("192.0.2.0/24", "198.51.100.7/32", "2001:db8::/32"),
        parse("--ip-deny", "@" + file).ipDeny());
  }

  @Test
  @DisplayName("a bad --ip-deny entry or file stops the program with one line naming the flag")
  void badFlag(@TempDir Path dir) {
    String bad = assertThrows(FlagException.class, () -> parse("--ip-deny", "10.0.0.0/8,10.0.0.256"))
        .getMessage();
    assertEquals("bad value '10.0.0.0/8,10.0.0.256' for --ip-deny: '10.0.0.256' is not an IP"
        + " address or CIDR (IPv4 parts are decimal numbers 0 to 255)", bad);
    String missing = assertThrows(FlagException.class,
        () -> parse("--ip-deny", "@" + dir.resolve("missing.txt"))).getMessage();
    assertTrue(missing.contains("--ip-deny") && missing.contains("cannot read"), missing);
  }

  @Test
  @DisplayName("the global deny list refuses a client on every route, unmatched hosts included,"
      + " and a route's own rules cannot switch it off")
  void everywhere() throws Exception {
    try (TestBackend backend = new TestBackend();
        Dataplane dataplane = Dataplane.start(new DataplaneOptions(URI.create("http://127.0.0.1:1"),
            "ip-test", 0, 0, 0, "127.0.0.1", "info").withAccessLog(false)
            .withIpDeny(List.of("127.0.0.2/32")))) {
      int backendPort = backend.start();
      VirtualHost vhost = new VirtualHost("ip.example.com", List.of(
          Route.of("open", RouteMatch.path(new PathMatch.Prefix("/")), RouteAction.Forward.to("c"))
              .withFilters(List.of(new IpRules(List.of(), List.of())))));
      dataplane.config().apply(Snapshot.of(List.of(vhost),
          List.of(new Cluster("c", List.of(new Endpoint("127.0.0.1", backendPort)))), null));
      int port = dataplane.httpPort();

      assertEquals(200, FromAddress.status(FromAddress.get("127.0.0.1", port, "ip.example.com", "/")));
      assertEquals(403, FromAddress.status(FromAddress.get("127.0.0.2", port, "ip.example.com", "/")));
      assertEquals(404, FromAddress.status(FromAddress.get("127.0.0.1", port, "other.example", "/")));
      assertEquals(403, FromAddress.status(FromAddress.get("127.0.0.2", port, "other.example", "/")));
      assertEquals(1, backend.requests.size());

      String metrics = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dataplane.adminPort() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(metrics.contains("portcullis_ip_rules_denied_total{list=\"global\",route=\"open\"}"), metrics);
      assertTrue(metrics.contains("portcullis_ip_rules_denied_total{list=\"global\",route=\"none\"}"), metrics);
    }
  }
}
