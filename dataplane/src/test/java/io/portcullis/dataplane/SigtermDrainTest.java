package io.portcullis.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A real SIGTERM to a dataplane JVM runs the drain and the process exits once it is done. */
class SigtermDrainTest {
  @Test
  void sigtermDrainsAndExits() throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
        Main.class.getName(),
        "--control-plane", "http://127.0.0.1:1", "--bind-address", "127.0.0.1",
        "--http-port", "0", "--https-port", "0", "--admin-port", "0",
        "--drain-delay", "0s", "--drain-timeout", "5s", "--access-log", "off")
        .redirectErrorStream(true)
        .start();
    List<String> output = new CopyOnWriteArrayList<>();
    try {
      BufferedReader lines = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      Thread reader = new Thread(() -> lines.lines().forEach(output::add));
      reader.setDaemon(true);
      reader.start();
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
          .until(() -> output.stream().anyMatch(l -> l.contains("started: http")));

      // SIGTERM on Unix; Process.destroy() would also close our end of its output.
      process.toHandle().destroy();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "exited after the drain");
      reader.join(5000);
      assertTrue(output.stream().anyMatch(l -> l.contains("draining: /ready is 503")), output::toString);
      assertTrue(output.stream().anyMatch(l -> l.contains("drained")), output::toString);
      assertEquals(143, process.exitValue(), "the usual exit status after SIGTERM");
    } finally {
      process.destroyForcibly();
    }
  }
}
