package io.portcullis.dataplane.filters.cache;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, plus the obsolete RFC 850 and asctime forms. */
final class HttpDates {
  private static final DateTimeFormatter RFC850 =
      DateTimeFormatter.ofPattern("dd-MMM-yy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC);

  private static final DateTimeFormatter FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  private HttpDates() {}

  /** Seconds since the epoch, or -1 when {@code text} is absent or not an HTTP-date. */
  static long parse(String text) {
    if (text == null) {
      return -1;
    }
    String t = text.trim();
    // Strict widths: "Thu, 01 Jan 2026 1:00:00 GMT" (one-digit hour) is not a date (§5.6.7).
    for (DateTimeFormatter f : new DateTimeFormatter[] {FIXDATE, RFC850, ASCTIME}) {
      try {
        // RFC 850 dates: the weekday is dropped (its two-digit year is corrected below).
        String input = f == RFC850 && t.matches("[A-Za-z]+day, .*") ? t.substring(t.indexOf(',') + 2) : t;
        ZonedDateTime date = ZonedDateTime.parse(input, f);
        if (f == RFC850 && date.getYear() > ZonedDateTime.now(ZoneOffset.UTC).getYear() + 50) {
          date = date.minusYears(100); // a two-digit year over 50 years ahead is in the past
        }
        return date.toEpochSecond();
      } catch (DateTimeParseException e) {
        // try the next form
      }
    }
    return -1;
  }

  /** The IMF-fixdate of {@code epochMillis}. */
  static String format(long epochMillis) {
    return FIXDATE.format(ZonedDateTime.ofInstant(
        java.time.Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC));
  }
}
