package io.portcullis.operator.scale;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link OperatorProcess} in a child JVM, started with this JVM's test class path, and what the
 * bench asks of it: its snapshot port, its live heap (a class histogram, which runs a full GC
 * first and counts only reachable objects), its resident memory, and its own breakdown by part.
 */
final class OperatorJvm implements AutoCloseable {
  /** The operator image's flags (Dockerfile.operator), with a memory limit standing in for the pod's. */
  static final String DEFAULT_OPTIONS = "-XX:MaxRAM=2g -XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=5.0"
      + " -XX:+UseSerialGC -XX:TrimNativeHeapInterval=5000 -XX:+ExitOnOutOfMemoryError -XX:+PerfDisableSharedMem";

  private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)\\s*$");
  private static final Pattern CLASS_ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");

  private final Process process;
  private final PrintStream commands;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final int port;
  private final long syncedMillis;

  private OperatorJvm(Process process, Duration deadline) throws Exception {
    this.process = process;
    this.commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the process ended
      }
      lines.add("EOF");
    }, "operator-jvm-stdout");
    reader.setDaemon(true);
    reader.start();
    this.port = Integer.parseInt(expect("PORT ", deadline));
    this.syncedMillis = Long.parseLong(expect("SYNCED ", deadline));
  }

  /**
   * Starts the operator against {@code masterUrl} and returns once it has synced.
   *
   * @param log where the child's stderr (the operator's log) goes
   */
  static OperatorJvm start(String masterUrl, String jvmOptions, Path log, Duration deadline) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(Arrays.asList(jvmOptions.trim().split("\\s+")));
    // JOL (HeapBreakdown) measures with Instrumentation when it may attach to its own JVM.
    command.add("-Djdk.attach.allowAttachSelf=true");
    // and needs this to read the fields of lambdas (hidden classes) on the way.
    command.add("-Djol.magicFieldOffset=true");
    command.add("-cp");
    command.add(classPath);
    command.add(OperatorProcess.class.getName());
    command.add(masterUrl);
    Process process = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
        .start();
    try {
      return new OperatorJvm(process, deadline);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException("the operator JVM did not start (log: " + log + ")", e);
    }
  }

  int port() {
    return port;
  }

  /** From the child's call of {@code Operator.start()} until it returned (informers synced). */
  long syncedMillis() {
    return syncedMillis;
  }

  long pid() {
    return process.pid();
  }

  /** The child's class histogram: a full GC, then every reachable object counted by class. */
  Histogram histogram() throws Exception {
    String out = jcmd("GC.class_histogram");
    Matcher total = TOTAL.matcher(out);
    if (!total.find()) {
      throw new IllegalStateException("no total in the class histogram:\n" + out);
    }
    List<String> top = new ArrayList<>();
    for (String line : out.split("\n")) {
      Matcher m = CLASS_ROW.matcher(line);
      if (m.matches() && top.size() < 15) {
        top.add(String.format("%s %,d x, %.1f MiB", m.group(3), Long.parseLong(m.group(1)),
            Long.parseLong(m.group(2)) / (1024.0 * 1024.0)));
      }
    }
    return new Histogram(Long.parseLong(total.group(2)), Long.parseLong(total.group(1)), top);
  }

  record Histogram(long bytes, long objects, List<String> top) {}

  /** VmRSS of the child, in bytes. */
  long residentBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS for " + pid());
  }

  /** {@link HeapBreakdown}'s rows, measured in the child. */
  List<HeapBreakdown.Row> breakdown(Duration deadline) throws Exception {
    commands.println("breakdown");
    List<HeapBreakdown.Row> rows = new ArrayList<>();
    while (true) {
      String line = next(deadline);
      if (line.equals("END")) {
        return rows;
      }
      if (line.startsWith("ROW ")) {
        String[] parts = line.split(" ", 3);
        String[] labelAndTop = parts[2].split("\t", 2);
        rows.add(new HeapBreakdown.Row(Long.parseLong(parts[1]), labelAndTop[0],
            labelAndTop.length > 1 ? labelAndTop[1] : ""));
      }
    }
  }

  /**
   * The child's stage times since the last ask, added to the queues: when its source reported a
   * change, when each compile started and ended ({@link System#nanoTime()}, one clock machine-wide
   * on Linux, so comparable with this JVM's).
   */
  void stages(Queue<Long> events, Queue<Long> compileStarts, Queue<Long> compileEnds, Duration deadline)
      throws Exception {
    commands.println("stages");
    while (true) {
      String line = next(deadline);
      if (line.equals("END")) {
        return;
      }
      if (line.startsWith("STAGE ")) {
        String[] parts = line.split(" ");
        long at = Long.parseLong(parts[2]);
        switch (parts[1]) {
          case "E" -> events.add(at);
          case "S" -> compileStarts.add(at);
          default -> compileEnds.add(at);
        }
      }
    }
  }

  /** One thread's counters in the child: CPU time (ns) and bytes allocated since it started. */
  record ThreadUse(long cpuNanos, long allocatedBytes) {}

  /** Every live thread of the child by name (threads sharing a name are added up). */
  Map<String, ThreadUse> threads(Duration deadline) throws Exception {
    commands.println("threads");
    Map<String, ThreadUse> out = new java.util.TreeMap<>();
    while (true) {
      String line = next(deadline);
      if (line.equals("END")) {
        return out;
      }
      if (line.startsWith("THREAD ")) {
        String[] parts = line.split(" ", 4);
        ThreadUse use = new ThreadUse(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        out.merge(parts[3], use, (a, b) ->
            new ThreadUse(a.cpuNanos() + b.cpuNanos(), a.allocatedBytes() + b.allocatedBytes()));
      }
    }
  }

  private String jcmd(String what) throws Exception {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    Process p = new ProcessBuilder(jcmd, Long.toString(pid()), what).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + what + " failed:\n" + out);
    }
    return out;
  }

  private String expect(String prefix, Duration deadline) throws InterruptedException {
    while (true) {
      String line = next(deadline);
      if (line.startsWith(prefix)) {
        return line.substring(prefix.length()).trim();
      }
    }
  }

  private String next(Duration deadline) throws InterruptedException {
    String line = lines.poll(deadline.toMillis(), TimeUnit.MILLISECONDS);
    if (line == null || line.equals("EOF")) {
      throw new IllegalStateException(line == null ? "no answer from the operator JVM within " + deadline
          : "the operator JVM ended (exit " + (process.isAlive() ? "?" : process.exitValue()) + ")");
    }
    return line;
  }

  @Override
  public void close() throws InterruptedException {
    commands.println("exit");
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
