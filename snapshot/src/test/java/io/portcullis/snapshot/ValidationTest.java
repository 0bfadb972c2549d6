package io.portcullis.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Records refuse to exist in an invalid state, whether built in code or decoded from JSON. */
class ValidationTest {

  private static void rejected(String messagePart, Executable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    assertTrue(e.getMessage().contains(messagePart),
        () -> "message '" + e.getMessage() + "' should mention '" + messagePart + "'");
  }

  private static VirtualHost hostTo(String host, String cluster, String routeName) {
    return new VirtualHost(host, List.of(Route.of(routeName,
        RouteMatch.path(new PathMatch.Prefix("/")), RouteAction.Forward.to(cluster))));
  }

  @Test
  void aRouteToAnUndefinedClusterIsRejected() {
    rejected("undefined cluster default/missing:80", () ->
        Snapshot.of(List.of(hostTo("a.example", "default/missing:80", "r")), List.of(), null));
  }

  @Test
  void anUndefinedDefaultClusterIsRejected() {
    rejected("default cluster", () -> Snapshot.of(List.of(), List.of(), "default/missing:80"));
  }

  @Test
  void duplicateClusterNamesAreRejected() {
    rejected("duplicate cluster", () -> Snapshot.of(List.of(),
        List.of(new Cluster("c", List.of()), new Cluster("c", List.of())), null));
  }

  @Test
  void duplicateHostsAreRejectedEvenInDifferentCase() {
    rejected("duplicate virtual host", () -> Snapshot.of(
        List.of(new VirtualHost("A.example", List.of()), new VirtualHost("a.example", List.of())),
        List.of(), null));
  }

  @Test
  void duplicateRouteNamesAcrossHostsAreRejected() {
    Cluster c = new Cluster("c", List.of());
    rejected("duplicate route name r", () -> Snapshot.of(
        List.of(hostTo("a.example", "c", "r"), hostTo("b.example", "c", "r")), List.of(c), null));
  }

  @Test
  void duplicateEndpointsAreRejected() {
    rejected("duplicate endpoint", () -> new Cluster("c",
        List.of(new Endpoint("10.0.0.1", 80), new Endpoint("10.0.0.1", 80))));
  }

  @Test
  void endpointPortsOutsideOneTo65535AreRejected() {
    rejected("port out of range", () -> new Endpoint("10.0.0.1", 0));
    rejected("port out of range", () -> new Endpoint("10.0.0.1", 65536));
    assertEquals(65535, new Endpoint("10.0.0.1", 65535).port());
  }

  @Test
  void redirectPortsOutsideTheRangeAreRejected() {
    rejected("redirect port", () -> new RouteAction.Redirect(null, null, -1, null, 301));
    rejected("redirect port", () -> new RouteAction.Redirect(null, null, 65536, null, 301));
  }

  @Test
  void weightsOutsideZeroToAMillionAreRejected() {
    rejected("weight out of range", () -> new WeightedBackend("c", -1));
    rejected("weight out of range", () -> new WeightedBackend("c", 1_000_001));
  }

  @Test
  void aForwardWhoseWeightsAreAllZeroIsRejected() {
    rejected("must not all be 0", () -> new RouteAction.Forward(
        List.of(new WeightedBackend("a", 0), new WeightedBackend("b", 0)), null, 0));
  }

  @Test
  void aForwardWithoutBackendsOrWithTheSameBackendTwiceIsRejected() {
    rejected("at least one backend", () -> new RouteAction.Forward(List.of(), null, 0));
    rejected("duplicate backend", () -> new RouteAction.Forward(
        List.of(new WeightedBackend("a", 1), new WeightedBackend("a", 2)), null, 0));
  }

  @Test
  void aNegativeTimeoutIsRejected() {
    rejected("timeout", () -> new RouteAction.Forward(List.of(new WeightedBackend("a", 1)), null, -1));
  }

  @Test
  void redirectStatusesOtherThan301To308AreRejected() {
    rejected("redirect status", () -> new RouteAction.Redirect(null, null, 0, null, 200));
    rejected("redirect status", () -> new RouteAction.Redirect(null, null, 0, null, 304));
  }

  @Test
  void aRedirectSchemeOtherThanHttpOrHttpsIsRejected() {
    rejected("scheme", () -> new RouteAction.Redirect("ftp", null, 0, null, 301));
  }

  @Test
  void directResponseStatusesOutside200To599AreRejected() {
    rejected("status out of range", () -> new RouteAction.DirectResponse(199, ""));
    rejected("status out of range", () -> new RouteAction.DirectResponse(600, ""));
  }

  @Test
  void pathsMustBeAbsolute() {
    rejected("must start with /", () -> new PathMatch.Exact("foo"));
    rejected("must start with /", () -> new PathMatch.Prefix("foo"));
    rejected("must start with /", () -> new RouteAction.Redirect(null, null, 0, "foo", 301));
  }

  @Test
  void aPrefixWithATrailingSlashIsTheSamePrefix() {
    assertEquals(new PathMatch.Prefix("/foo"), new PathMatch.Prefix("/foo/"));
    assertEquals("/", new PathMatch.Prefix("/").value());
  }

  @Test
  void aWildcardOnlyAsTheFirstLabel() {
    rejected("wildcard", () -> new VirtualHost("a.*.example", List.of()));
  }

  @Test
  void aHeaderMatchNeedsAValueUnlessItTestsPresence() {
    rejected("needs a value", () -> new HeaderMatch("x", HeaderMatch.Type.EXACT, null));
    assertEquals(null, new HeaderMatch("X", HeaderMatch.Type.PRESENT, "ignored").value());
  }

  @Test
  void headerNamesAreLowerCased() {
    assertEquals("x-a", new HeaderMatch("X-A", HeaderMatch.Type.EXACT, "v").name());
    assertEquals(Map.of("x-a", "1"), new HeaderRewrite(Map.of("X-A", "1"), null).set());
  }

  @Test
  void invalidRecordsAreRejectedWhenDecodedToo() {
    String json = "{\"version\":\"v\",\"virtualHosts\":[],\"clusters\":[{\"name\":\"c\","
        + "\"endpoints\":[{\"address\":\"10.0.0.1\",\"port\":70000}]}]}";
    rejected("port out of range", () -> SnapshotCodec.fromJson(json, Snapshot.class));
  }

  @Test
  void malformedJsonIsAnIllegalArgument() {
    assertThrows(IllegalArgumentException.class, () -> SnapshotCodec.fromJson("{", Snapshot.class));
    assertThrows(IllegalArgumentException.class,
        () -> SnapshotCodec.fromJson("{\"type\":\"bogus\"}", StreamMessage.class));
  }

  @Test
  void unknownFieldsFromANewerOperatorAreIgnored() {
    String json = "{\"type\":\"ack\",\"version\":\"v1\",\"nonce\":\"n\",\"future\":true}";
    assertEquals(new StreamMessage.Ack("v1", "n"), SnapshotCodec.fromJson(json, StreamMessage.class));
  }

  @Test
  void messagesNeedTheirIdentifiers() {
    rejected("node id", () -> new StreamMessage.Hello(" ", null, 1));
    rejected("nonce", () -> new StreamMessage.Ack("v", ""));
    rejected("nonce", () -> new StreamMessage.Nack("v", null, "e", List.of()));
  }
}
