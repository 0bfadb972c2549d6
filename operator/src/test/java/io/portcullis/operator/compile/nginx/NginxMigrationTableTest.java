package io.portcullis.operator.compile.nginx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The README's annotation table is the registry rendered: this test fails when they differ, and
 * with {@code -Dportcullis.regenerate=true} rewrites the README's table instead.
 */
class NginxMigrationTableTest {
  static final Path README = Path.of("..", "README.md");
  static final String BEGIN = "<!-- nginx-annotations:begin -->\n";
  static final String END = "<!-- nginx-annotations:end -->";
  static final String REGENERATE = "mvn -B -q -pl operator -am test -Dtest=NginxMigrationTableTest"
      + " -Dsurefire.failIfNoSpecifiedTests=false -Dportcullis.regenerate=true";

  static String render() {
    StringBuilder out = new StringBuilder("| `nginx.ingress.kubernetes.io/...` | support | how |\n| --- | --- | --- |\n");
    for (NginxAnnotation a : NginxAnnotations.all()) {
      out.append("| `").append(a.name()).append("` | ")
          .append(a.support().name().toLowerCase(Locale.ROOT)).append(" | ")
          .append(a.how().replace("|", "\\|")).append(" |\n");
    }
    return out.toString();
  }

  @Test
  void theReadmeTableIsTheRegistry() throws Exception {
    String readme = Files.readString(README);
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    assertTrue(begin >= 0 && end > begin, "README lacks the " + BEGIN.trim() + " ... " + END + " markers");
    String current = readme.substring(begin + BEGIN.length(), end);
    String wanted = render();
    if (Boolean.getBoolean("portcullis.regenerate")) {
      Files.writeString(README, readme.substring(0, begin + BEGIN.length()) + wanted + readme.substring(end));
      return;
    }
    assertEquals(wanted, current, "the README's ingress-nginx table is stale; regenerate it with: " + REGENERATE);
  }

  @Test
  void everySnippetIsRefusedAndNothingHonouredIsASnippet() {
    for (NginxAnnotation a : NginxAnnotations.all()) {
      if (NginxAnnotations.isSnippet(a.name())) {
        assertEquals(Support.REFUSED, a.support(), a.name());
      }
    }
    assertTrue(NginxAnnotations.isSnippet("some-new-snippet"));
  }
}
