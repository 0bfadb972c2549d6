package io.portcullis.dataplane.filters.compression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A 100 MB response compresses through a JVM whose heap and direct memory are 64 MB each: the
 * filter holds the encoder's window, never the body.
 */
class BoundedMemoryTest {

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "br", "zstd"})
  void hundredMegabytesCompressInSixtyFourMegabytes(String coding) throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    Process p = new ProcessBuilder(List.of(java, "-Xmx64m", "-XX:MaxDirectMemorySize=64m",
        "-Dio.netty.leakDetection.level=disabled",
        "-cp", System.getProperty("java.class.path"), HundredMegabytes.class.getName(), coding))
        .redirectErrorStream(true)
        .start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), output);
    assertTrue(output.contains("in=104857600 out="), output);
    long out = Long.parseLong(output.replaceAll("(?s).*out=(\\d+).*", "$1"));
    assertTrue(out > 0 && out < 104857600 / 4, output);
  }
}
