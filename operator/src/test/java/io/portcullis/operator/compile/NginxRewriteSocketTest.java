package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.NginxSockets.P;
import static io.portcullis.operator.compile.NginxSockets.nginx;
import static io.portcullis.operator.compile.NginxSockets.service;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.operator.compile.NginxSockets.Backend;
import io.portcullis.operator.compile.NginxSockets.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * use-regex and rewrite-target through real sockets, one dataplane serving one Ingress per case
 * (a host each), the backend telling which path reached it. Expected: ingress-nginx's documented
 * behaviour (docs/examples/rewrite, annotations.md "Use Regex"): paths are {@code location ~*
 * "^PATH"} (case-insensitive, anchored at the start only) and the target replaces the whole path
 * after {@code $n} takes the path's capture groups; the query string is kept.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NginxRewriteSocketTest {
  private NginxSockets rig;

  /** host, path, rewrite-target ("-" for none: use-regex only). */
  private static final List<String[]> INGRESSES = List.of(
      new String[] {"documented.example.com", "/something(/|$)(.*)", "/$2"},
      new String[] {"two.example.com", "/(a|b)/(.*)", "/$1/x/$2"},
      new String[] {"glued.example.com", "/api/v([0-9]+)/(.*)", "/v$1-api/$2"},
      new String[] {"custom.example.com", "/foo/bar/(.+)", "/new/backend/$1"},
      new String[] {"optional.example.com", "/opt(/x)?(.*)", "/o$1$2"},
      new String[] {"whole.example.com", "/old", "/"},
      new String[] {"regex.example.com", "/static/[a-z]+", "-"});

  @BeforeAll
  void serve() throws Exception {
    rig = new NginxSockets();
    Backend web = rig.backend("web");
    List<Object> objects = new ArrayList<>(service("web", web.port()));
    int i = 0;
    for (String[] ingress : INGRESSES) {
      var fixture = nginx("rewrite-" + i++).annotation(P + "use-regex", "true");
      if (!ingress[2].equals("-")) {
        fixture.annotation(P + "rewrite-target", ingress[2]);
      }
      objects.add(ingress[1].equals("/old")
          ? fixture.host(ingress[0]).prefix(ingress[1], "web", web.port())
          : fixture.host(ingress[0]).implementationSpecific(ingress[1], "web", web.port()));
    }
    rig.serve(objects.toArray());
  }

  @AfterAll
  void stop() {
    rig.close();
  }

  @ParameterizedTest(name = "{0}{1} reaches the backend as {2}")
  @CsvSource(delimiter = ' ', value = {
      // The documented example: /something(/|$)(.*) with /$2.
      "documented.example.com /something /",
      "documented.example.com /something/ /",
      "documented.example.com /something/new /new",
      "documented.example.com /something/new/deeper?x=1&y=2 /new/deeper?x=1&y=2",
      // ~*: case-insensitive.
      "documented.example.com /SOMETHING/New /New",
      "documented.example.com /somethingelse 404",
      // Any groups, several, glued to literals.
      "two.example.com /a/y /a/x/y",
      "two.example.com /b/q/r /b/x/q/r",
      "two.example.com /c/q 404",
      "glued.example.com /api/v2/users /v2-api/users",
      "custom.example.com /foo/bar/baz /new/backend/baz",
      // A group that took no part is empty.
      "optional.example.com /opt/y /o/y",
      "optional.example.com /opt/x/y /o/x/y",
      // No groups: the target replaces the whole path.
      "whole.example.com /old/deep/page /",
      // use-regex alone: anchored at the start only, so longer paths match too; no rewrite.
      "regex.example.com /static/css/site.css /static/css/site.css",
      "regex.example.com /STATIC/js /STATIC/js",
      "regex.example.com /static/ 404",
  })
  void rewrite(String host, String path, String expected) throws Exception {
    Response r = rig.get(host, path, Map.of());
    if (expected.equals("404")) {
      assertEquals(404, r.status(), r.body());
    } else {
      assertEquals("web " + expected, r.body());
    }
  }
}
