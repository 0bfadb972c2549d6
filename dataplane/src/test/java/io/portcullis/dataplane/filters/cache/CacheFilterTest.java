package io.portcullis.dataplane.filters.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.snapshot.filter.CachePolicy;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The cache's RFC 9111 rules, one test per rule, driven through the filter phases. */
class CacheFilterTest {
  private CacheHarness h = new CacheHarness();
  private final AtomicInteger version = new AtomicInteger();

  @AfterEach
  void close() {
    h.close();
  }

  /** The origin answers a body naming how many times it was asked, with these headers. */
  private void origin(int status, String... headers) {
    h.origin = r -> h.dated(status, "v" + version.incrementAndGet(), headers);
  }

  @Test
  void freshResponseIsAnsweredFromTheStoreWithAgeAndCacheStatus() {
    origin(200, "cache-control", "max-age=60");
    var first = h.get("/a");
    assertTrue(first.fromOrigin());
    assertEquals("v1", first.body());
    assertTrue(first.header("cache-status").contains("fwd=uri-miss"));
    assertTrue(first.header("cache-status").contains("stored"));
    h.advanceSeconds(10);
    var second = h.get("/a");
    assertFalse(second.fromOrigin());
    assertEquals("v1", second.body());
    assertEquals("10", second.header("age"));
    assertEquals("Portcullis; hit; ttl=50", second.header("cache-status"));
  }

  @Test
  void expiredMaxAgeGoesUpstream() {
    origin(200, "cache-control", "max-age=5");
    h.get("/a");
    h.advanceSeconds(6);
    var second = h.get("/a");
    assertTrue(second.fromOrigin());
    assertEquals("v2", second.body());
    assertTrue(second.header("cache-status").contains("fwd=stale"));
  }

  @Test
  void sMaxAgeWinsOverMaxAgeInASharedCache() {
    origin(200, "cache-control", "max-age=1, s-maxage=100");
    h.get("/a");
    h.advanceSeconds(50);
    assertFalse(h.get("/a").fromOrigin());
  }

  @Test
  void expiresMinusDateGivesTheLifetime() {
    h.origin = r -> h.dated(200, "x", "expires", h.httpDate(30));
    h.get("/a");
    h.advanceSeconds(20);
    assertFalse(h.get("/a").fromOrigin());
    h.advanceSeconds(20);
    assertTrue(h.get("/a").fromOrigin());
  }

  @Test
  void anInvalidExpiresIsAlreadyStale() {
    origin(200, "expires", "0");
    h.get("/a");
    assertTrue(h.get("/a").fromOrigin());
  }

  @Test
  void heuristicFreshnessOnlyForHeuristicallyCacheableStatuses() {
    h.origin = r -> h.dated(200, "x", "last-modified", h.httpDate(-10 * 24 * 3600));
    h.get("/a");
    h.advanceSeconds(3600);
    assertFalse(h.get("/a").fromOrigin(), "10% of 10 days is a day");
    h.origin = r -> h.dated(302, "x", "last-modified", h.httpDate(-10 * 24 * 3600),
        "location", "/b");
    h.get("/moved");
    assertTrue(h.get("/moved").fromOrigin(), "a 302 without explicit freshness is not stored");
  }

  @Test
  void noStoreAndPrivateAreNotStored() {
    origin(200, "cache-control", "max-age=60, no-store");
    h.get("/a");
    assertTrue(h.get("/a").fromOrigin());
    origin(200, "cache-control", "max-age=60, private");
    h.get("/b");
    assertTrue(h.get("/b").fromOrigin());
  }

  @Test
  void requestNoStoreIsNotStored() {
    origin(200, "cache-control", "max-age=60");
    h.get("/a", "cache-control", "no-store");
    assertTrue(h.get("/a").fromOrigin());
  }

  @Test
  void mustUnderstandOverridesNoStoreForAnUnderstoodStatus() {
    origin(200, "cache-control", "max-age=60, no-store, must-understand");
    h.get("/a");
    assertFalse(h.get("/a").fromOrigin());
  }

  @Test
  void privateWithFieldNamesStoresTheResponseWithoutThoseFields() {
    origin(200, "cache-control", "max-age=60, private=\"x-user\"", "x-user", "alice");
    assertEquals("alice", h.get("/a").header("x-user"));
    var hit = h.get("/a");
    assertFalse(hit.fromOrigin());
    assertNull(hit.header("x-user"));
  }

  @Test
  void noCacheResponsesAreStoredButAlwaysRevalidated() {
    origin(200, "cache-control", "max-age=60, no-cache", "etag", "\"e1\"");
    h.get("/a");
    h.origin = r -> h.dated(304, "", "etag", "\"e1\"", "cache-control", "max-age=60, no-cache");
    var second = h.get("/a");
    assertTrue(second.fromOrigin());
    assertEquals("\"e1\"", second.upstreamRequest().get("if-none-match"));
    assertEquals(200, second.status());
    assertEquals("v1", second.body());
  }

  @Test
  void noCacheWithFieldNamesDropsThoseFieldsFromStoredResponses() {
    origin(200, "cache-control", "max-age=60, no-cache=\"x-token\"", "x-token", "t");
    h.get("/a");
    var hit = h.get("/a");
    assertFalse(hit.fromOrigin());
    assertNull(hit.header("x-token"));
  }

  @Test
  void authorizedRequestsAreStoredOnlyWhenTheResponseAllowsIt() {
    origin(200, "cache-control", "max-age=60");
    h.get("/a", "authorization", "Bearer x");
    assertTrue(h.get("/a").fromOrigin(), "max-age alone does not allow storing");
    origin(200, "cache-control", "max-age=60, public");
    h.get("/b", "authorization", "Bearer x");
    assertFalse(h.get("/b").fromOrigin());
    origin(200, "cache-control", "s-maxage=60");
    h.get("/c", "authorization", "Bearer x");
    assertFalse(h.get("/c").fromOrigin());
  }

  @Test
  void varySelectsVariantsAndNormalisesAcceptEncoding() {
    origin(200, "cache-control", "max-age=60", "vary", "Accept-Encoding");
    assertEquals("v1", h.get("/a", "accept-encoding", "gzip, br").body());
    assertEquals("v2", h.get("/a", "accept-encoding", "identity").body());
    var same = h.get("/a", "accept-encoding", "br;q=1.0,gzip");
    assertFalse(same.fromOrigin());
    assertEquals("v1", same.body());
    var other = h.get("/a", "accept-encoding", "identity");
    assertFalse(other.fromOrigin());
    assertEquals("v2", other.body());
    assertTrue(h.get("/a", "accept-encoding", "zstd").header("cache-status")
        .contains("fwd=vary-miss"));
  }

  @Test
  void varyStarIsNeverStored() {
    origin(200, "cache-control", "max-age=60", "vary", "*");
    h.get("/a");
    assertTrue(h.get("/a").fromOrigin());
  }

  @Test
  void extraKeyHeadersSeparateEntries() {
    h.close();
    h = new CacheHarness(new CachePolicy(0, List.of("X-Tenant")), 1 << 20);
    origin(200, "cache-control", "max-age=60");
    assertEquals("v1", h.get("/a", "x-tenant", "a").body());
    assertEquals("v2", h.get("/a", "x-tenant", "b").body());
    assertEquals("v1", h.get("/a", "x-tenant", "a").body());
  }

  @Test
  void a304RefreshesTheStoredResponseAndMergesItsHeaders() {
    origin(200, "cache-control", "max-age=10", "etag", "\"e1\"", "x-version", "old",
        "content-type", "text/plain");
    h.get("/a");
    h.advanceSeconds(11);
    h.origin = r -> h.dated(304, "", "etag", "\"e1\"", "cache-control", "max-age=100",
        "x-version", "new");
    var revalidated = h.get("/a");
    assertTrue(revalidated.fromOrigin());
    assertEquals("\"e1\"", revalidated.upstreamRequest().get("if-none-match"));
    assertEquals(200, revalidated.status());
    assertEquals("v1", revalidated.body());
    assertEquals("new", revalidated.header("x-version"));
    assertEquals("text/plain", revalidated.header("content-type"));
    assertTrue(revalidated.header("cache-status").contains("fwd-status=304"));
    h.advanceSeconds(50);
    var hit = h.get("/a");
    assertFalse(hit.fromOrigin(), "fresh again for max-age=100 from the 304");
    assertEquals("new", hit.header("x-version"));
    assertEquals(1.0, h.metrics.lookups("revalidated"));
  }

  @Test
  void lastModifiedIsUsedAsAValidator() {
    String lm = h.httpDate(-3600);
    origin(200, "cache-control", "max-age=1", "last-modified", lm);
    h.get("/a");
    h.advanceSeconds(2);
    h.origin = r -> h.dated(304, "");
    var second = h.get("/a");
    assertEquals(lm, second.upstreamRequest().get("if-modified-since"));
    assertEquals("v1", second.body());
  }

  @Test
  void aFreshHitAnswersTheClientsOwnConditionalWith304() {
    origin(200, "cache-control", "max-age=60", "etag", "\"e1\"");
    h.get("/a");
    var hit = h.get("/a", "if-none-match", "W/\"e1\"");
    assertFalse(hit.fromOrigin());
    assertEquals(304, hit.status());
    assertEquals("\"e1\"", hit.header("etag"));
    assertEquals(200, h.get("/a", "if-none-match", "\"other\"").status());
  }

  @Test
  void requestDirectivesLimitWhatIsReused() {
    origin(200, "cache-control", "max-age=60");
    h.get("/a");
    h.advanceSeconds(30);
    assertTrue(h.get("/a", "cache-control", "max-age=10").fromOrigin(), "max-age");
    h.advanceSeconds(30);
    assertTrue(h.get("/a", "cache-control", "min-fresh=40").fromOrigin(), "min-fresh");
    assertTrue(h.get("/a", "cache-control", "no-cache").fromOrigin(), "no-cache");
    assertTrue(h.get("/a", "pragma", "no-cache").fromOrigin(), "pragma no-cache");
  }

  @Test
  void maxStaleServesStaleUnlessMustRevalidate() {
    origin(200, "cache-control", "max-age=1");
    h.get("/a");
    h.advanceSeconds(10);
    var stale = h.get("/a", "cache-control", "max-stale=60");
    assertFalse(stale.fromOrigin());
    assertTrue(stale.header("cache-status").contains("detail=max-stale"));
    assertTrue(h.get("/b").fromOrigin());
    origin(200, "cache-control", "max-age=1, must-revalidate");
    h.get("/c");
    h.advanceSeconds(10);
    assertTrue(h.get("/c", "cache-control", "max-stale").fromOrigin());
    origin(200, "cache-control", "max-age=1, proxy-revalidate");
    h.get("/d");
    h.advanceSeconds(10);
    assertTrue(h.get("/d", "cache-control", "max-stale").fromOrigin());
  }

  @Test
  void onlyIfCachedAnswers504OnAMiss() {
    var miss = h.get("/a", "cache-control", "only-if-cached");
    assertFalse(miss.fromOrigin());
    assertEquals(504, miss.status());
  }

  @Test
  void unsafeMethodsInvalidateTheirUrlAndSameOriginLocations() {
    origin(200, "cache-control", "max-age=60");
    h.get("/a");
    h.get("/b");
    h.get("/c");
    h.origin = r -> h.dated(201, "", "location", "/b",
        "content-location", "http://elsewhere.example/c");
    h.send("POST", "/a");
    origin(200, "cache-control", "max-age=60");
    assertTrue(h.get("/a").fromOrigin(), "the POSTed URL");
    assertTrue(h.get("/b").fromOrigin(), "its Location");
    assertFalse(h.get("/c").fromOrigin(), "another origin's URL is left alone");
  }

  @Test
  void anUnsafeMethodThatFailsInvalidatesNothing() {
    origin(200, "cache-control", "max-age=60");
    h.get("/a");
    h.origin = r -> h.dated(500, "");
    h.send("DELETE", "/a");
    assertFalse(h.get("/a").fromOrigin());
  }

  @Test
  void staleIfErrorServesTheStoredResponseWhenTheOriginFails() {
    origin(200, "cache-control", "max-age=1, stale-if-error=60");
    h.get("/a");
    h.advanceSeconds(10);
    h.origin = r -> h.dated(500, "down");
    var stale = h.get("/a");
    assertEquals(200, stale.status());
    assertEquals("v1", stale.body());
    assertTrue(stale.header("cache-status").contains("stale-if-error"));
    h.advanceSeconds(100);
    assertEquals(500, h.get("/a").status());
  }

  @Test
  void staleWhileRevalidateServesStaleWithinTheWindow() {
    origin(200, "cache-control", "max-age=1, stale-while-revalidate=30");
    h.get("/a");
    h.advanceSeconds(10);
    assertFalse(h.get("/a").fromOrigin());
    h.advanceSeconds(30);
    assertTrue(h.get("/a").fromOrigin());
  }

  @Test
  void staleWhileRevalidateRefreshesWithTheStoredValidators() {
    origin(200, "cache-control", "max-age=1, stale-while-revalidate=30", "etag", "\"e1\"");
    h.get("/a");
    h.advanceSeconds(10);
    h.origin = r -> h.dated(304, "", "cache-control", "max-age=60", "etag", "\"e1\"");
    var stale = h.get("/a", "if-none-match", "\"other\"");
    assertFalse(stale.fromOrigin());
    assertEquals(1, h.backgroundRequests.size());
    assertEquals("\"e1\"", h.backgroundRequests.get(0).get("if-none-match"),
        "the stored validator, not the client's");
    var fresh = h.get("/a");
    assertFalse(fresh.fromOrigin());
    assertFalse(fresh.header("cache-status").contains("stale"), fresh.header("cache-status"));
    assertEquals(1.0, h.metrics.refreshes("not_modified"));
  }

  @Test
  void aRefreshThatFailsKeepsTheStaleResponse() {
    origin(200, "cache-control", "max-age=1, stale-while-revalidate=30", "etag", "\"e1\"");
    h.get("/a");
    h.advanceSeconds(10);
    h.origin = r -> h.dated(503, "down");
    assertFalse(h.get("/a").fromOrigin());
    assertEquals(1.0, h.metrics.refreshes("failed"));
    assertFalse(h.get("/a").fromOrigin(), "still served stale within the window");
  }

  @Test
  void targetedFieldsWinOverCacheControl() {
    origin(200, "cache-control", "no-store", "cdn-cache-control", "max-age=60");
    h.get("/a");
    assertFalse(h.get("/a").fromOrigin(), "CDN-Cache-Control");
    origin(200, "cache-control", "max-age=60", "cdn-cache-control", "no-store",
        "portcullis-cache-control", "max-age=60");
    var first = h.get("/b");
    assertNull(first.header("portcullis-cache-control"), "our own field is not forwarded");
    var hit = h.get("/b");
    assertFalse(hit.fromOrigin(), "Portcullis-Cache-Control");
    assertNull(hit.header("portcullis-cache-control"));
    origin(200, "cache-control", "max-age=60", "cdn-cache-control", "no-store");
    h.get("/c");
    assertTrue(h.get("/c").fromOrigin());
  }

  @Test
  void responsesSettingCookiesAreNotStored() {
    origin(200, "cache-control", "max-age=60", "set-cookie", "id=1");
    h.get("/a");
    assertTrue(h.get("/a").fromOrigin());
  }

  @Test
  void partialContentAndRangesBypassTheCache() {
    origin(206, "cache-control", "max-age=60", "content-range", "bytes 0-1/10");
    var first = h.get("/a", "range", "bytes=0-1");
    assertTrue(first.header("cache-status").contains("fwd=bypass"));
    assertTrue(h.get("/a", "range", "bytes=0-1").fromOrigin());
  }

  @Test
  void ageFromUpstreamCountsAgainstTheLifetime() {
    origin(200, "cache-control", "max-age=60", "age", "55");
    h.get("/a");
    h.advanceSeconds(3);
    var hit = h.get("/a");
    assertFalse(hit.fromOrigin());
    assertEquals("58", hit.header("age"));
    h.advanceSeconds(3);
    assertTrue(h.get("/a").fromOrigin());
  }

  @Test
  void headIsAnsweredFromTheGetEntry() {
    origin(200, "cache-control", "max-age=60");
    h.get("/a");
    assertFalse(h.send("HEAD", "/a").fromOrigin());
  }

  @Test
  void objectsOverTheLimitAreRelayedButNotStored() {
    h.close();
    h = new CacheHarness(new CachePolicy(4, List.of()), 1 << 20);
    h.origin = r -> h.dated(200, "0123456789", "cache-control", "max-age=60");
    assertEquals("0123456789", h.get("/a").body());
    assertTrue(h.get("/a").fromOrigin());
  }

  @Test
  void storeIsBoundedByBytesAndCountsEvictions() {
    h.close();
    h = new CacheHarness(CachePolicy.defaults(), 4096);
    h.origin = r -> h.dated(200, "x".repeat(1000), "cache-control", "max-age=60");
    for (int i = 0; i < 20; i++) {
      h.get("/" + i);
    }
    h.engine.store().cleanUp();
    assertTrue(h.engine.store().weightedSize() <= 4096);
    assertTrue(h.metrics.evictionCount() > 0);
  }

  @Test
  void purgeByKeyAndByPrefix() {
    origin(200, "cache-control", "max-age=60");
    h.get("/img/1");
    h.get("/img/2");
    h.get("/a");
    assertEquals(1, h.engine.purgeKey("http://shop.example.com/a"));
    assertEquals(2, h.engine.purgePrefix("GET http://shop.example.com/img/"));
    assertTrue(h.get("/a").fromOrigin());
    assertTrue(h.get("/img/1").fromOrigin());
  }

  @Test
  void concurrentMissesWaitForTheFirst() throws Exception {
    origin(200, "cache-control", "max-age=60");
    var leader = h.exchange("GET", "/a");
    var leaderAction = h.filter.onRequest(leader);
    assertInstanceOf(FilterAction.Proceed.class, leaderAction);
    var follower = h.exchange("GET", "/a");
    var followerAction = h.filter.onRequest(follower);
    assertInstanceOf(FilterAction.Pause.class, followerAction);
    h.finish(leader, leaderAction);
    var result = h.finish(follower, followerAction);
    assertFalse(result.fromOrigin());
    assertEquals("v1", result.body());
    assertTrue(result.header("cache-status").contains("collapsed"));
    assertEquals(1, h.originRequests.size());
    assertEquals(1.0, h.metrics.coalescedCount());
  }

  @Test
  void followersOfAnUnstorableResponseGoUpstreamThemselves() {
    origin(200, "cache-control", "no-store");
    var leader = h.exchange("GET", "/a");
    var leaderAction = h.filter.onRequest(leader);
    var follower = h.exchange("GET", "/a");
    var followerAction = h.filter.onRequest(follower);
    h.finish(leader, leaderAction);
    assertTrue(h.finish(follower, followerAction).fromOrigin());
    assertEquals(2, h.originRequests.size());
  }

  @Test
  void expiresMustBeAStrictHttpDate() {
    h.origin = r -> h.dated(200, "x", "expires", "Thu, 01 Jan 2099 1:00:00 GMT");
    h.get("/a");
    assertTrue(h.get("/a").fromOrigin(), "a one-digit hour is not a date: already expired");
    assertEquals(-1, HttpDates.parse("Thu, 01 Jan 2099 01:00:00 UTC"));
    assertEquals(HttpDates.parse("Sun, 06 Nov 1994 08:49:37 GMT"),
        HttpDates.parse("Sunday, 06-Nov-94 08:49:37 GMT"));
    assertEquals(HttpDates.parse("Sun, 06 Nov 1994 08:49:37 GMT"),
        HttpDates.parse("Sun Nov  6 08:49:37 1994"));
    assertEquals(784111777L, HttpDates.parse("Sun, 06 Nov 1994 08:49:37 GMT"));
  }

  @Test
  void aStaleResponseStandsInWhenTheOriginCannotBeReachedUnlessForbidden() {
    origin(200, "cache-control", "max-age=1");
    h.get("/a");
    h.advanceSeconds(5);
    h.origin = r -> h.dated(502, "bad gateway");
    var stale = h.get("/a");
    assertEquals(200, stale.status());
    assertEquals("v1", stale.body());
    h.origin = r -> h.dated(500, "oops");
    assertEquals(500, h.get("/a").status(), "an origin's own 500 needs stale-if-error");
    for (String forbidding : List.of("must-revalidate", "proxy-revalidate", "no-cache", "s-maxage=1")) {
      origin(200, "cache-control", "max-age=1, " + forbidding);
      h.get("/" + forbidding);
      h.advanceSeconds(5);
      h.origin = r -> h.dated(504, "timeout");
      assertEquals(504, h.get("/" + forbidding).status(), forbidding);
    }
  }

  @Test
  void aCookieNamedInPrivateIsStrippedAndTheResponseStored() {
    origin(200, "cache-control", "max-age=60, private=\"set-cookie\"", "set-cookie", "id=1");
    assertEquals("id=1", h.get("/a").header("set-cookie"));
    var hit = h.get("/a");
    assertFalse(hit.fromOrigin());
    assertNull(hit.header("set-cookie"));
  }

  @Test
  void anInvalidTargetedFieldIsIgnoredWhole() {
    origin(200, "cache-control", "no-store", "cdn-cache-control", "max-age=10000, &&&&&");
    h.get("/a");
    assertTrue(h.get("/a").fromOrigin(), "not a structured field");
    origin(200, "cache-control", "no-store", "cdn-cache-control", "max-age=\"10000\"");
    h.get("/b");
    assertTrue(h.get("/b").fromOrigin(), "max-age as a string");
  }

  @Test
  void varyIsJudgedOnTheRequestAsTheCacheSawIt() {
    h.origin = r -> {
      r.headers().set("x-variant", "set by a later filter");
      return h.dated(200, "v", "cache-control", "max-age=60", "vary", "x-variant");
    };
    h.get("/a", "x-variant", "a");
    assertFalse(h.get("/a", "x-variant", "a").fromOrigin());
  }
}
