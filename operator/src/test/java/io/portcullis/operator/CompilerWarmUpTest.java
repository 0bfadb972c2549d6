package io.portcullis.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.operator.compile.CompileResult;
import io.portcullis.operator.compile.Compiler;
import io.portcullis.operator.compile.CompilerSettings;
import io.portcullis.snapshot.Snapshot;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The warm-up is worth its CPU only if it runs the paths a real compile runs: every Ingress of its
 * made-up cluster accepted and routed, TLS Secrets parsed and attached, policies resolved, nothing
 * failing into an error path. And it stops when asked.
 */
class CompilerWarmUpTest {
  private static final CompilerSettings SETTINGS = CompilerSettings.defaults();

  @Test
  void theMadeUpClusterCompilesCleanlyThroughTheRealPaths() {
    CompileResult result = new Compiler(SETTINGS).compile(
        CompilerWarmUp.sample(SETTINGS, 30, Instant.now()));
    Snapshot snapshot = result.snapshot();
    assertEquals(30, snapshot.virtualHosts().size());
    assertEquals(60, snapshot.virtualHosts().stream().mapToInt(v -> v.routes().size()).sum());
    // Every third Ingress has TLS, from three certificates (three namespaces).
    assertEquals(10, snapshot.certificates().size());
    // Every fifth asks for a policy: a cluster of its own next to the default ones.
    assertTrue(snapshot.clusters().stream().anyMatch(c -> c.policy() != null), "policy clusters");
    assertTrue(snapshot.clusters().stream().allMatch(c -> !c.endpoints().isEmpty()), "endpoints");
    List<String> problems = result.statuses().stream()
        .flatMap(s -> s.events().stream().filter(e -> e.warning()).map(e -> s.object() + ": " + e.message()))
        .toList();
    assertEquals(List.of(), problems);
  }

  @Test
  void stopsBetweenRoundsWhenAsked() {
    AtomicInteger asked = new AtomicInteger();
    // Stop after the first round: the check runs before the sample is built and before each round.
    int rounds = CompilerWarmUp.run(SETTINGS, 5, () -> asked.incrementAndGet() > 2);
    assertEquals(1, rounds);
    assertEquals(0, CompilerWarmUp.run(SETTINGS, 5, () -> true));
  }
}
