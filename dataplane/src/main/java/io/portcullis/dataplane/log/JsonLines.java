package io.portcullis.dataplane.log;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Formats an entry as one JSON object on one line, the field names documented in the README.
 * Jackson escapes whatever a client put in its headers, so a crafted User-Agent cannot break the
 * line or forge fields.
 */
final class JsonLines {
  /** RFC 3339 in UTC with milliseconds: {@code 2026-12-04T12:34:56.789Z}. */
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private static final JsonFactory JSON = new JsonFactory();

  private JsonLines() {}

  static String format(AccessLogEntry e) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("time", TIME.format(Instant.ofEpochMilli(e.startMillis())));
      g.writeStringField("request_id", e.requestId());
      g.writeStringField("client", e.client());
      g.writeStringField("method", e.method());
      g.writeStringField("authority", e.authority());
      g.writeStringField("path", e.path());
      g.writeStringField("protocol", e.protocol());
      g.writeNumberField("status", e.status());
      g.writeStringField("route", e.route());
      g.writeStringField("cluster", e.cluster());
      g.writeStringField("endpoint", e.endpoint());
      g.writeNumberField("upstream_status", e.upstreamStatus());
      g.writeNumberField("duration_ms", round(e.durationMillis()));
      g.writeNumberField("upstream_duration_ms", round(e.upstreamMillis()));
      g.writeNumberField("bytes_in", e.bytesIn());
      g.writeNumberField("bytes_out", e.bytesOut());
      g.writeStringField("user_agent", e.userAgent());
      g.writeNumberField("retries", e.retries());
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex); // a StringWriter does not fail
    }
    return out.toString();
  }

  /** Microsecond precision is plenty and keeps lines short. */
  private static double round(double millis) {
    return Math.round(millis * 1000) / 1000.0;
  }
}
