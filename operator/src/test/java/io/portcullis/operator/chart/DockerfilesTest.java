package io.portcullis.operator.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No Docker engine runs here, so the Dockerfiles are checked against what they must agree
 * with: the jar the module's shade plugin names, the user the chart runs as, the ports the
 * chart's containers open.
 */
class DockerfilesTest {
  @ParameterizedTest
  @ValueSource(strings = {"operator", "dataplane"})
  void dockerfileAgreesWithThePomAndTheChart(String component) throws Exception {
    Path root = Chart.repositoryRoot();
    String dockerfile = Files.readString(root.resolve("Dockerfile." + component));
    String pom = Files.readString(root.resolve(component).resolve("pom.xml"));
    String jar = "portcullis-" + component;

    assertTrue(pom.contains("<finalName>" + jar + "</finalName>"), "the pom's shaded jar is " + jar);
    assertTrue(dockerfile.contains("mvn -B -pl " + component + " -am -DskipTests package"), "the build step");
    assertTrue(dockerfile.contains("cp " + component + "/target/" + jar + ".jar "), "copies the shaded jar");
    assertTrue(dockerfile.contains("ENTRYPOINT [\"java\", \"-jar\", \"/opt/portcullis/" + jar + ".jar\"]"));
    assertTrue(dockerfile.contains("FROM maven:3.9-eclipse-temurin-17 AS build"));
    assertTrue(dockerfile.contains("FROM eclipse-temurin:17-jre"));
    assertTrue(dockerfile.contains("-XX:+ExitOnOutOfMemoryError"));
    assertTrue(dockerfile.contains("-XX:MaxRAMPercentage="));

    List<HasMetadata> objects = Chart.render(Map.of());
    Deployment deployment = Chart.one(objects, Deployment.class, "pc-portcullis-" + component);
    long uid = deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser();
    Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$").matcher(dockerfile);
    assertTrue(user.find(), "a numeric USER, so runAsNonRoot can verify it");
    assertEquals(uid, Long.parseLong(user.group(1)), "the image's user is the chart's runAsUser");

    Matcher expose = Pattern.compile("(?m)^EXPOSE (.+)$").matcher(dockerfile);
    assertTrue(expose.find());
    Set<Integer> exposed =
        Set.of(expose.group(1).trim().split("\\s+")).stream().map(Integer::valueOf).collect(Collectors.toCollection(TreeSet::new));
    Set<Integer> opened =
        deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
            .map(p -> p.getContainerPort())
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(opened, exposed, "EXPOSE lists the ports the chart opens by default");
  }

  /** A module added to the reactor but not to the image build breaks only {@code docker build}: catch it here. */
  @ParameterizedTest
  @ValueSource(strings = {"operator", "dataplane"})
  void everyReactorModuleIsInTheBuildContextAndCopied(String component) throws Exception {
    Path root = Chart.repositoryRoot();
    String dockerfile = Files.readString(root.resolve("Dockerfile." + component));
    List<String> dockerignore = Files.readAllLines(root.resolve(".dockerignore"));
    String pom = Files.readString(root.resolve("pom.xml"));
    // The default build's modules only: profiles (bench/jmh) are not part of an image.
    String defaultModules = pom.substring(pom.indexOf("<modules>"), pom.indexOf("</modules>"));
    Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(defaultModules);
    int modules = 0;
    while (module.find()) {
      String name = module.group(1);
      modules++;
      assertTrue(dockerignore.contains("!" + name + "/"), ".dockerignore lets " + name + "/ in");
      assertTrue(dockerfile.contains("COPY " + name + "/pom.xml " + name + "/"), "copies " + name + "/pom.xml");
      assertTrue(dockerfile.contains("COPY " + name + "/src " + name + "/src"), "copies " + name + "/src");
    }
    assertTrue(modules >= 3, "the reactor pom lists its modules");
  }

  /**
   * The daemon-less Jib image (not built here: no base image registry is reachable) must match
   * the Dockerfile: same base, same user, same ports, same JVM flags.
   */
  @ParameterizedTest
  @ValueSource(strings = {"operator", "dataplane"})
  void jibImageMatchesTheDockerfile(String component) throws Exception {
    Path root = Chart.repositoryRoot();
    String dockerfile = Files.readString(root.resolve("Dockerfile." + component));
    String parent = Files.readString(root.resolve("pom.xml"));
    String pom = Files.readString(root.resolve(component).resolve("pom.xml"));
    assertTrue(parent.contains("<artifactId>jib-maven-plugin</artifactId>\n          <version>3.5.2</version>"));
    assertTrue(parent.contains("<image>eclipse-temurin:17-jre</image>") && dockerfile.contains("FROM eclipse-temurin:17-jre"));
    Matcher user = Pattern.compile("(?m)^USER (\\d+:\\d+)$").matcher(dockerfile);
    assertTrue(user.find());
    assertTrue(parent.contains("<user>" + user.group(1) + "</user>"), "Jib runs as the Dockerfile's USER");
    Matcher env = Pattern.compile("ENV JDK_JAVA_OPTIONS=\"([^\"]+)\"").matcher(dockerfile);
    assertTrue(env.find());
    assertTrue(pom.contains("<JDK_JAVA_OPTIONS>" + env.group(1) + "</JDK_JAVA_OPTIONS>"), "the same JVM flags");
    Matcher expose = Pattern.compile("(?m)^EXPOSE (.+)$").matcher(dockerfile);
    assertTrue(expose.find());
    for (String port : expose.group(1).trim().split("\\s+")) {
      assertTrue(pom.contains("<port>" + port + "</port>"), "Jib exposes " + port);
    }
    assertTrue(pom.contains("<mainClass>io.portcullis." + component + ".Main</mainClass>"));
  }

  /**
   * The image's JVM flags were chosen by measurement (bench/README.md, "Memory"): the chart's
   * default carries the same list, and the benchmarks and the quick start run it too, with
   * -XX:MaxRAM standing in for the chart's memory limit outside a container.
   */
  @ParameterizedTest
  @CsvSource({"operator, OPERATOR, 512Mi, 512m", "dataplane, DATAPLANE, 1Gi, 1g"})
  void theImageJvmFlagsAreWhatTheChartTheBenchmarksAndTheQuickStartRun(
      String component, String variable, String chartLimit, String maxRam) throws Exception {
    Path root = Chart.repositoryRoot();
    Matcher env =
        Pattern.compile("ENV JDK_JAVA_OPTIONS=\"([^\"]+)\"").matcher(Files.readString(root.resolve("Dockerfile." + component)));
    assertTrue(env.find());
    String flags = env.group(1);

    Container container =
        Chart.one(Chart.render(Map.of()), Deployment.class, "pc-portcullis-" + component)
            .getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals(
        List.of(flags),
        container.getEnv().stream().filter(e -> e.getName().equals("JDK_JAVA_OPTIONS")).map(EnvVar::getValue).toList(),
        "the chart's " + component + ".jvmOptions default");
    assertEquals(chartLimit, container.getResources().getLimits().get("memory").toString(), "the limit -XX:MaxRAM stands in for");

    String bench = Files.readString(root.resolve("bench/jvm-options.sh"));
    assertTrue(bench.contains("PORTCULLIS_" + variable + "_IMAGE_JVM_OPTIONS=\"" + flags + "\"\n"), "bench/jvm-options.sh");
    assertTrue(
        bench.contains("PORTCULLIS_" + variable + "_JVM_OPTIONS=\"-XX:MaxRAM=" + maxRam + " $PORTCULLIS_" + variable + "_IMAGE_JVM_OPTIONS\"\n"),
        "bench/jvm-options.sh sizes the heap as under the chart's limit");
    assertTrue(
        Files.readString(root.resolve("run-local.sh")).contains(variable + "_JVM_OPTIONS=\"-XX:MaxRAM=" + maxRam + " " + flags + "\"\n"),
        "run-local.sh");
  }
}
