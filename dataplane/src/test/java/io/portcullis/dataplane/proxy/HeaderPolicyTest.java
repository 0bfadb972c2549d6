package io.portcullis.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.snapshot.HeaderRewrite;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeaderPolicyTest {

  @Test
  void hopByHopHeadersAndTheNamesConnectionListsAreRemoved() {
    HttpHeaders h =
        new DefaultHttpHeaders()
            .add("connection", "keep-alive, X-Foo")
            .add("x-foo", "1")
            .add("keep-alive", "timeout=5")
            .add("te", "trailers")
            .add("trailer", "x")
            .add("transfer-encoding", "chunked")
            .add("proxy-connection", "keep-alive")
            .add("upgrade", "websocket")
            .add("proxy-authorization", "Basic abc")
            .add("x-keep", "yes");
    HttpHeaders out = HeaderPolicy.upstreamRequestHeaders(h, "10.1.1.1", "http", "id-1", HeaderRewrite.NONE, false);
    for (String gone : List.of("connection", "x-foo", "keep-alive", "te", "trailer", "transfer-encoding", "proxy-connection", "upgrade")) {
      assertFalse(out.contains(gone), gone);
    }
    assertEquals("Basic abc", out.get("proxy-authorization"));
    assertEquals("yes", out.get("x-keep"));
    assertEquals("keep-alive, X-Foo", h.get("connection"), "the input is not modified");
  }

  @Test
  void everyConnectionFieldIsReadWithItsEmptyElementsAndWhitespace() {
    HttpHeaders h =
        new DefaultHttpHeaders()
            .add("connection", "X-One ,,\tx-two, Close")
            .add("connection", "KEEP-ALIVE,x-three")
            .add("x-one", "1").add("X-Two", "2").add("x-three", "3").add("close", "kept?")
            .add("x-keep", "yes");
    HeaderPolicy.removeHopByHop(h, false);
    for (String gone : List.of("connection", "x-one", "x-two", "x-three", "keep-alive")) {
      assertFalse(h.contains(gone), gone);
    }
    assertEquals("yes", h.get("x-keep"));
    HttpHeaders upgrade = new DefaultHttpHeaders().add("connection", "UPGRADE, x-one")
        .add("upgrade", "websocket").add("x-one", "1");
    HeaderPolicy.removeHopByHop(upgrade, true);
    assertEquals("websocket", upgrade.get("upgrade"));
    assertFalse(upgrade.contains("x-one"));
  }

  @Test
  void upgradeIsKeptForTunnelledRequests() {
    HttpHeaders h = new DefaultHttpHeaders().add("connection", "Upgrade").add("upgrade", "websocket");
    assertTrue(HeaderPolicy.isUpgradeRequest(h));
    HttpHeaders out = HeaderPolicy.upstreamRequestHeaders(h, "1.2.3.4", "http", "id", HeaderRewrite.NONE, true);
    assertEquals("websocket", out.get("upgrade"));
    assertEquals("upgrade", out.get("connection"));
    assertFalse(HeaderPolicy.isUpgradeRequest(new DefaultHttpHeaders().add("connection", "upgrade").add("upgrade", "h2c")));
  }

  @Test
  void forwardedHeadersAppendTheClientAndOverwriteProtoAndHost() {
    HttpHeaders h =
        new DefaultHttpHeaders()
            .add("host", "shop.test")
            .add("x-forwarded-for", "1.1.1.1")
            .add("x-forwarded-proto", "https")
            .add("expect", "100-continue");
    HttpHeaders out = HeaderPolicy.upstreamRequestHeaders(h, "10.0.0.9", "http", "rid", HeaderRewrite.NONE, false);
    // What to send is ForwardedFor's decision; the policy sets it as given.
    assertEquals("10.0.0.9", out.get("x-forwarded-for"));
    assertEquals("http", out.get("x-forwarded-proto"));
    assertEquals("shop.test", out.get("x-forwarded-host"));
    assertEquals("rid", out.get("x-request-id"));
    assertNull(out.get("expect"));
  }

  @Test
  void rewriteRemovesThenSets() {
    HttpHeaders h = new DefaultHttpHeaders().add("x-a", "1").add("x-b", "2");
    HeaderPolicy.applyRewrite(h, new HeaderRewrite(Map.of("x-a", "new", "x-c", "3"), List.of("x-a", "x-b")));
    assertEquals("new", h.get("x-a"));
    assertNull(h.get("x-b"));
    assertEquals("3", h.get("x-c"));
  }

  @Test
  void saneRequestIdsAreKeptOthersReplaced() {
    assertEquals("abc-123_x.y", HeaderPolicy.requestId(new DefaultHttpHeaders().add("x-request-id", "abc-123_x.y")));
    String fresh = HeaderPolicy.requestId(new DefaultHttpHeaders().add("x-request-id", "evil\tvalue"));
    assertTrue(fresh.matches("[0-9a-f]{32}"), fresh);
    assertTrue(HeaderPolicy.requestId(new DefaultHttpHeaders().add("x-request-id", "a".repeat(200))).matches("[0-9a-f]{32}"));
    assertTrue(HeaderPolicy.requestId(new DefaultHttpHeaders().add("x-request-id", "a").add("x-request-id", "b")).matches("[0-9a-f]{32}"));
  }
}
