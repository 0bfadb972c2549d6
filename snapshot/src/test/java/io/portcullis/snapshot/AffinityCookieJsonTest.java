package io.portcullis.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.portcullis.snapshot.ClusterPolicy.AffinityCookie;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The affinity cookie's SameSite and Secure travel only when set; older JSON still reads. */
class AffinityCookieJsonTest {

  @Test
  void sameSiteAndSecureRoundTrip() throws IOException {
    AffinityCookie cookie = new AffinityCookie("route", 60, "/shop", AffinityCookie.SameSite.NONE,
        AffinityCookie.Secure.HTTPS_REQUESTS);
    assertEquals(cookie, SnapshotCodec.fromJson(SnapshotCodec.toPrettyJson(cookie), AffinityCookie.class));
  }

  @Test
  void aPlainCookieWritesNeitherAndReadsAsBefore() throws IOException {
    String json = SnapshotCodec.toPrettyJson(new AffinityCookie("route", 0, null));
    assertFalse(json.contains("sameSite") || json.contains("secure"), json);
    assertEquals(new AffinityCookie("route", 0, null),
        SnapshotCodec.fromJson("{\"name\":\"route\"}", AffinityCookie.class));
  }
}
