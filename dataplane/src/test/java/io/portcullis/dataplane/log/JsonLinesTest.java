package io.portcullis.dataplane.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonLinesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static AccessLogEntry entry(long millis, String path, String userAgent, double duration) {
    return new AccessLogEntry(millis, "id-" + path, "10.0.0.1", "GET", "a.example", path,
        "HTTP/1.1", 200, "r", null, null, 0, duration, 0, 3, 4, userAgent, 1);
  }

  @Test
  void oneObjectPerLineWithTheTimeToTheMillisecondAcrossSeconds() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JsonLines lines = new JsonLines(out);
    lines.write(entry(1_764_851_696_789L, "/a", "curl/8", 1.23456));
    lines.write(entry(1_764_851_696_999L, "/b", "é \"quoted\"\nnext", 0));
    lines.write(entry(1_764_851_697_005L, "/c", null, 12));
    lines.write(entry(0, "/d", "x", 0.0004));
    lines.flush();
    List<String> text = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(4, text.size());
    JsonNode a = JSON.readTree(text.get(0));
    assertEquals("2025-12-04T12:34:56.789Z", a.get("time").asText());
    assertEquals(1.235, a.get("duration_ms").asDouble());
    assertEquals("/a", a.get("path").asText());
    assertEquals(true, a.get("cluster").isNull());
    assertEquals(1, a.get("retries").asInt());
    JsonNode b = JSON.readTree(text.get(1));
    assertEquals("2025-12-04T12:34:56.999Z", b.get("time").asText());
    assertEquals("é \"quoted\"\nnext", b.get("user_agent").asText());
    assertEquals("2025-12-04T12:34:57.005Z", JSON.readTree(text.get(2)).get("time").asText());
    assertEquals(true, JSON.readTree(text.get(2)).get("user_agent").isNull());
    JsonNode d = JSON.readTree(text.get(3));
    assertEquals("1970-01-01T00:00:00.000Z", d.get("time").asText());
    assertEquals(0.0, d.get("duration_ms").asDouble());
  }

  @Test
  void recurringValuesAreWrittenAsThemselvesAcrossManyDistinctOnes() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JsonLines lines = new JsonLines(out);
    int n = JsonLines.MAX_ENCODED_VALUES + 500; // the cache starts over at least once
    for (int i = 0; i < n; i++) {
      String route = i % 7 == 0 ? "ns/r\"q\u00e9" + i : "ns/route-" + i % 5_000;
      Object endpoint = i % 3 == 0 ? null : new io.portcullis.snapshot.Endpoint("fd00::" + i % 9, 8080);
      lines.write(new AccessLogEntry(i, "id", "10.0.0.1", i % 2 == 0 ? "GET" : "POST", "a", "/",
          "HTTP/2.0", 200, route, "ns/svc:" + i % 11, endpoint, 200, 0, 0, 0, 0, null, 0));
    }
    lines.flush();
    List<String> text = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(n, text.size());
    for (int i = 0; i < n; i++) {
      JsonNode line = JSON.readTree(text.get(i));
      String route = i % 7 == 0 ? "ns/r\"q\u00e9" + i : "ns/route-" + i % 5_000;
      assertEquals(route, line.get("route").asText(), text.get(i));
      assertEquals("ns/svc:" + i % 11, line.get("cluster").asText());
      assertEquals(i % 2 == 0 ? "GET" : "POST", line.get("method").asText());
      assertEquals("HTTP/2.0", line.get("protocol").asText());
      if (i % 3 == 0) {
        assertEquals(true, line.get("endpoint").isNull());
      } else {
        assertEquals("[fd00::" + i % 9 + "]:8080", line.get("endpoint").asText());
      }
    }
  }

  /** The fixed-point milliseconds are the very text the double writer gave for the same value. */
  @Test
  void millisecondsAreWrittenAsTheDoubleWriterWroteThem() throws Exception {
    com.fasterxml.jackson.core.JsonFactory doubles = com.fasterxml.jackson.core.JsonFactory.builder()
        .enable(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
    java.util.SplittableRandom random = new java.util.SplittableRandom(17);
    char[] out = new char[24];
    List<Long> edges = List.of(0L, 1L, 5L, 10L, 50L, 100L, 120L, 999L, 1000L, 1001L, 1010L,
        1100L, 123_456L, 9_999_999_999L);
    for (int i = 0; i < 200_000; i++) {
      long micros = i < edges.size() ? edges.get(i)
          : random.nextLong(1, i % 2 == 0 ? 1_000_000 : JsonLines.FIXED_POINT_MICROS);
      java.io.StringWriter expected = new java.io.StringWriter();
      try (var g = doubles.createGenerator(expected)) {
        g.writeNumber(micros / 1000.0);
      }
      assertEquals(expected.toString(), new String(out, 0, JsonLines.fixedPoint(micros, out)),
          "micros " + micros);
    }
  }

  @Test
  void longAndOddDurationsStillParse() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JsonLines lines = new JsonLines(out);
    lines.write(entry(0, "/a", null, 3.6e7)); // ten hours: past the fixed-point range
    lines.write(entry(0, "/b", null, 9_999_999.9996)); // rounds up to the limit
    lines.flush();
    List<String> text = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(3.6e7, JSON.readTree(text.get(0)).get("duration_ms").asDouble());
    assertEquals(1e7, JSON.readTree(text.get(1)).get("duration_ms").asDouble());
  }
}
