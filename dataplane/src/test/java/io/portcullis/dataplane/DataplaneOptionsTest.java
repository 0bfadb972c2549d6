package io.portcullis.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.cli.Flags.FlagException;
import io.portcullis.dataplane.clientaddress.ClientAddressSettings;
import io.portcullis.dataplane.clientaddress.ProxyProtocol;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataplaneOptionsTest {
  private static final Map<String, String> NO_ENV = Map.of("HOSTNAME", "node-a");

  private static DataplaneOptions parse(Map<String, String> env, String... args) {
    return DataplaneOptions.parse(args, env);
  }

  private static String error(String... args) {
    return assertThrows(FlagException.class, () -> parse(NO_ENV, args)).getMessage();
  }

  @Test
  void onlyTheControlPlaneIsNeededTheRestHasDocumentedDefaults() {
    DataplaneOptions o = parse(NO_ENV, "--control-plane", "http://127.0.0.1:18000");
    assertEquals(URI.create("http://127.0.0.1:18000"), o.controlPlane());
    assertEquals("node-a", o.nodeId());
    assertEquals(8080, o.httpPort());
    assertEquals(8443, o.httpsPort());
    assertEquals(9901, o.adminPort());
    assertEquals("0.0.0.0", o.bindAddress());
    assertEquals("info", o.logLevel());
  }

  @Test
  void everyFlagCanComeFromTheEnvironmentAndTheCommandLineWins() {
    Map<String, String> env =
        Map.of(
            "PORTCULLIS_CONTROL_PLANE", "https://operator:18000",
            "PORTCULLIS_TLS_CERT", "/tls/tls.crt",
            "PORTCULLIS_TLS_KEY", "/tls/tls.key",
            "PORTCULLIS_TLS_CA", "/tls/ca.crt",
            "PORTCULLIS_NODE_ID", "from-env",
            "PORTCULLIS_HTTP_PORT", "81",
            "PORTCULLIS_ADMIN_PORT", "82",
            "PORTCULLIS_LOG_LEVEL", "DEBUG");
    DataplaneOptions o = parse(env, "--http-port=9000");
    assertEquals("operator", o.controlPlane().getHost());
    assertEquals("from-env", o.nodeId());
    assertEquals(9000, o.httpPort());
    assertEquals(82, o.adminPort());
    assertEquals("debug", o.logLevel());
    assertEquals(new DataplaneOptions.TlsFiles(
        Path.of("/tls/tls.crt"), Path.of("/tls/tls.key"), Path.of("/tls/ca.crt")), o.tls());
  }

  @Test
  void aMissingControlPlaneIsNamed() {
    assertTrue(error().contains("--control-plane is required"));
  }

  @Test
  void aBadValueIsReportedBeforeAMissingRequiredFlag() {
    // The README promises "bad value 'x' for --http-port"; without --control-plane too.
    assertTrue(error("--http-port", "x").startsWith("bad value 'x' for --http-port"), error("--http-port", "x"));
    assertTrue(error("--drain-delay", "5 s").startsWith("bad value '5 s' for --drain-delay"));
  }

  @Test
  void anHttpsControlPlaneNeedsAllThreeTlsFiles() {
    assertEquals("--tls-cert is required with an https:// --control-plane",
        error("--control-plane", "https://op:18000"));
    assertEquals("--tls-ca is required with an https:// --control-plane",
        error("--control-plane", "https://op:18000", "--tls-cert", "a", "--tls-key", "b"));
  }

  @Test
  void plaintextToAnythingButLoopbackIsRefused() {
    assertTrue(error("--control-plane", "http://operator:18000")
        .contains("plaintext http:// only to a loopback host"));
    assertTrue(error("--control-plane", "http://10.0.0.1:18000")
        .contains("plaintext http:// only to a loopback host"));
    assertEquals(null, parse(NO_ENV, "--control-plane", "http://localhost:18000").tls());
    assertEquals(null, parse(NO_ENV, "--control-plane", "http://[::1]:18000").tls());
  }

  @Test
  void tlsFilesWithAPlaintextControlPlaneAreAMistake() {
    assertEquals("--tls-cert needs an https:// --control-plane",
        error("--control-plane", "http://127.0.0.1:18000", "--tls-cert", "a"));
  }

  @Test
  void badValuesNameTheirFlag() {
    String cp = "http://127.0.0.1:18000";
    assertTrue(error("--control-plane", cp, "--http-port", "70000").contains("--http-port"));
    assertTrue(error("--control-plane", cp, "--https-port", "x").contains("--https-port"));
    assertTrue(error("--control-plane", cp, "--admin-port", "-1").contains("--admin-port"));
    assertTrue(error("--control-plane", cp, "--bind-address", "example.com").contains("--bind-address"));
    assertTrue(error("--control-plane", cp, "--bind-address", "300.1.1.1").contains("--bind-address"));
    assertTrue(error("--control-plane", cp, "--log-level", "loud").contains("--log-level"));
    assertTrue(error("--control-plane", cp, "--node-id", "has space").contains("--node-id"));
    assertTrue(error("--control-plane", "ftp://x").contains("--control-plane"));
    assertTrue(error("--control-plane", "http://").contains("--control-plane"));
  }

  @Test
  void clientAddressFlagsDefaultToNoneAndParse() {
    String cp = "http://127.0.0.1:18000";
    DataplaneOptions defaults = parse(NO_ENV, "--control-plane", cp);
    assertEquals(ClientAddressSettings.DEFAULT, defaults.clientAddresses());
    DataplaneOptions o = parse(
        Map.of("PORTCULLIS_TRUSTED_PROXIES", "10.0.0.0/8, 2001:db8::/32",
            "PORTCULLIS_PROXY_PROTOCOL", "V2"),
        "--control-plane", cp, "--max-connections-per-client", "50");
    assertEquals("[10.0.0.0/8, 2001:db8::/32]",
        o.clientAddresses().trustedProxies().toString());
    assertEquals(ProxyProtocol.V2, o.clientAddresses().proxyProtocol());
    assertEquals(50, o.clientAddresses().maxConnectionsPerClient());
  }

  @Test
  void badClientAddressFlagsAreOneLineNamingTheFlag() {
    String cp = "http://127.0.0.1:18000";
    assertEquals("bad value '10.0.0.1/8' for --trusted-proxies: '10.0.0.1/8' has host bits set"
            + " (did you mean 10.0.0.0/8?)",
        error("--control-plane", cp, "--trusted-proxies", "10.0.0.1/8"));
    assertEquals("bad value 'lb.internal' for --trusted-proxies: 'lb.internal' is not an IP"
            + " address or CIDR (IPv4 needs four dotted decimal parts)",
        error("--control-plane", cp, "--trusted-proxies", "lb.internal"));
    assertEquals("bad value 'v3' for --proxy-protocol: expected off, v1, v2 or any",
        error("--control-plane", cp, "--proxy-protocol", "v3"));
    assertEquals("bad value '-1' for --max-connections-per-client: must be between 0"
            + " (unlimited) and 1000000",
        error("--control-plane", cp, "--max-connections-per-client", "-1"));
    assertEquals("bad value 'ten' for --max-connections-per-client: expected a whole number"
            + " (0: unlimited)",
        error("--control-plane", cp, "--max-connections-per-client", "ten"));
  }

  @Test
  void unknownFlagIsNamed() {
    assertEquals("unknown flag --listen", error("--control-plane", "http://a:1", "--listen", "1"));
  }

  @Test
  void twoListenersOnOnePortAreRefused() {
    assertTrue(
        error("--control-plane", "http://a:1", "--http-port", "9901").contains("--admin-port"));
  }

  @Test
  void ipv6BindAddressIsAccepted() {
    assertEquals("::", parse(NO_ENV, "--control-plane", "http://127.0.0.1:1", "--bind-address", "::").bindAddress());
  }

  @Test
  void aBadFlagExitsWithCodeTwoAndOneLineOnStderr() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        Main.run(
            new String[] {"--control-plane", "http://127.0.0.1:1", "--http-port", "eighty"},
            NO_ENV,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, exit);
    String text = err.toString(StandardCharsets.UTF_8);
    assertTrue(text.startsWith("portcullis-dataplane: bad value 'eighty' for --http-port"), text);
    assertEquals(1, text.lines().count(), text);
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void helpPrintsEveryFlagAndSaysTlsIsNotServedYet() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        Main.run(
            new String[] {"--help"},
            NO_ENV,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertEquals(0, exit);
    String text = out.toString(StandardCharsets.UTF_8);
    for (String flag : DataplaneOptions.FLAGS) {
      assertTrue(text.contains("--" + flag), flag);
    }
    assertTrue(text.contains("SNI picks"));
    assertFalse(text.isBlank());
  }

  @Test
  void drainAndAccessLogHaveDefaultsAndBadValuesNameTheFlag() {
    DataplaneOptions o = parse(NO_ENV, "--control-plane", "http://127.0.0.1:18000");
    assertEquals(java.time.Duration.ofSeconds(5), o.drainDelay());
    assertEquals(java.time.Duration.ofSeconds(25), o.drainTimeout());
    assertTrue(o.accessLog());
    DataplaneOptions set = parse(Map.of("PORTCULLIS_ACCESS_LOG", "off"),
        "--control-plane", "http://127.0.0.1:18000", "--drain-delay", "0s",
        "--drain-timeout", "2m");
    assertEquals(java.time.Duration.ZERO, set.drainDelay());
    assertEquals(java.time.Duration.ofMinutes(2), set.drainTimeout());
    assertFalse(set.accessLog());

    String cp = "http://127.0.0.1:18000";
    assertTrue(error("--control-plane", cp, "--drain-delay", "5").contains("--drain-delay"));
    assertTrue(error("--control-plane", cp, "--drain-delay", "6m").contains("at most 5m"));
    assertTrue(error("--control-plane", cp, "--drain-timeout", "0s").contains("--drain-timeout"));
    assertTrue(error("--control-plane", cp, "--access-log", "text").contains("--access-log"));
  }

  @Test
  void ioTransportDefaultsToTheFirstAvailableAndBadNamesAreOneLine() {
    String cp = "http://127.0.0.1:18000";
    DataplaneOptions o = parse(NO_ENV, "--control-plane", cp);
    String expected = io.netty.channel.uring.IoUring.isAvailable() ? "io_uring"
        : io.netty.channel.epoll.Epoll.isAvailable() ? "epoll" : "nio";
    assertEquals(expected, o.transport().name());
    assertEquals(expected, parse(NO_ENV, "--control-plane", cp, "--io-transport", "auto").transport().name());
    assertEquals("nio", parse(Map.of("PORTCULLIS_IO_TRANSPORT", "nio"), "--control-plane", cp)
        .transport().name());
    assertEquals("bad value 'kqueue' for --io-transport: 'kqueue' is not one of auto, io_uring, epoll, nio",
        error("--control-plane", cp, "--io-transport", "kqueue"));
  }

  @Test
  void helpListsEveryFlag() {
    for (String flag : DataplaneOptions.FLAGS) {
      assertTrue(DataplaneOptions.USAGE.contains("--" + flag + " "), () -> "--help lists --" + flag);
    }
  }

  @Test
  void wafRulesDirectory() throws Exception {
    String cp = "http://127.0.0.1:18000";
    assertEquals(DataplaneOptions.DEFAULT_WAF_RULES, parse(Map.of(), "--control-plane", cp).wafRules());
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("crs");
    assertEquals(dir, parse(Map.of("PORTCULLIS_WAF_RULES", dir.toString()), "--control-plane", cp).wafRules());
    assertTrue(error("--control-plane", cp, "--waf-rules", dir + "/missing").contains("--waf-rules"));
  }
}
