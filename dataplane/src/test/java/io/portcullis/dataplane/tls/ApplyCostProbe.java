package io.portcullis.dataplane.tls;

import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.TlsPolicy;
import io.portcullis.snapshot.VirtualHost;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Not a test (surefire's default includes skip it; run by name with
 * {@code -Dtest=ApplyCostProbe -Dprobe.hosts=10000}): the CPU time of {@link LiveConfig#apply} for
 * one-host, one-cluster and one-certificate deltas at scale, with the real standard filter chains
 * and a {@link CertificateStore} attached as the dataplane runs it, every third host on TLS.
 */
class ApplyCostProbe {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  @Test
  void probe() {
    int n = Integer.getInteger("probe.hosts", 10_000);
    int rounds = Integer.getInteger("probe.rounds", 200);
    TestPki pki = new TestPki();
    List<TlsCertificate> namespaceCerts = new ArrayList<>();
    for (int ns = 0; ns < (n + 99) / 100; ns++) {
      namespaceCerts.add(pki.issue("ns/wildcard", "*.ns-" + ns + ".example.com"));
    }
    List<VirtualHost> hosts = new ArrayList<>();
    List<Cluster> clusters = new ArrayList<>();
    List<TlsCertificate> certs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String cluster = "ns-" + i / 100 + "/app-" + i + ":80";
      List<Endpoint> endpoints = new ArrayList<>();
      for (int e = 0; e < 5; e++) {
        endpoints.add(new Endpoint("10." + (i / 250 % 250) + "." + (i % 250) + "." + (e + 1), 8080));
      }
      clusters.add(new Cluster(cluster, endpoints));
      TlsPolicy tls = null;
      if (i % 3 == 0) {
        TlsCertificate c = namespaceCerts.get(i / 100);
        String name = "ns-" + i / 100 + "/app-" + i + "-tls";
        certs.add(new TlsCertificate(name, c.certificateChain(), c.privateKey()));
        tls = new TlsPolicy(name, true, null, null);
      }
      hosts.add(host(i, "/api", cluster, tls));
    }
    Snapshot a = Snapshot.of(hosts, clusters, null, certs, null);
    int k = (n / 2) / 3 * 3; // a TLS host
    VirtualHost changedHost = host(k, "/v2", clusters.get(k).name(), hosts.get(k).tls());
    Snapshot hostChanged = a.withVirtualHosts(replace(a.virtualHosts(), hosts.get(k), changedHost));
    Cluster changedCluster = new Cluster(clusters.get(k).name(), List.of(new Endpoint("10.250.0.1", 8080)));
    Snapshot clusterChanged = Snapshot.of(a.virtualHosts(),
        replace(a.clusters(), clusters.get(k), changedCluster), null, a.certificates(), null);
    // The same cluster under another policy: a new instance, whose hosts are indexed again.
    Cluster newPolicy = new Cluster(clusters.get(k).name(), clusters.get(k).endpoints(),
        new io.portcullis.snapshot.ClusterPolicy(null, null,
            io.portcullis.snapshot.ClusterPolicy.LoadBalancer.of(io.portcullis.snapshot.ClusterPolicy.Policy.RANDOM),
            0, null, null, null, 0, null));
    Snapshot policyChanged = Snapshot.of(a.virtualHosts(),
        replace(a.clusters(), clusters.get(k), newPolicy), null, a.certificates(), null);
    // A renewed certificate: content no other Secret has, so its context is built.
    TlsCertificate other = pki.issue("ns/renewed", "*.ns-" + k / 100 + ".example.com");
    TlsCertificate oldCert = certs.get(k / 3);
    Snapshot certChanged = Snapshot.of(a.virtualHosts(), a.clusters(), null,
        replace(a.certificates(), oldCert,
            new TlsCertificate(oldCert.name(), other.certificateChain(), other.privateKey())), null);

    try (CertificateStore store = new CertificateStore()) {
      LiveConfig config = new LiveConfig();
      store.attachTo(config);
      long t0 = System.nanoTime();
      config.apply(a);
      // What ProxyServer follows after every apply to close pooled connections of retired endpoints.
      var pooledKeys = new io.portcullis.dataplane.cluster.ConnectionKeys();
      pooledKeys.follow(config.current().snapshot(), config.current().change());
      System.out.printf("probe: first apply of %d hosts, %d certificates: %.1f ms%n", n, certs.size(),
          (System.nanoTime() - t0) / 1e6);
      for (var change : List.of(List.of("host", hostChanged), List.of("cluster", clusterChanged),
          List.of("cluster policy", policyChanged),
          List.of("certificate", certChanged))) {
        Snapshot to = (Snapshot) change.get(1);
        Delta there = Delta.between(a, to);
        Delta back = Delta.between(to, a);
        Snapshot held = a;
        long[] cpu = new long[rounds];
        long[] walkCpu = new long[rounds];
        long[] tableCpu = new long[rounds];
        long[] indexCpu = new long[rounds];
        long[] listenersCpu = new long[rounds];
        long[] clustersCpu = new long[rounds];
        long[] allEndpointsCpu = new long[rounds];
        for (int r = 0; r < rounds; r++) {
          Snapshot next = there.applyTo(held);
          var before = config.current();
          long c = THREADS.getCurrentThreadCpuTime();
          var table = store.prepare(next, before.certificates(), there);
          tableCpu[r] = THREADS.getCurrentThreadCpuTime() - c;
          c = THREADS.getCurrentThreadCpuTime();
          io.portcullis.dataplane.config.RuntimeConfig.build(next, before,
              io.portcullis.dataplane.filters.StandardFilters.chains(() -> 443), table);
          indexCpu[r] = THREADS.getCurrentThreadCpuTime() - c;
          // as the stream client applies a received delta
          c = THREADS.getCurrentThreadCpuTime();
          config.apply(next, there);
          cpu[r] = THREADS.getCurrentThreadCpuTime() - c;
          // what the dataplane's own listeners do after each swap (health checks, pools)
          c = THREADS.getCurrentThreadCpuTime();
          config.current().clusters();
          clustersCpu[r] = THREADS.getCurrentThreadCpuTime() - c;
          c = THREADS.getCurrentThreadCpuTime();
          pooledKeys.follow(config.current().snapshot(), config.current().change());
          listenersCpu[r] = THREADS.getCurrentThreadCpuTime() - c;
          // What the pools' listener did before: every endpoint of every cluster, after any cluster change.
          c = THREADS.getCurrentThreadCpuTime();
          java.util.Set<Endpoint> all = new java.util.HashSet<>();
          config.current().clusters().forEach(cl -> cl.endpoints().forEach(e -> all.add(e.endpoint())));
          java.util.Set.copyOf(all);
          allEndpointsCpu[r] = THREADS.getCurrentThreadCpuTime() - c;
          held = back.applyTo(next);
          // as ScaleBench applies: the snapshot alone, the change found by an identity walk
          c = THREADS.getCurrentThreadCpuTime();
          config.apply(held);
          walkCpu[r] = THREADS.getCurrentThreadCpuTime() - c;
          pooledKeys.follow(config.current().snapshot(), config.current().change());
        }
        System.out.printf("probe:   certificate table p50 %.3f ms, runtime config (with identity walk) p50 %.3f ms, "
            + "apply without the delta p50 %.3f ms; listeners: clusters() p50 %.3f ms, pooled connection keys followed p50 %.3f ms "
            + "(every endpoint collected, as before: p50 %.3f ms)%n",
            p50(tableCpu), p50(indexCpu), p50(walkCpu), p50(clustersCpu), p50(listenersCpu), p50(allEndpointsCpu));
        long[] tail = Arrays.copyOfRange(cpu, rounds / 2, rounds);
        Arrays.sort(tail);
        System.out.printf("probe: one %s changed, LiveConfig.apply(snapshot, delta) CPU p50 %.3f ms, p90 %.3f ms (%d rounds, last half)%n",
            change.get(0), tail[tail.length / 2] / 1e6, tail[tail.length * 9 / 10] / 1e6, rounds);
      }
    }
  }

  /**
   * A first start with a certificate of its own per host ({@code -Dprobe.certs}, 10,000 by
   * default): the CPU time of the first apply, which reads every certificate and builds no
   * context, and the build cost per context measured on {@code -Dprobe.builds} of them (what the
   * first apply cost per certificate before contexts were built lazily).
   */
  @Test
  void distinctCertificatesAtStart() throws Exception {
    int n = Integer.getInteger("probe.certs", 10_000);
    int sample = Math.min(n, Integer.getInteger("probe.builds", 1_000));
    TestPki pki = new TestPki();
    List<VirtualHost> hosts = new ArrayList<>();
    List<TlsCertificate> certs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = "ns-" + i / 100 + "/app-" + i + "-tls";
      certs.add(pki.issue(name, "app-" + i + ".ns-" + i / 100 + ".example.com"));
      hosts.add(host(i, "/api", "ns-" + i / 100 + "/app-" + i + ":80", new TlsPolicy(name, true, null, null)));
    }
    List<Cluster> clusters = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      clusters.add(new Cluster("ns-" + i / 100 + "/app-" + i + ":80", List.of(new Endpoint("10.0.0.1", 8080))));
    }
    Snapshot a = Snapshot.of(hosts, clusters, null, certs, null);
    java.util.concurrent.atomic.AtomicInteger builds = new java.util.concurrent.atomic.AtomicInteger();
    List<Runnable> held = new ArrayList<>();
    var provider = TlsProvider.get();
    try (CertificateStore store = new CertificateStore(provider, (c, v) -> {
      builds.incrementAndGet();
      return ServerContexts.build(c, v, provider);
    }, held::add)) {
      LiveConfig config = new LiveConfig();
      store.attachTo(config);
      long c = THREADS.getCurrentThreadCpuTime();
      long t = System.nanoTime();
      config.apply(a);
      System.out.printf("probe: first apply, %d hosts with %d distinct certificates: %.0f ms CPU, %.0f ms wall, "
          + "%d contexts built%n", n, n, (THREADS.getCurrentThreadCpuTime() - c) / 1e6, (System.nanoTime() - t) / 1e6,
          builds.get());
      // The test classpath has BouncyCastle's PKIX jar, so Netty reads keys through its PEM reader
      // here; the dataplane's jar has no bcpkix, and Netty reads them with the JDK: that way, by
      // hand (PemReader through reflection, then the key factories Netty tries in its order).
      var pem = Class.forName("io.netty.handler.ssl.PemReader");
      var readCertificates = pem.getDeclaredMethod("readCertificates", java.io.InputStream.class);
      var readKey = pem.getDeclaredMethod("readPrivateKey", java.io.InputStream.class);
      readCertificates.setAccessible(true);
      readKey.setAccessible(true);
      for (int round = 0; round < 2; round++) { // the first round warms the code up
        c = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < sample; i++) {
          TlsCertificate cert = certs.get(i);
          var factory = java.security.cert.CertificateFactory.getInstance("X.509");
          for (io.netty.buffer.ByteBuf der : (io.netty.buffer.ByteBuf[]) readCertificates.invoke(null,
              new java.io.ByteArrayInputStream(cert.certificateChain().getBytes(java.nio.charset.StandardCharsets.US_ASCII)))) {
            factory.generateCertificate(new io.netty.buffer.ByteBufInputStream(der, true));
          }
          io.netty.buffer.ByteBuf key = (io.netty.buffer.ByteBuf) readKey.invoke(null,
              new java.io.ByteArrayInputStream(cert.privateKey().getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
          byte[] encoded = new byte[key.readableBytes()];
          key.readBytes(encoded).release();
          var spec = new java.security.spec.PKCS8EncodedKeySpec(encoded);
          for (String algorithm : List.of("RSA", "DSA", "EC")) {
            try {
              java.security.KeyFactory.getInstance(algorithm).generatePrivate(spec);
              break;
            } catch (java.security.spec.InvalidKeySpecException e) {
              // Netty tries the next
            }
          }
        }
      }
      double jdkRead = (THREADS.getCurrentThreadCpuTime() - c) / 1e6 / sample;
      System.out.printf("probe: reading a certificate and key as Netty does without bcpkix (the dataplane's jar): "
          + "%.3f ms CPU each, so %.0f ms for %d%n", jdkRead, jdkRead * n, n);
      c = THREADS.getCurrentThreadCpuTime();
      for (int i = 0; i < sample; i++) {
        ServerContexts.build(certs.get(i), null, provider);
      }
      double perBuild = (THREADS.getCurrentThreadCpuTime() - c) / 1e6 / sample;
      System.out.printf("probe: building a context: %.2f ms CPU each (%d built), so %.0f ms for all %d "
          + "(what the first apply cost on top before)%n", perBuild, sample, perBuild * n, n);
    }
  }

  private static double p50(long[] cpu) {
    long[] tail = Arrays.copyOfRange(cpu, cpu.length / 2, cpu.length);
    Arrays.sort(tail);
    return tail[tail.length / 2] / 1e6;
  }

  private static <T> List<T> replace(List<T> list, T old, T now) {
    List<T> copy = new ArrayList<>(list);
    copy.replaceAll(x -> x == old ? now : x);
    return copy;
  }

  private static VirtualHost host(int i, String path, String cluster, TlsPolicy tls) {
    RouteAction forward = RouteAction.Forward.to(cluster);
    String name = "ingress/ns-" + i / 100 + "/app-" + i + "/r0/";
    return new VirtualHost("app-" + i + ".ns-" + i / 100 + ".example.com", List.of(
        Route.of(name + "p0", RouteMatch.path(new PathMatch.Exact(path)), forward),
        Route.of(name + "p1", RouteMatch.path(new PathMatch.Prefix("/")), forward)), tls);
  }
}
