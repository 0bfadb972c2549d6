package io.portcullis.snapshot.filter;

import java.util.Locale;

/**
 * An IPv4 or IPv6 address prefix (CIDR), parsed strictly from text and normalised: host bits
 * below the prefix are cleared, a bare address is a host prefix ({@code /32}, {@code /128}), and
 * an IPv4-mapped IPv6 prefix ({@code ::ffff:10.0.0.0/104}) is the IPv4 prefix it stands for
 * ({@code 10.0.0.0/8}), because the dataplane matches IPv4-mapped client addresses as IPv4.
 *
 * <p>The parser accepts only literals: dotted-quad IPv4 with four decimal parts and no leading
 * zeros (so {@code 010.0.0.1} is refused rather than read as octal, and {@code 10.1} is refused
 * rather than read as {@code 10.0.0.1}); IPv6 as RFC 4291 text, with at most one {@code ::} and
 * an optional dotted-quad tail, without zone ids. It never resolves a name.
 *
 * @param v6 whether this is an IPv6 prefix
 * @param high the upper 64 bits of an IPv6 address; 0 for IPv4
 * @param low the lower 64 bits of an IPv6 address, or the IPv4 address in the lower 32 bits
 * @param length the prefix length, 0-32 for IPv4, 0-128 for IPv6
 */
public record IpPrefix(boolean v6, long high, long low, int length) {
  public IpPrefix {
    int max = v6 ? 128 : 32;
    if (length < 0 || length > max) {
      throw new IllegalArgumentException("prefix length must be 0 to " + max + ": " + length);
    }
    if (!v6 && (high != 0 || (low >>> 32) != 0)) {
      throw new IllegalArgumentException("an IPv4 address has 32 bits");
    }
    // Clear the host bits, so equal prefixes are equal records.
    if (v6) {
      high = length >= 64 ? high : length == 0 ? 0 : high & (-1L << (64 - length));
      low = length <= 64 ? 0 : length == 128 ? low : low & (-1L << (128 - length));
    } else {
      low = length == 0 ? 0 : low & ((-1L << (32 - length)) & 0xFFFF_FFFFL);
    }
  }

  /**
   * Reads {@code 192.0.2.0/24}, {@code 2001:db8::/32}, or a bare address.
   *
   * @throws IllegalArgumentException naming the text when it is not such a literal
   */
  public static IpPrefix parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("an IP address or CIDR must not be null");
    }
    String s = text.trim();
    try {
      return parseStrict(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + s + "' is not an IP address or CIDR (" + e.getMessage() + ")");
    }
  }

  private static IpPrefix parseStrict(String s) {
    int slash = s.indexOf('/');
    String address = slash < 0 ? s : s.substring(0, slash);
    boolean v6 = address.indexOf(':') >= 0;
    int length = v6 ? 128 : 32;
    if (slash >= 0) {
      String digits = s.substring(slash + 1);
      if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
          || (digits.length() > 1 && digits.charAt(0) == '0')) {
        throw new IllegalArgumentException("the prefix length must be a number");
      }
      length = Integer.parseInt(digits);
    }
    if (!v6) {
      return new IpPrefix(false, 0, ipv4(address), length);
    }
    long[] bits = ipv6(address);
    if (length > 128) {
      throw new IllegalArgumentException("prefix length must be 0 to 128: " + length);
    }
    if (bits[0] == 0 && (bits[1] >>> 32) == 0xFFFFL && length >= 96) {
      return new IpPrefix(false, 0, bits[1] & 0xFFFF_FFFFL, length - 96);
    }
    return new IpPrefix(true, bits[0], bits[1], length);
  }

  private static long ipv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("IPv4 needs four dotted decimal parts");
    }
    long value = 0;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("IPv4 parts are decimal numbers 0 to 255");
      }
      if (p.length() > 1 && p.charAt(0) == '0') {
        throw new IllegalArgumentException("IPv4 parts have no leading zeros");
      }
      int n = Integer.parseInt(p);
      if (n > 255) {
        throw new IllegalArgumentException("IPv4 parts are decimal numbers 0 to 255");
      }
      value = (value << 8) | n;
    }
    return value;
  }

  /** The 128 bits as {high, low}. */
  private static long[] ipv6(String s) {
    if (s.indexOf('%') >= 0) {
      throw new IllegalArgumentException("zone ids are not allowed");
    }
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
      throw new IllegalArgumentException(":: may appear once");
    }
    int[] head = groups(gap < 0 ? s : s.substring(0, gap), gap < 0);
    int[] tail = gap < 0 ? new int[0] : groups(s.substring(gap + 2), true);
    int total = head.length + tail.length;
    if (gap < 0 ? total != 8 : total > 7) {
      throw new IllegalArgumentException("IPv6 has eight groups of up to four hex digits");
    }
    int[] all = new int[8];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(tail, 0, all, 8 - tail.length, tail.length);
    long high = 0;
    long low = 0;
    for (int i = 0; i < 4; i++) {
      high = (high << 16) | all[i];
      low = (low << 16) | all[i + 4];
    }
    return new long[] {high, low};
  }

  /** Colon-separated groups; the last may be a dotted quad (two groups) when {@code last}. */
  private static int[] groups(String s, boolean last) {
    if (s.isEmpty()) {
      return new int[0];
    }
    String[] parts = s.split(":", -1);
    boolean dotted = last && parts[parts.length - 1].indexOf('.') >= 0;
    int[] out = new int[parts.length + (dotted ? 1 : 0)];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (dotted && i == parts.length - 1) {
        long v4 = ipv4(p);
        out[i] = (int) (v4 >>> 16);
        out[i + 1] = (int) (v4 & 0xFFFF);
        break;
      }
      if (p.isEmpty() || p.length() > 4) {
        throw new IllegalArgumentException("IPv6 groups are one to four hex digits");
      }
      int v = 0;
      for (int j = 0; j < p.length(); j++) {
        int d = Character.digit(p.charAt(j), 16);
        if (d < 0) {
          throw new IllegalArgumentException("IPv6 groups are hex digits");
        }
        v = (v << 4) | d;
      }
      out[i] = v;
    }
    return out;
  }

  /** Whether this prefix covers every address of its family ({@code /0}). */
  public boolean isAll() {
    return length == 0;
  }

  /** The canonical text: dotted quad, or RFC 5952 IPv6, then {@code /length}. */
  @Override
  public String toString() {
    return address() + "/" + length;
  }

  /** The prefix's first address as canonical text. */
  public String address() {
    if (!v6) {
      return ((low >>> 24) & 0xFF) + "." + ((low >>> 16) & 0xFF) + "." + ((low >>> 8) & 0xFF)
          + "." + (low & 0xFF);
    }
    int[] g = new int[8];
    for (int i = 0; i < 4; i++) {
      g[i] = (int) ((high >>> (48 - 16 * i)) & 0xFFFF);
      g[i + 4] = (int) ((low >>> (48 - 16 * i)) & 0xFFFF);
    }
    // RFC 5952: the longest run of two or more zero groups (the first on a tie) becomes "::".
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]).toLowerCase(Locale.ROOT));
    }
    return sb.toString();
  }
}
