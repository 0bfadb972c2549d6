package io.portcullis.operator.scale;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.portcullis.operator.Main;
import io.portcullis.operator.Operator;
import io.portcullis.operator.OperatorOptions;
import io.portcullis.operator.compile.CompileResult;
import io.portcullis.operator.compile.Compiler;
import io.portcullis.operator.compile.IncrementalCompiler;
import io.portcullis.operator.source.KubernetesSource;
import io.portcullis.operator.status.KubernetesStatusSink;
import io.portcullis.operator.status.PublishedAddresses;
import io.portcullis.operator.store.SnapshotStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The operator alone in a JVM of its own, for {@code bench/scale.sh --operator-jvm}: wired as
 * ScaleBench wires it in-process (informers, incremental compiler, status writer, plaintext h2c
 * stream; no leader election), against the mock API server whose URL is the first argument. Its
 * heap then holds the operator and nothing else: not the mock's store, not the bench's objects,
 * not the dataplanes.
 *
 * <p>Talks to the bench on its standard streams, one line each: it prints {@code PORT <n>} once
 * the stream server is bound and {@code SYNCED <ms>} once {@link Operator#start()} returned;
 * it answers {@code breakdown} with {@code ROW <bytes> <label>} lines and {@code END} (see
 * {@link HeapBreakdown}), {@code stages} with {@code STAGE E|S|C <nanoTime>} lines (source events,
 * compile starts and ends since the last ask) and {@code END}, {@code threads} with {@code THREAD
 * <cpu ns> <allocated bytes> <name>} lines for every live thread and {@code END}, and stops on
 * {@code exit} or when its input closes.
 */
public final class OperatorProcess {
  private OperatorProcess() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: OperatorProcess <mock API server URL>");
      System.exit(2);
    }
    // The protocol's lines go to the real stdout; everything else the operator prints goes to stderr.
    PrintStream protocol = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    System.setOut(System.err);
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl(args[0])
        .withTrustCerts(true)
        .withNamespace("default")
        .build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      OperatorOptions options = OperatorOptions.parse(new String[] {
          "--snapshot-port", "0", "--snapshot-address", "127.0.0.1", "--metrics-port", "0",
          "--publish-address", "10.0.0.1"}, Map.of());
      IncrementalCompiler compiler = new IncrementalCompiler(new Compiler(options.compilerSettings()));
      SnapshotStore store = new SnapshotStore();
      KubernetesSource source = new KubernetesSource(client, List.of(), options.endpointsSource());
      KubernetesStatusSink sink = new KubernetesStatusSink(client);
      // Stage times for the bench's propagation rows, on System.nanoTime() (the bench's clock too).
      Queue<Long> events = new ConcurrentLinkedQueue<>();
      Queue<Long> compileStarts = new ConcurrentLinkedQueue<>();
      Queue<Long> compileEnds = new ConcurrentLinkedQueue<>();
      Operator operator = new Operator(options, new TimedSource(source, events), sink,
          state -> {
            compileStarts.add(System.nanoTime());
            CompileResult result = compiler.apply(state.withNow(Instant.now()));
            compileEnds.add(System.nanoTime());
            return result;
          }, store, Main.streamServer());
      operator.publishAddresses(PublishedAddresses.fixed(List.of("10.0.0.1")));
      long started = System.nanoTime();
      try {
        operator.start();
        protocol.println("PORT " + operator.snapshotPort());
        protocol.println("SYNCED " + (System.nanoTime() - started) / 1_000_000);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null && !line.equals("exit"); ) {
          if (line.equals("breakdown")) {
            for (HeapBreakdown.Row row : HeapBreakdown.of(operator, source, compiler, store)) {
              protocol.println("ROW " + row.bytes() + " " + row.label() + "\t" + row.top());
            }
            protocol.println("END");
          } else if (line.equals("stages")) {
            drain(events, "E", protocol);
            drain(compileStarts, "S", protocol);
            drain(compileEnds, "C", protocol);
            protocol.println("END");
          } else if (line.equals("threads")) {
            threads(protocol);
            protocol.println("END");
          }
        }
      } finally {
        operator.close();
      }
    }
    System.exit(0);
  }

  /** Each live thread's CPU time and bytes allocated so far (HotSpot's per-thread counters). */
  private static void threads(PrintStream out) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long id = info.getThreadId();
      out.println("THREAD " + threads.getThreadCpuTime(id) + " " + threads.getThreadAllocatedBytes(id)
          + " " + info.getThreadName());
    }
  }

  private static void drain(Queue<Long> times, String tag, PrintStream out) {
    for (Long t; (t = times.poll()) != null; ) {
      out.println("STAGE " + tag + " " + t);
    }
  }
}
