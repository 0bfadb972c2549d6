package io.portcullis.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nginx-compat-report --manifests DIR}, run as a user runs it, on a directory of YAML. */
class NginxCompatReportTest {
  @TempDir Path dir;

  @Test
  void printsServedRefusedAndChangedPerIngressOfClassNginx() throws Exception {
    Files.writeString(dir.resolve("shop.yaml"), """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: shop
          namespace: default
          annotations:
            nginx.ingress.kubernetes.io/rewrite-target: /$2
            nginx.ingress.kubernetes.io/enable-cors: "true"
            nginx.ingress.kubernetes.io/configuration-snippet: |
              more_set_headers "X-Frame-Options: DENY";
        spec:
          ingressClassName: nginx
          rules:
          - host: shop.example.com
            http:
              paths:
              - path: /api(/|$)(.*)
                pathType: ImplementationSpecific
                backend:
                  service: {name: api, port: {number: 80}}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: mine
          namespace: default
        spec:
          ingressClassName: portcullis
          rules:
          - host: mine.example.com
            http:
              paths:
              - path: /
                pathType: Prefix
                backend:
                  service: {name: api, port: {number: 80}}
        """);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = NginxCompatReport.run(new String[] {"--manifests", dir.toString()}, Map.of(),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    String report = out.toString(StandardCharsets.UTF_8);
    assertEquals(1, status, report + err);
    assertTrue(report.contains("default/shop (ingress-nginx's class): 1 route(s)"), report);
    assertTrue(report.contains("  served:  enable-cors, rewrite-target"), report);
    assertTrue(report.contains("  refused: annotation nginx.ingress.kubernetes.io/configuration-snippet is refused"), report);
    assertTrue(report.contains("  changed: annotation nginx.ingress.kubernetes.io/rewrite-target"), report);
    assertTrue(!report.contains("default/mine"), report);
    assertTrue(report.contains("1 Ingress(es) for ingress-nginx; some annotations are refused"), report);
  }

  @Test
  void aBadFlagIsOneLineNamingIt() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = NginxCompatReport.run(new String[] {"--bogus", "x"}, Map.of(), System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, status);
    assertEquals("portcullis-operator nginx-compat-report: unknown flag --bogus\n",
        err.toString(StandardCharsets.UTF_8));
  }
}
