package io.portcullis.dataplane.net;

import io.portcullis.snapshot.filter.IpPrefix;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * A set of client addresses given as CIDRs, asked once per request. Built once per snapshot: the
 * prefixes of each family become sorted, disjoint, inclusive address ranges (overlapping and
 * adjacent prefixes merged), so a lookup is one binary search: about 14 comparisons for 10,000
 * CIDRs, and no allocation beyond the address bytes. IPv4-mapped IPv6 clients are looked up as
 * the IPv4 address they carry.
 */
public final class AddressSet {
  /** IPv4 ranges, as unsigned 32-bit values in longs: starts ascending, ends parallel. */
  private final long[] v4Start;
  private final long[] v4End;
  /** IPv6 ranges, each bound as two longs (high, low) compared unsigned. */
  private final long[] v6StartHigh;
  private final long[] v6StartLow;
  private final long[] v6EndHigh;
  private final long[] v6EndLow;

  private AddressSet(List<long[]> v4, List<long[]> v6) {
    v4Start = new long[v4.size()];
    v4End = new long[v4.size()];
    for (int i = 0; i < v4.size(); i++) {
      v4Start[i] = v4.get(i)[1];
      v4End[i] = v4.get(i)[3];
    }
    v6StartHigh = new long[v6.size()];
    v6StartLow = new long[v6.size()];
    v6EndHigh = new long[v6.size()];
    v6EndLow = new long[v6.size()];
    for (int i = 0; i < v6.size(); i++) {
      long[] r = v6.get(i);
      v6StartHigh[i] = r[0];
      v6StartLow[i] = r[1];
      v6EndHigh[i] = r[2];
      v6EndLow[i] = r[3];
    }
  }

  /** The set of every address some prefix covers. */
  public static AddressSet of(Collection<IpPrefix> prefixes) {
    List<long[]> v4 = new ArrayList<>();
    List<long[]> v6 = new ArrayList<>();
    for (IpPrefix p : prefixes) {
      (p.v6() ? v6 : v4).add(range(p));
    }
    return new AddressSet(merge(v4), merge(v6));
  }

  /** Whether the set is empty (no prefix of either family). */
  public boolean isEmpty() {
    return v4Start.length == 0 && v6StartHigh.length == 0;
  }

  /** The number of disjoint ranges the prefixes merged into (both families). */
  public int ranges() {
    return v4Start.length + v6StartHigh.length;
  }

  /** Whether {@code address} is in the set; null is in no set. */
  public boolean contains(InetAddress address) {
    if (address instanceof Inet4Address) {
      return containsV4(address.getAddress(), 0);
    }
    if (address instanceof Inet6Address) {
      byte[] b = address.getAddress();
      if (isMappedV4(b)) {
        return containsV4(b, 12);
      }
      return containsV6(bits(b, 0), bits(b, 8));
    }
    return false;
  }

  private boolean containsV4(byte[] b, int at) {
    long x = ((b[at] & 0xFFL) << 24) | ((b[at + 1] & 0xFFL) << 16) | ((b[at + 2] & 0xFFL) << 8)
        | (b[at + 3] & 0xFFL);
    int i = Arrays.binarySearch(v4Start, x);
    if (i >= 0) {
      return true;
    }
    int before = -i - 2; // the last range starting below x
    return before >= 0 && x <= v4End[before];
  }

  private boolean containsV6(long high, long low) {
    // The last range whose start is <= the address.
    int lo = 0;
    int hi = v6StartHigh.length - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (compare(v6StartHigh[mid], v6StartLow[mid], high, low) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found >= 0 && compare(high, low, v6EndHigh[found], v6EndLow[found]) <= 0;
  }

  /** {@code ::ffff:0:0/96}: an IPv4 client on an IPv6 socket. */
  private static boolean isMappedV4(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
  }

  private static long bits(byte[] b, int at) {
    long v = 0;
    for (int i = at; i < at + 8; i++) {
      v = (v << 8) | (b[i] & 0xFFL);
    }
    return v;
  }

  private static int compare(long aHigh, long aLow, long bHigh, long bLow) {
    int c = Long.compareUnsigned(aHigh, bHigh);
    return c != 0 ? c : Long.compareUnsigned(aLow, bLow);
  }

  /** {startHigh, startLow, endHigh, endLow} of a prefix (IPv4 in the low words). */
  private static long[] range(IpPrefix p) {
    if (!p.v6()) {
      long hostMask = p.length() == 0 ? 0xFFFF_FFFFL : (1L << (32 - p.length())) - 1;
      return new long[] {0, p.low(), 0, p.low() | hostMask};
    }
    long highMask = p.length() >= 64 ? 0 : p.length() == 0 ? -1L : -1L >>> p.length();
    long lowMask = p.length() <= 64 ? -1L : p.length() == 128 ? 0 : -1L >>> (p.length() - 64);
    return new long[] {p.high(), p.low(), p.high() | highMask, p.low() | lowMask};
  }

  /** Sorted by start, overlapping and adjacent ranges joined. */
  private static List<long[]> merge(List<long[]> ranges) {
    ranges.sort((a, b) -> compare(a[0], a[1], b[0], b[1]));
    List<long[]> out = new ArrayList<>();
    for (long[] r : ranges) {
      long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && touches(last, r)) {
        if (compare(r[2], r[3], last[2], last[3]) > 0) {
          last[2] = r[2];
          last[3] = r[3];
        }
      } else {
        out.add(r.clone());
      }
    }
    return out;
  }

  /** Whether {@code next} (starting at or after {@code last}'s start) overlaps or abuts it. */
  private static boolean touches(long[] last, long[] next) {
    if (compare(next[0], next[1], last[2], last[3]) <= 0) {
      return true;
    }
    // next.start == last.end + 1 (128-bit increment; an end of all ones was caught above)
    long low = last[3] + 1;
    long high = low == 0 ? last[2] + 1 : last[2];
    return next[0] == high && next[1] == low;
  }
}
