package io.portcullis.dataplane.filters.cache;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, plus the obsolete RFC 850 and asctime forms. */
final class HttpDates {
  private static final DateTimeFormatter IMF = DateTimeFormatter.RFC_1123_DATE_TIME;
  private static final DateTimeFormatter RFC850 =
      DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss zzz", Locale.US);
  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC);

  private static final DateTimeFormatter FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

  private HttpDates() {}

  /** Seconds since the epoch, or -1 when {@code text} is absent or not an HTTP-date. */
  static long parse(String text) {
    if (text == null) {
      return -1;
    }
    String t = text.trim();
    for (DateTimeFormatter f : new DateTimeFormatter[] {IMF, RFC850, ASCTIME}) {
      try {
        return ZonedDateTime.parse(t, f).toEpochSecond();
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
