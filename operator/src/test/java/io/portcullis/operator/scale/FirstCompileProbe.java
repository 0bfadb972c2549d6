package io.portcullis.operator.scale;

import io.portcullis.operator.OperatorOptions;
import io.portcullis.operator.cache.ResourceCache;
import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.compile.Compiler;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Throwaway: the first compile alone, for a profiler. Not committed. */
class FirstCompileProbe {
  @Test
  void first() {
    int warm = Integer.getInteger("probe.warm", 0);
    if (warm > 0) {
      ScaleObjects w = new ScaleObjects(warm, 5, 10);
      ResourceCache wc = new ResourceCache();
      w.all().forEach(wc::upsert);
      var b = ManagementFactory.getThreadMXBean();
      for (int i = 0; i < Integer.getInteger("probe.warmRounds", 1); i++) {
        long c = b.getCurrentThreadCpuTime();
        long t = System.nanoTime();
        new Compiler(OperatorOptions.parse(new String[0], Map.of()).compilerSettings()).compile(wc.state().withNow(Instant.now()));
        System.out.printf("PROBE warm-up %d (%d Ingresses): cpu %.1f ms wall %.1f ms%n", i, warm, (b.getCurrentThreadCpuTime() - c) / 1e6, (System.nanoTime() - t) / 1e6);
      }
    }
    if (Boolean.getBoolean("probe.warmUp")) {
      var b = ManagementFactory.getThreadMXBean();
      long c = b.getCurrentThreadCpuTime();
      long t = System.nanoTime();
      int r = io.portcullis.operator.CompilerWarmUp.run(OperatorOptions.parse(new String[0], Map.of()).compilerSettings(), Integer.getInteger("probe.warmRounds", 3), () -> false);
      System.out.printf("PROBE CompilerWarmUp %d rounds: cpu %.1f ms wall %.1f ms%n", r, (b.getCurrentThreadCpuTime() - c) / 1e6, (System.nanoTime() - t) / 1e6);
    }
    ScaleObjects objects = new ScaleObjects(Integer.getInteger("scale.ingresses", 10000), 5, 100);
    ResourceCache cache = new ResourceCache();
    objects.all().forEach(cache::upsert);
    ClusterState state = cache.state().withNow(Instant.now());
    var bean = ManagementFactory.getThreadMXBean();
    for (int i = 0; i < Integer.getInteger("probe.rounds", 1); i++) {
      Compiler compiler = new Compiler(OperatorOptions.parse(new String[0], Map.of()).compilerSettings());
      long t = System.nanoTime();
      long c = bean.getCurrentThreadCpuTime();
      compiler.compile(state);
      System.out.printf("PROBE compile %d: cpu %.1f ms wall %.1f ms%n", i, (bean.getCurrentThreadCpuTime() - c) / 1e6, (System.nanoTime() - t) / 1e6);
    }
  }
}
