package io.portcullis.dataplane.filters.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.testing.FakeFilterContext;
import io.portcullis.snapshot.filter.ConcurrencyLimit;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitFilterTest {

  @Test
  @DisplayName("a client over its limit gets 503; ended exchanges give slots back; no entry stays at zero")
  void countsAndFrees() throws Exception {
    ConcurrencyCounts counts = new ConcurrencyCounts();
    ConcurrencyLimitFilter filter = new ConcurrencyLimitFilter(new ConcurrencyLimit(2), counts);
    InetAddress a = InetAddress.getByName("192.0.2.1");
    InetAddress b = InetAddress.getByName("192.0.2.2");
    List<FakeFilterContext> open = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      FakeFilterContext ctx = FakeFilterContext.of("http", "GET", "a.example", "/").client(a);
      assertEquals(FilterAction.proceed(), filter.onRequest(ctx));
      open.add(ctx);
    }
    FilterAction refused = filter.onRequest(FakeFilterContext.of("http", "GET", "a.example", "/").client(a));
    assertEquals(503, assertInstanceOf(FilterAction.Respond.class, refused).response().status());
    assertEquals(FilterAction.proceed(),
        filter.onRequest(FakeFilterContext.of("http", "GET", "a.example", "/").client(b).route("other")));
    assertEquals(2, counts.inProgress("test-route", a));
    open.forEach(FakeFilterContext::end);
    assertEquals(0, counts.inProgress("test-route", a));
    assertEquals(1, counts.entries()); // b's request is still in progress on "other"
  }

  @Test
  @DisplayName("a group shares one count over its routes")
  void groupSharesCount() throws Exception {
    ConcurrencyCounts counts = new ConcurrencyCounts();
    ConcurrencyLimitFilter filter =
        new ConcurrencyLimitFilter(new ConcurrencyLimit(1, "ingress/default/shop"), counts);
    InetAddress a = InetAddress.getByName("192.0.2.1");
    assertEquals(FilterAction.proceed(),
        filter.onRequest(FakeFilterContext.of("http", "GET", "a.example", "/x").client(a).route("x")));
    assertInstanceOf(FilterAction.Respond.class,
        filter.onRequest(FakeFilterContext.of("http", "GET", "a.example", "/y").client(a).route("y")));
  }
}
