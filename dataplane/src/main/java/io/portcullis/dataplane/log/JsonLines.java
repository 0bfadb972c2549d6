package io.portcullis.dataplane.log;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes entries as JSON objects, one per line, the field names documented in the README. Jackson
 * escapes whatever a client put in its headers, so a crafted User-Agent cannot break the line or
 * forge fields.
 *
 * <p>One generator lives as long as the stream and encodes UTF-8 straight into its own buffer,
 * which reaches {@code out} when it fills or on {@link #flush}: per entry there is no writer, no
 * string and no character encoding pass. Not thread-safe: the access log's writer thread owns it.
 */
final class JsonLines {
  /** Doubles written with Schubfach rather than {@code Double.toString}: the same digits, faster. */
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
  /** RFC 3339 in UTC to the second; milliseconds are appended: {@code 2026-12-04T12:34:56.789Z}. */
  private static final DateTimeFormatter SECOND =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  // Field names as pre-encoded, pre-quoted UTF-8: the generator copies their bytes.
  private static final SerializedString TIME = new SerializedString("time");
  private static final SerializedString REQUEST_ID = new SerializedString("request_id");
  private static final SerializedString CLIENT = new SerializedString("client");
  private static final SerializedString METHOD = new SerializedString("method");
  private static final SerializedString AUTHORITY = new SerializedString("authority");
  private static final SerializedString PATH = new SerializedString("path");
  private static final SerializedString PROTOCOL = new SerializedString("protocol");
  private static final SerializedString STATUS = new SerializedString("status");
  private static final SerializedString ROUTE = new SerializedString("route");
  private static final SerializedString CLUSTER = new SerializedString("cluster");
  private static final SerializedString ENDPOINT = new SerializedString("endpoint");
  private static final SerializedString UPSTREAM_STATUS = new SerializedString("upstream_status");
  private static final SerializedString DURATION_MS = new SerializedString("duration_ms");
  private static final SerializedString UPSTREAM_DURATION_MS = new SerializedString("upstream_duration_ms");
  private static final SerializedString BYTES_IN = new SerializedString("bytes_in");
  private static final SerializedString BYTES_OUT = new SerializedString("bytes_out");
  private static final SerializedString USER_AGENT = new SerializedString("user_agent");
  private static final SerializedString RETRIES = new SerializedString("retries");

  private final JsonGenerator g;
  /** The formatted second of the last entry: consecutive entries mostly share it. */
  private long second = Long.MIN_VALUE;
  private final char[] time = new char[24];

  JsonLines(OutputStream out) throws IOException {
    g = JSON.createGenerator(out, JsonEncoding.UTF8);
    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    g.setRootValueSeparator(null); // lines end with '\n', written after each object
  }

  void write(AccessLogEntry e) throws IOException {
    g.writeStartObject();
    g.writeFieldName(TIME);
    g.writeString(time(e.startMillis()), 0, time.length);
    g.writeFieldName(REQUEST_ID);
    g.writeString(e.requestId());
    g.writeFieldName(CLIENT);
    g.writeString(e.client());
    g.writeFieldName(METHOD);
    g.writeString(e.method());
    g.writeFieldName(AUTHORITY);
    g.writeString(e.authority());
    g.writeFieldName(PATH);
    g.writeString(e.path());
    g.writeFieldName(PROTOCOL);
    g.writeString(e.protocol());
    g.writeFieldName(STATUS);
    g.writeNumber(e.status());
    g.writeFieldName(ROUTE);
    g.writeString(e.route());
    g.writeFieldName(CLUSTER);
    g.writeString(e.cluster());
    g.writeFieldName(ENDPOINT);
    g.writeString(e.endpoint() == null ? null : e.endpoint().toString());
    g.writeFieldName(UPSTREAM_STATUS);
    g.writeNumber(e.upstreamStatus());
    g.writeFieldName(DURATION_MS);
    g.writeNumber(round(e.durationMillis()));
    g.writeFieldName(UPSTREAM_DURATION_MS);
    g.writeNumber(round(e.upstreamMillis()));
    g.writeFieldName(BYTES_IN);
    g.writeNumber(e.bytesIn());
    g.writeFieldName(BYTES_OUT);
    g.writeNumber(e.bytesOut());
    g.writeFieldName(USER_AGENT);
    g.writeString(e.userAgent());
    g.writeFieldName(RETRIES);
    g.writeNumber(e.retries());
    g.writeEndObject();
    g.writeRaw('\n');
  }

  /** Hands what is buffered to the stream, and flushes it. */
  void flush() throws IOException {
    g.flush();
  }

  /** The entry's time, {@code uuuu-MM-ddTHH:mm:ss.SSSZ}, in {@link #time}. */
  private char[] time(long epochMillis) {
    long s = Math.floorDiv(epochMillis, 1000);
    if (s != second) {
      second = s;
      SECOND.format(Instant.ofEpochSecond(s)).getChars(0, 19, time, 0);
      time[19] = '.';
      time[23] = 'Z';
    }
    int ms = (int) Math.floorMod(epochMillis, 1000);
    time[20] = (char) ('0' + ms / 100);
    time[21] = (char) ('0' + ms / 10 % 10);
    time[22] = (char) ('0' + ms % 10);
    return time;
  }

  /** Microsecond precision is plenty and keeps lines short. */
  private static double round(double millis) {
    return Math.round(millis * 1000) / 1000.0;
  }
}
