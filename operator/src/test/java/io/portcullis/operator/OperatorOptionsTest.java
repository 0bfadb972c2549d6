package io.portcullis.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.operator.compile.ServiceRef;
import io.portcullis.operator.pki.ControlChannelSettings;
import io.portcullis.operator.pki.NamespacedName;
import io.portcullis.operator.source.KubernetesSource.EndpointsKind;
import io.portcullis.cli.Flags.FlagException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperatorOptionsTest {
  @TempDir Path dir;

  private static OperatorOptions parse(Map<String, String> env, String... args) {
    return OperatorOptions.parse(args, env);
  }

  @Test
  void noFlagsMeansClusterModeWithDocumentedDefaults() {
    OperatorOptions o = parse(Map.of());
    assertNull(o.manifests());
    assertFalse(o.localMode());
    assertEquals("portcullis", o.ingressClass());
    assertEquals(List.of(), o.watchNamespaces());
    assertEquals(EndpointsKind.ENDPOINT_SLICES, o.endpointsSource());
    assertEquals(18000, o.snapshotPort());
    assertEquals("0.0.0.0", o.snapshotAddress());
    assertEquals(9090, o.metricsPort());
    assertNull(o.defaultBackend());
  }

  @Test
  void everyFlagIsRead() {
    OperatorOptions o =
        parse(
            Map.of(),
            "--manifests", dir.toString(),
            "--ingress-class", "edge",
            "--watch-namespaces", "shop, payments,",
            "--endpoints-source", "endpoints",
            "--snapshot-port", "0",
            "--snapshot-address", "::1",
            "--metrics-port=9191",
            "--default-backend", "infra/fallback:http");
    assertEquals(dir, o.manifests());
    assertTrue(o.localMode());
    assertEquals("edge", o.ingressClass());
    assertEquals(List.of("shop", "payments"), o.watchNamespaces());
    assertEquals(EndpointsKind.ENDPOINTS, o.endpointsSource());
    assertEquals(0, o.snapshotPort());
    assertEquals("::1", o.snapshotAddress());
    assertEquals(9191, o.metricsPort());
    assertEquals(new ServiceRef("infra", "fallback", "http"), o.defaultBackend());
    assertEquals("edge", o.compilerSettings().ingressClass());
  }

  @Test
  void localModeBindsTheStreamToLoopbackByDefault() {
    assertEquals("127.0.0.1", parse(Map.of(), "--manifests", dir.toString()).snapshotAddress());
  }

  @Test
  void environmentVariablesFillInAndTheCommandLineWins() {
    Map<String, String> env =
        Map.of(
            "PORTCULLIS_MANIFESTS", dir.toString(),
            "PORTCULLIS_SNAPSHOT_PORT", "18001",
            "PORTCULLIS_INGRESS_CLASS", "from-env",
            "PORTCULLIS_WATCH_NAMESPACES", "a,b",
            "PORTCULLIS_ENDPOINTS_SOURCE", "endpoints",
            "PORTCULLIS_METRICS_PORT", "9999",
            "PORTCULLIS_SNAPSHOT_ADDRESS", "127.0.0.5",
            "PORTCULLIS_DEFAULT_BACKEND", "x/y:80");
    OperatorOptions o = parse(env, "--snapshot-port", "18002");
    assertEquals(dir, o.manifests());
    assertEquals(18002, o.snapshotPort());
    assertEquals("from-env", o.ingressClass());
    assertEquals(List.of("a", "b"), o.watchNamespaces());
    assertEquals(EndpointsKind.ENDPOINTS, o.endpointsSource());
    assertEquals(9999, o.metricsPort());
    assertEquals("127.0.0.5", o.snapshotAddress());
    assertEquals(new ServiceRef("x", "y", "80"), o.defaultBackend());
  }

  @Test
  void ingressNginxCompatIsOffByDefaultAndReadFromFlagOrEnvironment() {
    var ignored = io.portcullis.operator.compile.CompilerSettings.IngressNginx.IGNORED;
    var served = io.portcullis.operator.compile.CompilerSettings.IngressNginx.SERVED;
    assertEquals(ignored, parse(Map.of()).compilerSettings().ingressNginx());
    assertEquals(served, parse(Map.of(), "--ingress-nginx-compat", "true").compilerSettings().ingressNginx());
    assertEquals(served, parse(Map.of("PORTCULLIS_INGRESS_NGINX_COMPAT", "true")).ingressNginx());
    FlagException e = assertThrows(FlagException.class,
        () -> parse(Map.of(), "--ingress-nginx-compat", "yes"));
    assertTrue(e.getMessage().contains("--ingress-nginx-compat"), e.getMessage());
  }

  @Test
  void unknownFlagIsNamed() {
    FlagException e = assertThrows(FlagException.class, () -> parse(Map.of(), "--bogus", "1"));
    assertEquals("unknown flag --bogus", e.getMessage());
  }

  @Test
  void badValuesNameTheFlagAndTheProblem() {
    assertBad("--snapshot-port", "70000", "snapshot-port", "port must be between 0 and 65535");
    assertBad("--metrics-port", "http", "metrics-port", "expected a port number");
    assertBad("--endpoints-source", "slices", "endpoints-source", "expected endpointslices or endpoints");
    assertBad("--default-backend", "svc:80", "default-backend", "expected namespace/service:port");
    assertBad("--watch-namespaces", "Shop", "watch-namespaces", "not a valid namespace name");
    assertBad("--ingress-class", "Not_Valid", "ingress-class", "not a valid IngressClass name");
    assertBad("--snapshot-address", "example.com", "snapshot-address", "expected an IP address");
    assertBad("--manifests", dir.resolve("missing").toString(), "manifests", "not a directory");
    assertBad("--default-certificate", "just-a-name", "default-certificate", "expected namespace/name");
  }

  @Test
  void defaultCertificateNamesASecretFromFlagOrEnvironment() {
    OperatorOptions o = parse(Map.of("PORTCULLIS_DEFAULT_CERTIFICATE", "ops/wildcard-tls"));
    assertEquals("ops/wildcard-tls", o.defaultCertificate());
    assertNull(parse(Map.of()).defaultCertificate());
  }

  private void assertBad(String flag, String value, String name, String why) {
    FlagException e = assertThrows(FlagException.class, () -> parse(Map.of(), flag, value));
    assertTrue(e.getMessage().startsWith("bad value '" + value + "' for --" + name + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(why), e.getMessage());
  }

  @Test
  void mainPrintsOneLinePrefixedWithTheProgramName() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    var parsed =
        Main.parseOptions(
            new String[] {"--snapshot-port", "x"},
            Map.of(),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertTrue(parsed.isEmpty());
    assertEquals(
        "portcullis-operator: bad value 'x' for --snapshot-port: expected a port number from 0 to 65535\n",
        err.toString(StandardCharsets.UTF_8).replace("\r", ""));
  }

  @Test
  void clusterModeControlChannelDefaultsNameTheChartsSecretsAndService() {
    assertEquals(ControlChannelSettings.defaults(), parse(Map.of()).controlChannel());
  }

  @Test
  void controlChannelFlagsAreParsed() {
    OperatorOptions o = parse(Map.of("PORTCULLIS_SNAPSHOT_DNS_NAMES", "op.example.com, 10.0.0.7"),
        "--ca-secret", "infra/ca", "--dataplane-cert-secret", "infra/dp-tls",
        "--snapshot-service", "infra/op", "--control-cert-validity", "48h");
    ControlChannelSettings c = o.controlChannel();
    assertEquals(new NamespacedName("infra", "ca"), c.caSecret());
    assertEquals(new NamespacedName("infra", "dp-tls"), c.dataplaneSecret());
    assertEquals(List.of("op.infra.svc", "op.infra.svc.cluster.local", "op.infra", "op",
        "op.example.com", "10.0.0.7"), c.serverNames());
    assertEquals(java.time.Duration.ofHours(48), c.certValidity());
  }

  @Test
  void badControlChannelValuesNameTheirFlag() {
    assertBad("--ca-secret", "just-a-name", "ca-secret", "expected namespace/name");
    assertBad("--dataplane-cert-secret", "ns/Bad_Name", "dataplane-cert-secret", "not a valid object name");
    assertBad("--snapshot-dns-names", "ok.example,not a name", "snapshot-dns-names", "is not a DNS name or IP address");
    assertBad("--control-cert-validity", "10m", "control-cert-validity", "must be at least 1h");
  }

  @Test
  void localModePlaintextMustStayOnLoopback() {
    FlagException e = assertThrows(FlagException.class,
        () -> parse(Map.of(), "--manifests", dir.toString(), "--snapshot-address", "0.0.0.0"));
    assertEquals("bad value '0.0.0.0' for --snapshot-address: with --manifests the snapshot stream"
        + " is plaintext and must bind to loopback", e.getMessage());
    assertEquals("127.0.0.2",
        parse(Map.of(), "--manifests", dir.toString(), "--snapshot-address", "127.0.0.2").snapshotAddress());
  }

  @Test
  void controlChannelFlagsInLocalModeAreRefusedRatherThanIgnored() {
    FlagException e = assertThrows(FlagException.class,
        () -> parse(Map.of(), "--manifests", dir.toString(), "--ca-secret", "a/b"));
    assertEquals("--ca-secret needs cluster mode: with --manifests the snapshot stream is plaintext"
        + " on loopback", e.getMessage());
  }

  @Test
  void publishFlagsAndLogLevelAreParsedAndBadValuesNameTheFlag() {
    OperatorOptions none = OperatorOptions.parse(new String[0], java.util.Map.of());
    assertEquals(null, none.publishService());
    assertEquals(java.util.List.of(), none.publishAddresses());
    assertEquals("info", none.logLevel());
    OperatorOptions set = OperatorOptions.parse(new String[] {
        "--publish-service", "edge/dataplane", "--publish-address", "203.0.113.9,lb.example.com",
        "--log-level", "DEBUG"}, java.util.Map.of());
    assertEquals("edge/dataplane", set.publishService().toString());
    assertEquals(java.util.List.of("203.0.113.9", "lb.example.com"), set.publishAddresses());
    assertEquals("debug", set.logLevel());
    for (String[] bad : new String[][] {
        {"--publish-service", "no-slash"}, {"--publish-address", "not a name"},
        {"--log-level", "loud"}}) {
      String message = org.junit.jupiter.api.Assertions.assertThrows(
          io.portcullis.cli.Flags.FlagException.class,
          () -> OperatorOptions.parse(bad, java.util.Map.of())).getMessage();
      org.junit.jupiter.api.Assertions.assertTrue(message.contains(bad[0]), message);
    }
  }

  @Test
  void helpListsEveryFlag() {
    assertTrue(OperatorOptions.wantsHelp(new String[] {"--manifests", "x", "--help"}));
    for (String flag : OperatorOptions.FLAGS) {
      assertTrue(OperatorOptions.USAGE.contains("--" + flag + " "), () -> "--help lists --" + flag);
    }
  }

  @Test
  void aBadValueIsReportedBeforeFlagsAreCheckedAgainstEachOther() {
    String message = assertThrows(FlagException.class,
        () -> parse(Map.of(), "--manifests", dir.toString(), "--ca-secret", "a/b", "--metrics-port", "x")).getMessage();
    assertTrue(message.startsWith("bad value 'x' for --metrics-port"), message);
  }
}
