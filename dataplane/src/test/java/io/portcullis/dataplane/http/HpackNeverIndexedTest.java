package io.portcullis.dataplane.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HpackNeverIndexedTest {
  @ParameterizedTest
  @ValueSource(strings = {"authorization", "proxy-authorization", "cookie", "set-cookie",
      "x-request-id", "Cookie", "X-Request-Id"})
  void credentialsAndPerMessageIdsAreNeverIndexed(String name) {
    assertTrue(HpackNeverIndexed.INSTANCE.isSensitive(name, "v"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"content-type", ":status", "cookies", "x-request", "authorizatio",
      "server", "date"})
  void everythingElseIsIndexedAsUsual(String name) {
    assertFalse(HpackNeverIndexed.INSTANCE.isSensitive(name, "v"));
  }
}
