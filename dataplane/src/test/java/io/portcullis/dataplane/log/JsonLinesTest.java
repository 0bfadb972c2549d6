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
}
