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
import java.util.HashMap;
import java.util.Map;

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

  /**
   * From 10^7 ms on, {@code Double.toString} (and so the log until now) switches to an exponent;
   * those rare lines still take the double path.
   */
  static final long FIXED_POINT_MICROS = 10_000_000_000L;

  /** Distinct values kept encoded before the cache starts over (a config swap brings new ones). */
  static final int MAX_ENCODED_VALUES = 4096;

  private final JsonGenerator g;
  /**
   * Method, protocol, route, cluster and endpoint, escaped and UTF-8 encoded once: the same few
   * values recur on every line, and the generator copies the encoded bytes instead of escaping and
   * encoding the text again (and, for an endpoint, formatting it again).
   */
  private final Map<Object, SerializedString> encoded = new HashMap<>();
  /** The formatted second of the last entry: consecutive entries mostly share it. */
  private long second = Long.MIN_VALUE;
  private final char[] time = new char[24];
  private final char[] number = new char[24];

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
    writeRecurring(e.method());
    g.writeFieldName(AUTHORITY);
    g.writeString(e.authority());
    g.writeFieldName(PATH);
    g.writeString(e.path());
    g.writeFieldName(PROTOCOL);
    writeRecurring(e.protocol());
    g.writeFieldName(STATUS);
    g.writeNumber(e.status());
    g.writeFieldName(ROUTE);
    writeRecurring(e.route());
    g.writeFieldName(CLUSTER);
    writeRecurring(e.cluster());
    g.writeFieldName(ENDPOINT);
    writeRecurring(e.endpoint());
    g.writeFieldName(UPSTREAM_STATUS);
    g.writeNumber(e.upstreamStatus());
    g.writeFieldName(DURATION_MS);
    writeMillis(e.durationMillis());
    g.writeFieldName(UPSTREAM_DURATION_MS);
    writeMillis(e.upstreamMillis());
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

  /** A value that recurs across lines, as a string ({@code toString()}), or null. */
  private void writeRecurring(Object value) throws IOException {
    if (value == null) {
      g.writeNull();
      return;
    }
    SerializedString text = encoded.get(value);
    if (text == null) {
      if (encoded.size() >= MAX_ENCODED_VALUES) {
        encoded.clear();
      }
      text = new SerializedString(value.toString());
      encoded.put(value, text);
    }
    g.writeString(text);
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

  /**
   * Milliseconds to the microsecond (plenty, and it keeps lines short), written as {@link
   * Double#toString} writes the rounded value ({@code 12.0}, {@code 1.235}, {@code 0.52}) but
   * without a double-to-text conversion, which was a quarter of the time a line took.
   */
  private void writeMillis(double millis) throws IOException {
    long micros = Math.round(millis * 1000);
    if (micros < 0 || micros >= FIXED_POINT_MICROS) {
      g.writeNumber(micros / 1000.0);
      return;
    }
    g.writeNumber(number, 0, fixedPoint(micros, number));
  }

  /**
   * Writes {@code micros / 1000.0} into {@code out} as {@link Double#toString} would, for 0 <=
   * micros < {@link #FIXED_POINT_MICROS}; returns the length.
   */
  static int fixedPoint(long micros, char[] out) {
    long whole = micros / 1000;
    int fraction = (int) (micros % 1000);
    int n = 0;
    if (whole == 0) {
      out[n++] = '0';
    } else {
      int start = n;
      for (long w = whole; w > 0; w /= 10) {
        out[n++] = (char) ('0' + w % 10);
      }
      for (int i = start, j = n - 1; i < j; i++, j--) {
        char c = out[i];
        out[i] = out[j];
        out[j] = c;
      }
    }
    out[n++] = '.';
    out[n++] = (char) ('0' + fraction / 100);
    if (fraction % 100 != 0) {
      out[n++] = (char) ('0' + fraction / 10 % 10);
      if (fraction % 10 != 0) {
        out[n++] = (char) ('0' + fraction % 10);
      }
    }
    return n;
  }
}
