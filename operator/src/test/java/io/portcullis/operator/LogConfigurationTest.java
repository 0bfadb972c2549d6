package io.portcullis.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.SimpleDateFormat;
import java.time.OffsetDateTime;
import java.util.Date;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Both programs log through slf4j-simple configured by their {@code simplelogger.properties}:
 * every line carries an ISO-8601 timestamp and its level, and the operator silences fabric8's
 * harmless web-socket close warnings.
 */
class LogConfigurationTest {
  private static Properties load(Path file) throws Exception {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    }
    return p;
  }

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (!Files.isDirectory(dir.resolve("dataplane"))) {
      dir = dir.getParent();
    }
    return dir;
  }

  @Test
  void bothProgramsStampEveryLineWithAnIso8601TimeAndTheLevel() throws Exception {
    for (String program : new String[] {"operator", "dataplane"}) {
      Properties p = load(repositoryRoot().resolve(program + "/src/main/resources/simplelogger.properties"));
      assertEquals("true", p.getProperty("org.slf4j.simpleLogger.showDateTime"), program);
      String format = p.getProperty("org.slf4j.simpleLogger.dateTimeFormat");
      // slf4j-simple formats with SimpleDateFormat; the result must parse as ISO-8601.
      String stamped = new SimpleDateFormat(format).format(new Date());
      OffsetDateTime.parse(stamped);
      assertTrue(p.getProperty("org.slf4j.simpleLogger.levelInBrackets", "false").equals("false"), program);
    }
  }

  @Test
  void theOperatorFiltersFabric8sHarmlessWebSocketCloseWarnings() throws Exception {
    Properties p = load(repositoryRoot().resolve("operator/src/main/resources/simplelogger.properties"));
    assertEquals("error", p.getProperty(
        "org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.jdkhttp.JdkWebSocketImpl"));
  }

  @Test
  void theOperatorsFileIsTheOneOnItsClasspath() throws Exception {
    URL found = getClass().getClassLoader().getResource("simplelogger.properties");
    assertTrue(found != null && found.toString().contains("operator"), String.valueOf(found));
  }
}
