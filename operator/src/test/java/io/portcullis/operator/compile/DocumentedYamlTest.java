package io.portcullis.operator.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.portcullis.operator.crd.ExamplesSchemaTest;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.operator.source.ManifestsSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docs that are tested: every YAML block of {@code README.md} and every directory under
 * {@code examples/} is applied as local mode applies it, and must be accepted: no problem reading
 * it, every ProxyRoute valid against the CRD's schema (what an API server checks), and every
 * Ingress and ProxyRoute compiled with {@code Accepted} and {@code ResolvedRefs} true and no
 * warning. Services, EndpointSlices and Secrets a snippet names but does not define are made up
 * (a snippet shows a route, not the cluster around it).
 *
 * <p>How README blocks are read, so that new ones need nothing from this test: a block with
 * {@code apiVersion} and {@code kind} is applied as written; one that starts at {@code spec:},
 * {@code routes:} or {@code backends:} is a ProxyRoute fragment and is wrapped into a whole
 * ProxyRoute (hosts added when a {@code spec:} fragment has none); a block whose first line is {@code # not a manifest} is skipped. Any other
 * {@code yaml} block fails with that advice.
 */
class DocumentedYamlTest {
  static final Path ROOT = Path.of("..");
  static final String SKIP_MARK = "# not a manifest";
  private static final Pattern FENCE = Pattern.compile("(?m)^```(\\w*)[ \\t]*\\n(.*?)^```[ \\t]*$", Pattern.DOTALL);

  @TempDir Path temp;

  /** One thing to apply: a README block or an examples directory. */
  record Unit(String label, Map<String, String> files) {}

  @TestFactory
  Stream<DynamicTest> everyReadmeYamlBlockAndEveryExampleIsAccepted() throws IOException {
    List<Unit> units = new ArrayList<>(readmeBlocks(Files.readString(ROOT.resolve("README.md"))));
    units.addAll(exampleDirectories());
    assertTrue(units.size() >= 7, "README blocks and examples found: " + units.size());
    return units.stream().map(unit -> DynamicTest.dynamicTest(unit.label(), () -> apply(unit)));
  }

  @Test
  void aRefusedSnippetFailsTheCheckWithFileLineAndField() throws Exception {
    // The two README snippets issue 16 found: both must be caught by this test's machinery.
    Unit slowStart = readmeBlocks("```yaml\nroutes:\n- backends: [{service: api, port: 80}]\n"
        + "  loadBalancer: {policy: LeastRequest, slowStart: 30s}\n```\n").get(0);
    AssertionError e1 = assertFailure(slowStart);
    assertTrue(e1.getMessage().contains("spec.routes[0].loadBalancer.slowStart: unknown field"), e1.getMessage());
    Unit mtls = readmeBlocks("```yaml\nspec:\n  hosts: [api.example.com]\n  tls:\n    secretName: api-tls\n"
        + "    clientCertificates: {caSecretName: api-clients-ca}\n  routes:\n  - backends: [{service: api, port: 80}]\n```\n")
        .get(0);
    AssertionError e2 = assertFailure(mtls);
    assertTrue(e2.getMessage().contains("spec.tls.clientCertificates: unknown field (did you mean clientCertificate?)"),
        e2.getMessage());
  }

  private AssertionError assertFailure(Unit unit) {
    try {
      apply(unit);
    } catch (AssertionError e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return fail("accepted: " + unit);
  }

  // ---------------------------------------------------------------- finding the YAML

  static List<Unit> readmeBlocks(String markdown) {
    List<Unit> units = new ArrayList<>();
    Matcher m = FENCE.matcher(markdown);
    while (m.find()) {
      if (!m.group(1).equals("yaml") && !m.group(1).equals("yml")) {
        continue;
      }
      int line = lineOf(markdown, m.start()) + 1;
      String body = dedent(m.group(2));
      if (body.startsWith(SKIP_MARK)) {
        continue;
      }
      String label = "README.md block at line " + line;
      units.add(new Unit(label, Map.of("readme-" + line + ".yaml", manifest(body, label, line))));
    }
    return units;
  }

  /** The block as a whole manifest: as written, or a ProxyRoute fragment wrapped. */
  static String manifest(String body, String label, int line) {
    String first = firstKey(body);
    String name = "readme-" + line;
    if (Pattern.compile("(?m)^apiVersion:").matcher(body).find() && Pattern.compile("(?m)^kind:").matcher(body).find()) {
      return body;
    }
    String head = "apiVersion: portcullis.io/v1alpha1\nkind: ProxyRoute\nmetadata: {name: " + name
        + ", namespace: default}\n";
    return switch (first) {
      // A spec fragment that shows only its subject gets the hosts it needs to be whole.
      case "spec" -> head + (Pattern.compile("(?m)^  hosts:").matcher(body).find() ? body
          : body.replaceFirst("(?m)^spec:[ \\t]*\\n", "spec:\n  hosts: [" + name + ".example.com]\n"));
      case "routes" -> head + "spec:\n  hosts: [" + name + ".example.com]\n" + indent(body, 2);
      case "backends" -> head + "spec:\n  hosts: [" + name + ".example.com]\n  routes:\n  - match: {path: {prefix: /}}\n"
          + indent(body, 4);
      default -> throw new AssertionError(label + ": a yaml block must be a manifest (apiVersion and kind), a"
          + " ProxyRoute fragment starting at spec:, routes: or backends:, or start with '" + SKIP_MARK
          + "'; it starts with '" + first + ":'");
    };
  }

  private static String firstKey(String body) {
    for (String l : body.split("\n")) {
      String t = l.strip();
      if (!t.isEmpty() && !t.startsWith("#")) {
        int colon = t.indexOf(':');
        return colon < 0 ? t : t.substring(0, colon);
      }
    }
    return "";
  }

  private static String dedent(String text) {
    int common = Integer.MAX_VALUE;
    for (String l : text.split("\n")) {
      if (!l.isBlank()) {
        common = Math.min(common, l.length() - l.stripLeading().length());
      }
    }
    if (common == Integer.MAX_VALUE || common == 0) {
      return text;
    }
    StringBuilder out = new StringBuilder();
    for (String l : text.split("\n")) {
      out.append(l.isBlank() ? "" : l.substring(common)).append('\n');
    }
    return out.toString();
  }

  private static String indent(String text, int spaces) {
    String pad = " ".repeat(spaces);
    StringBuilder out = new StringBuilder();
    for (String l : text.split("\n")) {
      out.append(l.isBlank() ? "" : pad + l).append('\n');
    }
    return out.toString();
  }

  private static int lineOf(String text, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  static List<Unit> exampleDirectories() throws IOException {
    List<Unit> units = new ArrayList<>();
    List<Path> dirs;
    try (Stream<Path> list = Files.list(ROOT.resolve("examples"))) {
      dirs = list.filter(Files::isDirectory).sorted().toList();
    }
    for (Path dir : dirs) {
      Map<String, String> files = new java.util.TreeMap<>();
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path file : walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
            .filter(p -> !dir.relativize(p).toString().startsWith("generated")).sorted().toList()) {
          files.put(dir.relativize(file).toString(), Files.readString(file));
        }
      }
      if (!files.isEmpty()) {
        units.add(new Unit("examples/" + dir.getFileName(), files));
      }
    }
    return units;
  }

  // ---------------------------------------------------------------- applying it

  private void apply(Unit unit) throws Exception {
    Path dir = Files.createTempDirectory(temp, "unit");
    for (Map.Entry<String, String> file : unit.files().entrySet()) {
      Path target = dir.resolve(file.getKey());
      Files.createDirectories(target.getParent());
      Files.writeString(target, file.getValue(), StandardCharsets.UTF_8);
    }
    List<String> problems = new ArrayList<>();
    ClusterState state;
    try (ManifestsSource source = new ManifestsSource(dir, Duration.ofMinutes(1), problems::add)) {
      source.start(() -> {});
      state = source.state();
    }
    assertEquals(List.of(), problems, unit.label() + ": local mode could not read it");
    assertFalse(state.ingresses().isEmpty() && state.proxyRoutes().isEmpty(),
        unit.label() + ": holds no Ingress or ProxyRoute");

    for (ProxyRoute route : state.proxyRoutes()) {
      List<String> errors = new ArrayList<>();
      JsonNode spec = new ObjectMapper().readTree(Serialization.asJson(route.getSpec()));
      ExamplesSchemaTest.validate(spec, specSchema(), "spec", errors);
      assertEquals(List.of(), errors, unit.label() + ": ProxyRoute " + route.getMetadata().getName()
          + " breaks the CRD schema (an API server refuses it)");
    }

    CompileResult result = new Compiler(CompilerSettings.defaults()).compile(withMadeUpReferences(state));
    for (ObjectStatus status : result.statuses()) {
      for (ObjectStatus.Condition c : status.conditions()) {
        if (c.type().equals(Reasons.ACCEPTED) || c.type().equals(Reasons.RESOLVED_REFS)) {
          assertTrue(c.status(), () -> unit.label() + ": " + status.object() + " " + c);
        }
      }
      assertTrue(status.events().stream().noneMatch(ObjectStatus.Event::warning),
          () -> unit.label() + ": " + status.object() + " warnings " + status.events());
    }
  }

  private static JSONSchemaProps specSchema() throws IOException {
    CustomResourceDefinition crd = Serialization.unmarshal(
        Files.readString(ROOT.resolve("crds/portcullis.io_proxyroutes.yaml")), CustomResourceDefinition.class);
    return crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec");
  }

  /** The state plus whatever Services, endpoints and Secrets its objects name but nobody defined. */
  private static ClusterState withMadeUpReferences(ClusterState state) {
    List<IngressClass> classes = new ArrayList<>(state.ingressClasses());
    if (classes.isEmpty()) {
      classes.add(Fixtures.ourClass());
    }
    List<Service> services = new ArrayList<>(state.services());
    List<EndpointSlice> slices = new ArrayList<>(state.endpointSlices());
    List<Secret> secrets = new ArrayList<>(state.secrets());
    Set<String> haveServices = new HashSet<>();
    services.forEach(s -> haveServices.add(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName()));
    Set<String> haveSecrets = new HashSet<>();
    secrets.forEach(s -> haveSecrets.add(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName()));

    Set<List<Object>> wantedServices = new LinkedHashSet<>();
    Map<String, List<String>> wantedTls = new java.util.LinkedHashMap<>();
    Set<String> wantedCas = new LinkedHashSet<>();
    for (ProxyRoute route : state.proxyRoutes()) {
      String ns = route.getMetadata().getNamespace();
      ProxyRouteSpec spec = route.getSpec();
      for (ProxyRouteSpec.RouteSpec r : spec.routes) {
        if (r.backends != null) {
          for (ProxyRouteSpec.Backend b : r.backends) {
            wantedServices.add(List.of(ns, b.service, "", b.port));
            if (b.tls != null && b.tls.caSecret != null) {
              wantedCas.add(ns + "/" + b.tls.caSecret);
            }
          }
        }
        if (r.mirror != null) {
          wantedServices.add(List.of(ns, r.mirror.service, "", r.mirror.port));
        }
      }
      if (spec.tls != null) {
        wantedTls.put(ns + "/" + spec.tls.secretName, spec.hosts);
        if (spec.tls.clientCertificate != null) {
          wantedCas.add(ns + "/" + spec.tls.clientCertificate.caSecret);
        }
      }
    }
    for (Ingress ingress : state.ingresses()) {
      String ns = ingress.getMetadata().getNamespace();
      List<IngressBackend> backends = new ArrayList<>();
      if (ingress.getSpec().getDefaultBackend() != null) {
        backends.add(ingress.getSpec().getDefaultBackend());
      }
      if (ingress.getSpec().getRules() != null) {
        ingress.getSpec().getRules().stream().filter(rule -> rule.getHttp() != null)
            .flatMap(rule -> rule.getHttp().getPaths().stream()).forEach(p -> backends.add(p.getBackend()));
      }
      for (IngressBackend b : backends) {
        if (b.getService() != null) {
          var port = b.getService().getPort();
          wantedServices.add(List.of(ns, b.getService().getName(),
              port.getName() == null ? "" : port.getName(), port.getNumber() == null ? 80 : port.getNumber()));
        }
      }
      if (ingress.getSpec().getTls() != null) {
        for (IngressTLS tls : ingress.getSpec().getTls()) {
          List<String> hosts = tls.getHosts() == null || tls.getHosts().isEmpty()
              ? ingress.getSpec().getRules().stream().map(r -> r.getHost()).filter(h -> h != null).toList()
              : tls.getHosts();
          wantedTls.put(ns + "/" + tls.getSecretName(), hosts);
        }
      }
    }
    for (List<Object> s : wantedServices) {
      String ns = (String) s.get(0);
      String name = (String) s.get(1);
      if (haveServices.add(ns + "/" + name)) {
        String portName = ((String) s.get(2)).isEmpty() ? null : (String) s.get(2);
        services.add(Fixtures.service(ns, name).port(portName, (Integer) s.get(3)).build());
        slices.add(Fixtures.slice(ns, name).port(portName, 8080).ready("10.0.0.1").build());
      }
    }
    wantedTls.forEach((key, hosts) -> {
      if (haveSecrets.add(key)) {
        String[] parts = key.split("/");
        secrets.add(TestCertificates.tlsSecret(parts[0], parts[1], TestCertificates.issue(hosts.toArray(String[]::new))));
      }
    });
    for (String key : wantedCas) {
      if (haveSecrets.add(key)) {
        String[] parts = key.split("/");
        Secret ca = Fixtures.secret(parts[0], parts[1], "Opaque");
        ca.setData(Map.of("ca.crt", TestCertificates.b64(TestCertificates.issue("ca.example.com").certificatePem())));
        secrets.add(ca);
      }
    }
    return new ClusterState(classes, state.ingresses(), state.proxyRoutes(), services, slices, secrets,
        null, withMadeUpSites(state));
  }

  /** The state's ConfigMaps plus a one-page site for every static ConfigMap named but not defined. */
  private static List<io.fabric8.kubernetes.api.model.ConfigMap> withMadeUpSites(ClusterState state) {
    List<io.fabric8.kubernetes.api.model.ConfigMap> maps = new ArrayList<>(state.configMaps());
    Set<String> have = new HashSet<>();
    maps.forEach(m -> have.add(m.getMetadata().getNamespace() + "/" + m.getMetadata().getName()));
    for (var route : state.proxyRoutes()) {
      String ns = route.getMetadata().getNamespace();
      for (var r : route.getSpec().routes) {
        if (r != null && r.staticContent != null && r.staticContent.configMap != null
            && have.add(ns + "/" + r.staticContent.configMap)) {
          maps.add(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
              .withNewMetadata().withNamespace(ns).withName(r.staticContent.configMap).endMetadata()
              .addToData("index.html", "<h1>made up for the docs test</h1>").build());
        }
      }
    }
    return maps;
  }
}
