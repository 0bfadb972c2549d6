package io.portcullis.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestMirrorTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "shop.example.com, shop.example.com-shadow",
    "shop.example.com:8080, shop.example.com-shadow:8080",
    "10.0.0.1:80, 10.0.0.1-shadow:80",
    "'[::1]:8080', '[::1]-shadow:8080'",
    "'[::1]', '[::1]-shadow'",
  })
  void theShadowHostGetsTheSuffixBeforeThePort(String host, String shadow) {
    assertEquals(shadow, RequestMirror.shadowHost(host));
  }
}
