package io.portcullis.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.portcullis.cli.Flags.FlagException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CacheSizeFlagTest {
  private static DataplaneOptions parse(Map<String, String> env, String... args) {
    return DataplaneOptions.parse(args, env);
  }

  @Test
  void cacheSizeDefaultsTo128MiAndTakesUnitSuffixes() {
    assertEquals(128L << 20,
        parse(Map.of(), "--control-plane", "http://127.0.0.1:1").cacheSize());
    assertEquals(1L << 30,
        parse(Map.of(), "--control-plane", "http://127.0.0.1:1", "--cache-size", "1Gi").cacheSize());
    assertEquals(64_000_000L, parse(Map.of("PORTCULLIS_CACHE_SIZE", "64M"),
        "--control-plane", "http://127.0.0.1:1").cacheSize());
  }

  @Test
  void aBadCacheSizeIsOneLineNamingTheFlag() {
    String message = assertThrows(FlagException.class,
        () -> parse(Map.of(), "--control-plane", "http://127.0.0.1:1", "--cache-size", "lots"))
        .getMessage();
    assertEquals("bad value 'lots' for --cache-size: expected a byte count with an optional"
        + " suffix Ki, Mi, Gi, k, M or G (e.g. 256Mi)", message);
    assertThrows(FlagException.class,
        () -> parse(Map.of(), "--control-plane", "http://127.0.0.1:1", "--cache-size", "1Ki"));
  }
}
