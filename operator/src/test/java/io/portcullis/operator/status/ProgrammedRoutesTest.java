package io.portcullis.operator.status;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.operator.compile.CompileResult;
import io.portcullis.operator.compile.ObjectRef;
import io.portcullis.operator.compile.ObjectStatus;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.TlsPolicy;
import io.portcullis.snapshot.VirtualHost;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which ProxyRoutes the dataplanes serve as they are now, over results made the way the compiler
 * makes them: unchanged hosts handed on as the same instances, changed ones as new ones.
 */
class ProgrammedRoutesTest {
  private static final String SHOP = "proxyroute/shop/shop/0/shop.example.com";
  private static final ObjectStatus SHOP_STATUS = new ObjectStatus(
      new ObjectRef("ProxyRoute", "shop", "shop", 1, null), List.of(), List.of(), List.of(SHOP));

  private final ProgrammedRoutes routes = new ProgrammedRoutes();
  private final Set<String> acked = new HashSet<>();

  private static VirtualHost shop(String prefix) {
    return new VirtualHost("shop.example.com", List.of(Route.of(SHOP,
        RouteMatch.path(new PathMatch.Prefix(prefix)), new RouteAction.DirectResponse(200, "ok"))),
        new TlsPolicy("shop/shop-tls", false, null));
  }

  private static VirtualHost other(int i, String body) {
    return new VirtualHost("other" + i + ".example.com", List.of(Route.of("ingress/default/other" + i + "/r0/p0",
        RouteMatch.path(new PathMatch.Prefix("/")), new RouteAction.DirectResponse(200, body))));
  }

  private static TlsCertificate certificate(String chain) {
    return new TlsCertificate("shop/shop-tls", chain, "key");
  }

  /** Whether the shop ProxyRoute counts as served after a pass over {@code result}. */
  private boolean served(CompileResult result) {
    routes.startPass(result);
    String version = result.snapshot().version();
    return routes.programmed("ProxyRoute shop/shop", SHOP_STATUS, version, acked.contains(version), acked::contains);
  }

  private static CompileResult result(List<VirtualHost> hosts, TlsCertificate certificate) {
    return new CompileResult(Snapshot.of(hosts, List.of(), null, List.of(certificate), null), List.of(SHOP_STATUS));
  }

  @Test
  void followsItsOwnHostThroughChangesElsewhereAndItsCertificate() {
    List<VirtualHost> hosts = new ArrayList<>(List.of(other(0, "a"), other(1, "a"), shop("/"), other(2, "a")));
    CompileResult first = result(hosts, certificate("one"));
    assertFalse(served(first), "nothing acked yet");
    acked.add(first.snapshot().version());
    assertTrue(served(first));

    // Another host changes (a new instance), the shop's is handed on: still served, no new ack.
    hosts.set(1, other(1, "b"));
    CompileResult otherChanged = result(hosts, certificate("one"));
    assertTrue(served(otherChanged));
    // Hosts come and go beside it.
    hosts.remove(0);
    hosts.add(other(3, "a"));
    assertTrue(served(result(hosts, certificate("one"))));

    // Its Secret is rotated: the same host instance, another certificate. Served once acked.
    CompileResult rotated = result(hosts, certificate("two"));
    assertFalse(served(rotated));
    acked.add(rotated.snapshot().version());
    assertTrue(served(rotated));

    // Its route changes: a new host instance. Served once acked.
    hosts.set(hosts.indexOf(hosts.stream().filter(h -> h.host().startsWith("shop")).findFirst().orElseThrow()), shop("/v2"));
    CompileResult changed = result(hosts, certificate("two"));
    assertFalse(served(changed));
    acked.add(changed.snapshot().version());
    assertTrue(served(changed));

    // Gone from the snapshot (its host dropped), then back as it was served before.
    List<VirtualHost> without = new ArrayList<>(hosts);
    without.removeIf(h -> h.host().startsWith("shop"));
    CompileResult gone = result(without, certificate("two"));
    assertFalse(served(gone), "no route served: not what the dataplanes serve of it before");
    CompileResult back = result(hosts, certificate("two"));
    assertTrue(served(back), "back as before: the very version acked before");
    hosts.add(other(4, "a"));
    assertTrue(served(result(hosts, certificate("two"))), "and stays so through changes elsewhere");
  }
}
