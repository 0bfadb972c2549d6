package io.portcullis.dataplane.clientaddress;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network, {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a bare address is a
 * single-host network ({@code /32}, {@code /128}). An IPv4 network never matches an IPv6 address
 * and the reverse (IPv4-mapped IPv6 addresses arrive as IPv4 from the JDK already).
 *
 * @param network the network address, host bits zero (4 or 16 bytes)
 * @param prefixLength leading bits that must match
 */
public record Cidr(byte[] network, int prefixLength) {

  public Cidr {
    if (network == null || (network.length != 4 && network.length != 16)) {
      throw new IllegalArgumentException("network must be 4 or 16 bytes");
    }
    if (prefixLength < 0 || prefixLength > network.length * 8) {
      throw new IllegalArgumentException(
          "prefix length must be between 0 and " + network.length * 8);
    }
    network = network.clone();
  }

  /**
   * Parses {@code ADDRESS[/PREFIX]}, literal addresses only (never a DNS lookup).
   *
   * @throws IllegalArgumentException saying what is wrong with {@code text}
   */
  public static Cidr parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    String address = slash < 0 ? s : s.substring(0, slash);
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
    if (bytes == null) {
      throw new IllegalArgumentException("'" + s + "' is not an IP address or CIDR");
    }
    int prefix = bytes.length * 8;
    if (slash >= 0) {
      String digits = s.substring(slash + 1);
      if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException("'" + s + "' has no valid prefix length");
      }
      prefix = Integer.parseInt(digits);
      if (prefix > bytes.length * 8) {
        throw new IllegalArgumentException(
            "'" + s + "': prefix length must be at most " + bytes.length * 8);
      }
    }
    byte[] masked = mask(bytes, prefix);
    if (!Arrays.equals(masked, bytes)) {
      // 10.1.2.3/8 is most likely a typo; silently widening or narrowing it would trust the wrong
      // hosts.
      throw new IllegalArgumentException("'" + s + "' has host bits set (did you mean "
          + NetUtil.bytesToIpAddress(masked) + "/" + prefix + "?)");
    }
    return new Cidr(bytes, prefix);
  }

  /** Whether {@code address} lies in this network. */
  public boolean contains(InetAddress address) {
    return address != null && contains(address.getAddress());
  }

  /** Whether the raw address (4 or 16 bytes) lies in this network. */
  public boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int whole = prefixLength / 8;
    for (int i = 0; i < whole; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int bits = 0xff << (8 - rest) & 0xff;
    return (address[whole] & bits) == (network[whole] & 0xff);
  }

  private static byte[] mask(byte[] address, int prefix) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] &= (byte) (0xff << (8 - keep));
    }
    return out;
  }

  /** A copy: the record stays immutable. */
  @Override
  public byte[] network() {
    return network.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && prefixLength == c.prefixLength && Arrays.equals(network, c.network);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(network) * 31 + prefixLength;
  }

  @Override
  public String toString() {
    return NetUtil.bytesToIpAddress(network) + "/" + prefixLength;
  }
}
