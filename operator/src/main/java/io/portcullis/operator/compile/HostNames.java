package io.portcullis.operator.compile;

import io.portcullis.snapshot.VirtualHost;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Validates and normalises the host of a rule: a DNS name (lower-cased), or a wildcard whose
 * {@code *} is the whole first label and stands for exactly one label. IP literals are refused, as
 * the Ingress API does: virtual hosting by IP is not host routing.
 */
final class HostNames {
  private HostNames() {}

  private static final int MAX_LENGTH = 253;
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  /** Returns {@link VirtualHost#ANY_HOST} for null or empty, else the normalised host. */
  static String normalize(String host) throws InvalidInputException {
    if (host == null || host.isEmpty()) {
      return VirtualHost.ANY_HOST;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.length() > MAX_LENGTH) {
      throw new InvalidInputException("host is longer than " + MAX_LENGTH + " characters");
    }
    if (h.indexOf(':') >= 0 || IPV4.matcher(h).matches()) {
      throw new InvalidInputException(
          "host '" + host + "' must be a DNS name, not an IP address or host:port");
    }
    String name = h.startsWith("*.") ? h.substring(2) : h;
    if (name.indexOf('*') >= 0) {
      throw new InvalidInputException(
          "host '" + host + "': a wildcard must be the whole first label, as in *.example.com");
    }
    String[] labels = name.split("\\.", -1);
    for (String label : labels) {
      if (!LABEL.matcher(label).matches()) {
        throw new InvalidInputException(
            "host '" + host + "' is not a valid DNS name (labels of a-z, 0-9 and '-', at most 63)");
      }
    }
    if (h.startsWith("*.") && labels.length < 2) {
      throw new InvalidInputException(
          "host '" + host + "': a wildcard needs at least two labels after '*.'");
    }
    return h;
  }
}
