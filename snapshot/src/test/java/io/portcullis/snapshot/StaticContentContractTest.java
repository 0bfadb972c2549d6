package io.portcullis.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticContentContractTest {
  private static final StaticBlob INDEX = StaticBlob.ofText("<h1>hello</h1>");
  private static final StaticBlob APP = StaticBlob.ofText("console.log(1)");

  private static Snapshot site(List<StaticBlob> blobs, StaticFile... files) {
    Route route = Route.of("site", RouteMatch.path(new PathMatch.Prefix("/")),
        new RouteAction.Static(new StaticSource.Files(List.of(files), 1_700_000_000L), null, true));
    return Snapshot.of(List.of(new VirtualHost("a.example", List.of(route))), List.of(), null,
        List.of(), null, blobs);
  }

  private static StaticFile file(String path, StaticBlob blob) {
    return new StaticFile(path, blob.digest(), blob.bytes().length);
  }

  @Test
  void aStaticSiteRoundTripsThroughJson() {
    Snapshot s = site(List.of(INDEX, APP), file("index.html", INDEX), file("app.js", APP));
    Snapshot back = SnapshotCodec.fromJson(SnapshotCodec.toJson(s), Snapshot.class);
    assertEquals(s, back);
    assertEquals(s.version(), Snapshot.of(back.virtualHosts(), back.clusters(), null, List.of(),
        null, back.blobs()).version());
    RouteAction.Static action = (RouteAction.Static) back.virtualHosts().get(0).routes().get(0).action();
    assertEquals("index.html", action.index());
    assertArrayEquals("<h1>hello</h1>".getBytes(StandardCharsets.UTF_8),
        back.blobsByDigest().get(INDEX.digest()).bytes());
  }

  @Test
  void snapshotsWithoutStaticFilesKeepTheirWireForm() {
    String json = SnapshotCodec.toJsonString(Snapshot.empty());
    assertFalse(json.contains("blobs"), json);
  }

  @Test
  void aRouteCannotNameContentTheSnapshotDoesNotCarry() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> site(List.of(INDEX), file("index.html", INDEX), file("app.js", APP)));
    assertTrue(e.getMessage().contains("app.js"), e.getMessage());
  }

  @Test
  void aDeltaCarriesOnlyNewContentAndDropsUnusedContent() {
    StaticBlob changed = StaticBlob.ofText("console.log(2)");
    Snapshot before = site(List.of(INDEX, APP), file("index.html", INDEX), file("app.js", APP));
    Snapshot after = site(List.of(INDEX, changed), file("index.html", INDEX), file("app.js", changed));
    Delta delta = Delta.between(before, after);
    assertEquals(List.of(changed), delta.upsertBlobs());
    assertEquals(List.of(APP.digest()), delta.removeBlobs());
    assertFalse(delta.isEndpointOnly());
    assertEquals(after, delta.applyTo(before));
    Delta roundTripped = SnapshotCodec.fromJson(SnapshotCodec.toJson(delta), Delta.class);
    assertEquals(after, roundTripped.applyTo(before));
  }

  @Test
  void pathsAndNamesThatCouldEscapeTheSiteAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> file("../etc/passwd", INDEX));
    assertThrows(IllegalArgumentException.class, () -> file("/abs", INDEX));
    assertThrows(IllegalArgumentException.class, () -> file("a//b", INDEX));
    assertThrows(IllegalArgumentException.class, () -> new StaticSource.Directory("relative"));
    assertThrows(IllegalArgumentException.class, () -> new StaticSource.Directory("/srv/../etc"));
    assertThrows(IllegalArgumentException.class,
        () -> new RouteAction.Static(new StaticSource.Directory("/srv"), "a/b.html", false));
    assertEquals("/srv/www", new StaticSource.Directory("/srv/www/").path());
  }
}
