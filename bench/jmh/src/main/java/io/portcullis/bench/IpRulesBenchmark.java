package io.portcullis.bench;

import io.portcullis.dataplane.net.AddressSet;
import io.portcullis.snapshot.filter.IpPrefix;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The per-request cost of an IP list ({@link AddressSet#contains}, what the IP rules filter asks
 * once per list) at 10 and at 10,000 CIDRs. It must not grow linearly with the list: the lists are
 * sorted disjoint ranges searched by bisection. The CIDRs are random, four in five IPv4 (/8 to
 * /32) and the rest IPv6 (/32 to /128), so they overlap as real block lists do; clients are the
 * same mix, a quarter of them inside a listed prefix and a tenth IPv4-mapped IPv6.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IpRulesBenchmark {
  @Param({"10", "10000"})
  public int cidrs;

  private AddressSet set;
  private InetAddress[] clients;
  private int next;

  @Setup
  public void setUp() throws UnknownHostException {
    SplittableRandom random = new SplittableRandom(42);
    List<IpPrefix> prefixes = new ArrayList<>(cidrs);
    for (int i = 0; i < cidrs; i++) {
      boolean v6 = random.nextInt(5) == 0;
      prefixes.add(v6
          ? new IpPrefix(true, random.nextLong(), random.nextLong(), 32 + random.nextInt(97))
          : new IpPrefix(false, 0, random.nextLong() & 0xFFFF_FFFFL, 8 + random.nextInt(25)));
    }
    set = AddressSet.of(prefixes);
    clients = new InetAddress[1024];
    for (int i = 0; i < clients.length; i++) {
      byte[] address;
      int kind = random.nextInt(10);
      if (kind == 0) { // IPv4-mapped IPv6
        address = new byte[16];
        address[10] = (byte) 0xFF;
        address[11] = (byte) 0xFF;
        for (int b = 12; b < 16; b++) {
          address[b] = (byte) random.nextInt(256);
        }
      } else {
        address = new byte[kind < 8 ? 4 : 16];
        for (int b = 0; b < address.length; b++) {
          address[b] = (byte) random.nextInt(256);
        }
        if (random.nextInt(4) == 0) { // inside a listed prefix: its first address
          IpPrefix p = prefixes.get(random.nextInt(prefixes.size()));
          address = new byte[p.v6() ? 16 : 4];
          for (int b = 0; b < address.length; b++) {
            long word = p.v6() ? (b < 8 ? p.high() : p.low()) : p.low() << 32;
            address[b] = (byte) (word >>> (56 - 8 * (b % 8)));
          }
        }
      }
      clients[i] = kind == 0
          ? java.net.Inet6Address.getByAddress(null, address, -1) : InetAddress.getByAddress(address);
    }
  }

  @Benchmark
  public boolean contains() {
    InetAddress client = clients[next++ & (clients.length - 1)];
    return set.contains(client);
  }
}
