package io.portcullis.operator.chart;

import static io.portcullis.operator.chart.Chart.NAMESPACE;
import static io.portcullis.operator.chart.Chart.all;
import static io.portcullis.operator.chart.Chart.one;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.portcullis.operator.leader.LeaderElection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Helm chart rendered by real Helm, with default and non-default values. */
class ChartTest {
  private static final String OPERATOR = "pc-portcullis-operator";
  private static final String DATAPLANE = "pc-portcullis-dataplane";

  private static List<HasMetadata> defaults;

  @BeforeAll
  static void renderDefaults() {
    defaults = Chart.render(Map.of());
  }

  @Test
  void helmLintPassesInStrictMode() {
    LintResult result = Chart.helm().lint().strict().call();
    assertFalse(result.isFailed(), () -> String.join("\n", result.getMessages()));
  }

  @Test
  void chartCrdsAreTheRepositorysCrds() throws Exception {
    var root = Chart.repositoryRoot();
    List<String> names = new ArrayList<>();
    try (var files = java.nio.file.Files.list(root.resolve("crds"))) {
      files.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(p -> names.add(p.getFileName().toString()));
    }
    assertEquals(
        names, Chart.crdFiles().stream().map(p -> p.getFileName().toString()).toList(),
        "charts/portcullis/crds must hold a copy of every file in crds/ (cp crds/*.yaml charts/portcullis/crds/)");
    for (String name : names) {
      assertEquals(
          java.nio.file.Files.readString(root.resolve("crds").resolve(name)),
          java.nio.file.Files.readString(Chart.directory().resolve("crds").resolve(name)),
          name + " differs between crds/ and charts/portcullis/crds/");
    }
  }

  // ---- RBAC ----------------------------------------------------------------------------

  @Test
  void operatorReadsWhatItWatchesAndWritesOnlyStatusesAndEvents() {
    assertEquals(
        Set.of(
            "networking.k8s.io ingresses [] list,watch",
            "networking.k8s.io ingresses/status [] patch",
            "portcullis.io proxyroutes [] list,watch",
            "portcullis.io proxyroutes/status [] patch",
            " services [] list,watch",
            " secrets [] get,list,watch",
            // OIDC session Secrets that routes name and nobody made: create only, never update
            " secrets [] create",
            " configmaps [] list,watch",
            "discovery.k8s.io endpointslices [] list,watch",
            " events [] create,get,patch"),
        rules(one(defaults, ClusterRole.class, OPERATOR).getRules()));
    assertEquals(
        Set.of("networking.k8s.io ingressclasses [] list,watch"),
        rules(one(defaults, ClusterRole.class, OPERATOR + "-cluster").getRules()));
    Role lease = one(defaults, Role.class, OPERATOR + "-leader-election");
    assertEquals(NAMESPACE, lease.getMetadata().getNamespace());
    assertEquals(
        Set.of(
            "coordination.k8s.io leases [] create,get,list,watch,patch,delete",
            "coordination.k8s.io leases [" + LeaderElection.leaseName("portcullis") + "] update",
            " services [" + DATAPLANE + "] list,watch"),
        rules(lease.getRules()));
  }

  @Test
  void ingressesPublishTheDataplaneServiceAddressUnlessFixedAddressesAreGiven() {
    Container operator = container(defaults, OPERATOR);
    assertEquals(NAMESPACE + "/" + DATAPLANE, env(operator, "PORTCULLIS_PUBLISH_SERVICE"));
    assertTrue(operator.getEnv().stream().noneMatch(e -> e.getName().equals("PORTCULLIS_PUBLISH_ADDRESS")));

    List<HasMetadata> objects = Chart.render(Map.of(
        "operator.publishService", "edge/lb",
        "operator.publishAddress[0]", "203.0.113.9",
        "operator.publishAddress[1]", "shop.example.com"));
    Container custom = container(objects, OPERATOR);
    assertEquals("edge/lb", env(custom, "PORTCULLIS_PUBLISH_SERVICE"));
    assertEquals("203.0.113.9,shop.example.com", env(custom, "PORTCULLIS_PUBLISH_ADDRESS"));
    // Another Service is not ours to grant: no read rule for it.
    assertTrue(rules(one(objects, Role.class, OPERATOR + "-leader-election").getRules()).stream()
        .noneMatch(r -> r.contains("services")));
  }

  @Test
  void everyRoleIsBoundToTheOperatorServiceAccountAndNothingToTheDataplanes() {
    for (ClusterRoleBinding binding : all(defaults, ClusterRoleBinding.class)) {
      assertEquals(OPERATOR, binding.getSubjects().get(0).getName());
      assertEquals(NAMESPACE, binding.getSubjects().get(0).getNamespace());
    }
    assertEquals(
        Set.of(OPERATOR, OPERATOR + "-cluster"),
        all(defaults, ClusterRoleBinding.class).stream().map(b -> b.getRoleRef().getName()).collect(Collectors.toSet()));
    for (RoleBinding binding : all(defaults, RoleBinding.class)) {
      assertEquals(OPERATOR, binding.getSubjects().get(0).getName());
    }
    ServiceAccount dataplane = one(defaults, ServiceAccount.class, DATAPLANE);
    assertEquals(Boolean.FALSE, dataplane.getAutomountServiceAccountToken());
    PodSpec pod = pod(DATAPLANE);
    assertEquals(DATAPLANE, pod.getServiceAccountName());
    assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken());
  }

  @Test
  void watchingChosenNamespacesGrantsTheNamespacedRulesOnlyThere() {
    List<HasMetadata> objects =
        Chart.render(Map.of(
            "operator.watchNamespaces[0]", "shop",
            "operator.watchNamespaces[1]", "blog",
            "operator.endpointsSource", "endpoints"));
    List<RoleBinding> bindings =
        all(objects, RoleBinding.class).stream().filter(b -> b.getRoleRef().getName().equals(OPERATOR)).toList();
    assertEquals(
        Set.of("shop", "blog"),
        bindings.stream().map(b -> b.getMetadata().getNamespace()).collect(Collectors.toSet()));
    assertTrue(
        all(objects, ClusterRoleBinding.class).stream().noneMatch(b -> b.getRoleRef().getName().equals(OPERATOR)),
        "no cluster-wide binding of the namespaced rules");
    Set<String> rules = rules(one(objects, ClusterRole.class, OPERATOR).getRules());
    assertTrue(rules.contains(" endpoints [] list,watch"), rules::toString);
    assertTrue(rules.stream().noneMatch(r -> r.contains("endpointslices")), rules::toString);
    assertEquals("shop,blog", env(container(objects, OPERATOR), "PORTCULLIS_WATCH_NAMESPACES"));
    assertEquals("endpoints", env(container(objects, OPERATOR), "PORTCULLIS_ENDPOINTS_SOURCE"));
  }

  // ---- Pods ----------------------------------------------------------------------------

  @Test
  void probesUseTheRightPathsOnTheNamedPortsTheProgramsListenOn() {
    Container operator = container(defaults, OPERATOR);
    assertProbe(operator.getLivenessProbe(), "/healthz", "metrics");
    assertProbe(operator.getReadinessProbe(), "/readyz", "metrics");
    assertEquals(9090, port(operator, "metrics"));
    assertEquals("9090", env(operator, "PORTCULLIS_METRICS_PORT"));
    assertEquals(18000, port(operator, "snapshot"));
    assertEquals("18000", env(operator, "PORTCULLIS_SNAPSHOT_PORT"));

    Container dataplane = container(defaults, DATAPLANE);
    assertProbe(dataplane.getReadinessProbe(), "/ready", "admin");
    assertProbe(dataplane.getLivenessProbe(), "/healthz", "admin");
    assertEquals(9901, port(dataplane, "admin"));
    assertEquals("9901", env(dataplane, "PORTCULLIS_ADMIN_PORT"));
    assertEquals(8080, port(dataplane, "http"));
    assertEquals("8080", env(dataplane, "PORTCULLIS_HTTP_PORT"));
  }

  @Test
  void portValuesMoveTheFlagTheContainerPortAndTheServiceTogether() {
    List<HasMetadata> objects =
        Chart.render(Map.of("dataplane.adminPort", "9911", "operator.snapshotPort", "18443", "operator.metricsPort", "9191"));
    Container dataplane = container(objects, DATAPLANE);
    assertEquals(9911, port(dataplane, "admin"));
    assertEquals("9911", env(dataplane, "PORTCULLIS_ADMIN_PORT"));
    assertEquals(
        "https://" + OPERATOR + "." + NAMESPACE + ".svc:18443", env(dataplane, "PORTCULLIS_CONTROL_PLANE"));
    Container operator = container(objects, OPERATOR);
    assertEquals(18443, port(operator, "snapshot"));
    assertEquals(9191, port(operator, "metrics"));
    Service service = one(objects, Service.class, OPERATOR);
    assertEquals(18443, servicePort(service, "snapshot"));
    assertEquals("snapshot", service.getSpec().getPorts().get(0).getTargetPort().getStrVal());
  }

  @Test
  void clientAddressValuesBecomeTheDataplaneFlags() {
    Container defaultDataplane = container(defaults, DATAPLANE);
    assertEquals("off", env(defaultDataplane, "PORTCULLIS_PROXY_PROTOCOL"));
    assertEquals("0", env(defaultDataplane, "PORTCULLIS_MAX_CONNECTIONS_PER_CLIENT"));
    assertTrue(defaultDataplane.getEnv().stream()
        .noneMatch(e -> e.getName().equals("PORTCULLIS_TRUSTED_PROXIES")));
    Container dataplane = container(Chart.render(Map.of(
        "dataplane.trustedProxies[0]", "10.0.0.0/8",
        "dataplane.trustedProxies[1]", "2001:db8::/32",
        "dataplane.proxyProtocol", "v2",
        "dataplane.maxConnectionsPerClient", "100")), DATAPLANE);
    assertEquals("10.0.0.0/8,2001:db8::/32", env(dataplane, "PORTCULLIS_TRUSTED_PROXIES"));
    assertEquals("v2", env(dataplane, "PORTCULLIS_PROXY_PROTOCOL"));
    assertEquals("100", env(dataplane, "PORTCULLIS_MAX_CONNECTIONS_PER_CLIENT"));
  }

  @Test
  void dataplanesDialTheOperatorServiceAndNameThemselvesAfterTheirPod() {
    Container dataplane = container(defaults, DATAPLANE);
    assertEquals(
        "https://" + OPERATOR + "." + NAMESPACE + ".svc:18000", env(dataplane, "PORTCULLIS_CONTROL_PLANE"));
    EnvVar nodeId = envVar(dataplane, "PORTCULLIS_NODE_ID");
    assertEquals("metadata.name", nodeId.getValueFrom().getFieldRef().getFieldPath());
    Container operator = container(defaults, OPERATOR);
    assertEquals("metadata.name", envVar(operator, "POD_NAME").getValueFrom().getFieldRef().getFieldPath());
    assertEquals("metadata.namespace", envVar(operator, "POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath());
    assertEquals("portcullis", env(operator, "PORTCULLIS_INGRESS_CLASS"));
  }

  @Test
  void everyFlagTheChartPassesIsOneTheProgramsKnow() {
    List<String> operatorFlags = ProgramFlags.of(ProgramFlags.OPERATOR).orElseThrow();
    List<HasMetadata> everything =
        Chart.render(
            Map.of(
                "operator.watchNamespaces[0]", "a",
                "operator.snapshotAddress", "0.0.0.0",
                "operator.defaultBackend", "default/fallback:80",
                "operator.defaultCertificate", "ops/fallback-tls",
                "operator.publishAddress[0]", "203.0.113.9",
                "operator.ingressNginxCompat", "true",
                "operator.extraArgs[0]", "--ingress-class=portcullis",
                "dataplane.bindAddress", "0.0.0.0",
                "dataplane.trustedProxies[0]", "10.0.0.0/8",
                "dataplane.extraArgs[0]", "--log-level=debug"));
    for (List<HasMetadata> objects : List.of(defaults, everything)) {
      assertEquals(List.of(), ProgramFlags.unknown(container(objects, OPERATOR), operatorFlags));
    }
    // Every operator flag but --manifests (local mode only) is reachable from values.
    Set<String> passed =
        container(everything, OPERATOR).getEnv().stream().map(EnvVar::getName).collect(Collectors.toSet());
    for (String flag : operatorFlags) {
      if (!flag.equals("manifests")) {
        assertTrue(passed.contains(io.portcullis.cli.Flags.envName(flag)), flag + " is not settable from values");
      }
    }
    List<String> dataplaneFlags = ProgramFlags.of(ProgramFlags.DATAPLANE).orElseThrow();
    for (List<HasMetadata> objects : List.of(defaults, everything)) {
      assertEquals(List.of(), ProgramFlags.unknown(container(objects, DATAPLANE), dataplaneFlags));
    }
    Set<String> dataplanePassed =
        container(everything, DATAPLANE).getEnv().stream().map(EnvVar::getName).collect(Collectors.toSet());
    for (String flag : dataplaneFlags) {
      assertTrue(
          dataplanePassed.contains(io.portcullis.cli.Flags.envName(flag)), flag + " is not settable from values");
    }
  }

  @Test
  void aMisspelledFlagIsCaught() {
    Container container =
        container(Chart.render(Map.of("operator.extraArgs[0]", "--snapshot-prot=1")), OPERATOR);
    assertEquals(
        List.of("arg --snapshot-prot=1"),
        ProgramFlags.unknown(container, ProgramFlags.of(ProgramFlags.OPERATOR).orElseThrow()));
  }

  @Test
  void bothProgramsRunLockedDown() {
    for (String name : List.of(OPERATOR, DATAPLANE)) {
      PodSpec pod = pod(name);
      assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot(), name);
      assertEquals(10001L, pod.getSecurityContext().getRunAsUser(), name);
      assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType(), name);
      SecurityContext security = pod.getContainers().get(0).getSecurityContext();
      assertEquals(Boolean.TRUE, security.getRunAsNonRoot(), name);
      assertEquals(Boolean.TRUE, security.getReadOnlyRootFilesystem(), name);
      assertEquals(Boolean.FALSE, security.getAllowPrivilegeEscalation(), name);
      assertEquals(List.of("ALL"), security.getCapabilities().getDrop(), name);
      assertTrue(security.getCapabilities().getAdd() == null || security.getCapabilities().getAdd().isEmpty(), name);
      assertEquals("RuntimeDefault", security.getSeccompProfile().getType(), name);
      // A read-only root needs a writable /tmp for Netty's native library.
      assertEquals("/tmp", pod.getContainers().get(0).getVolumeMounts().get(0).getMountPath(), name);
      assertTrue(pod.getVolumes().get(0).getEmptyDir() != null, name);
      assertTrue(pod.getContainers().get(0).getResources().getRequests().containsKey("cpu"), name);
      assertTrue(pod.getContainers().get(0).getResources().getLimits().containsKey("memory"), name);
    }
  }

  @Test
  void replicasSpreadAcrossNodesAndFollowSchedulingValues() {
    assertEquals(2, one(defaults, Deployment.class, OPERATOR).getSpec().getReplicas());
    assertEquals(
        "kubernetes.io/hostname",
        pod(DATAPLANE).getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution()
            .get(0).getPodAffinityTerm().getTopologyKey());
    List<HasMetadata> objects =
        Chart.render(
            Map.of(
                "dataplane.antiAffinity", "hard",
                "dataplane.nodeSelector.role", "edge",
                "dataplane.tolerations[0].key", "edge",
                "dataplane.tolerations[0].operator", "Exists",
                "dataplane.tolerations[0].effect", "NoSchedule"));
    PodSpec pod = Chart.one(objects, Deployment.class, DATAPLANE).getSpec().getTemplate().getSpec();
    assertEquals(
        "dataplane",
        pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().get(0)
            .getLabelSelector().getMatchLabels().get("app.kubernetes.io/component"));
    assertEquals(Map.of("role", "edge"), pod.getNodeSelector());
    assertEquals("edge", pod.getTolerations().get(0).getKey());
    assertThrows(IllegalStateException.class, () -> Chart.render(Map.of("dataplane.antiAffinity", "sometimes")));
  }

  @Test
  void dataplaneShutdownLeavesRoomForTheDrain() {
    PodSpec pod = pod(DATAPLANE);
    // drain delay 5 s + in-flight deadline 25 s + 5 s margin; the delay replaces a preStop sleep.
    assertEquals(35L, pod.getTerminationGracePeriodSeconds());
    Container dataplane = pod.getContainers().get(0);
    assertEquals(null, dataplane.getLifecycle());
    assertEquals("5s", env(dataplane, "PORTCULLIS_DRAIN_DELAY"));
    assertEquals("25s", env(dataplane, "PORTCULLIS_DRAIN_TIMEOUT"));
    assertEquals("json", env(dataplane, "PORTCULLIS_ACCESS_LOG"));

    PodSpec tuned = Chart.one(Chart.render(Map.of(
            "dataplane.drainDelaySeconds", "10",
            "dataplane.drainTimeoutSeconds", "50",
            "dataplane.preStopSleepSeconds", "3")), Deployment.class, DATAPLANE)
        .getSpec().getTemplate().getSpec();
    assertEquals(68L, tuned.getTerminationGracePeriodSeconds());
    assertEquals("10s", env(tuned.getContainers().get(0), "PORTCULLIS_DRAIN_DELAY"));
    assertEquals(List.of("sleep", "3"),
        tuned.getContainers().get(0).getLifecycle().getPreStop().getExec().getCommand());
    var strategy = one(defaults, Deployment.class, DATAPLANE).getSpec().getStrategy().getRollingUpdate();
    assertEquals(0, strategy.getMaxUnavailable().getIntVal());
  }

  // ---- Services, scaling, disruption ---------------------------------------------------

  @Test
  void dataplaneServiceIsALoadBalancerByDefaultAndKeepsTheAdminPortInside() {
    Service service = one(defaults, Service.class, DATAPLANE);
    assertEquals("LoadBalancer", service.getSpec().getType());
    assertEquals(80, servicePort(service, "http"));
    assertEquals(443, servicePort(service, "https"));
    assertTrue(service.getSpec().getPorts().stream().noneMatch(p -> p.getName().equals("admin")));
    assertEquals("ClusterIP", one(defaults, Service.class, DATAPLANE + "-metrics").getSpec().getType());
    assertEquals("ClusterIP", one(defaults, Service.class, OPERATOR).getSpec().getType());
  }

  @Test
  void dataplaneServiceCanBeANodePortOrClusterIp() {
    Service nodePort =
        one(
            Chart.render(Map.of("dataplane.service.type", "NodePort", "dataplane.service.httpNodePort", "30080")),
            Service.class,
            DATAPLANE);
    assertEquals("NodePort", nodePort.getSpec().getType());
    assertEquals(30080, nodePort.getSpec().getPorts().get(0).getNodePort());
    Service clusterIp =
        one(Chart.render(Map.of("dataplane.service.type", "ClusterIP")), Service.class, DATAPLANE);
    assertEquals("ClusterIP", clusterIp.getSpec().getType());
    assertThrows(IllegalStateException.class, () -> Chart.render(Map.of("dataplane.service.type", "Ingress")));
  }

  @Test
  void hpaScalesTheDataplaneOnCpuAndMemoryAndOwnsTheReplicaCount() {
    HorizontalPodAutoscaler hpa = one(defaults, HorizontalPodAutoscaler.class, DATAPLANE);
    assertEquals("autoscaling/v2", hpa.getApiVersion());
    assertEquals(DATAPLANE, hpa.getSpec().getScaleTargetRef().getName());
    assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
    assertEquals(2, hpa.getSpec().getMinReplicas());
    assertEquals(10, hpa.getSpec().getMaxReplicas());
    assertEquals(Map.of("cpu", 70, "memory", 80), targets(hpa));
    assertNull(one(defaults, Deployment.class, DATAPLANE).getSpec().getReplicas(), "the HPA owns the count");

    List<HasMetadata> custom =
        Chart.render(
            Map.of(
                "dataplane.autoscaling.minReplicas", "3",
                "dataplane.autoscaling.maxReplicas", "30",
                "dataplane.autoscaling.targetCPUUtilizationPercentage", "50",
                "dataplane.autoscaling.targetMemoryUtilizationPercentage", "null"));
    HorizontalPodAutoscaler customHpa = one(custom, HorizontalPodAutoscaler.class, DATAPLANE);
    assertEquals(3, customHpa.getSpec().getMinReplicas());
    assertEquals(30, customHpa.getSpec().getMaxReplicas());
    assertEquals(Map.of("cpu", 50), targets(customHpa));

    List<HasMetadata> fixed =
        Chart.render(Map.of("dataplane.autoscaling.enabled", "false", "dataplane.replicas", "4"));
    assertTrue(all(fixed, HorizontalPodAutoscaler.class).isEmpty());
    assertEquals(4, one(fixed, Deployment.class, DATAPLANE).getSpec().getReplicas());
    assertThrows(
        IllegalStateException.class,
        () -> Chart.render(Map.of("dataplane.autoscaling.minReplicas", "5", "dataplane.autoscaling.maxReplicas", "2")));
  }

  @Test
  void disruptionBudgetsKeepServingThroughNodeDrains() {
    PodDisruptionBudget dataplane = one(defaults, PodDisruptionBudget.class, DATAPLANE);
    assertEquals(1, dataplane.getSpec().getMaxUnavailable().getIntVal());
    assertEquals("dataplane", dataplane.getSpec().getSelector().getMatchLabels().get("app.kubernetes.io/component"));
    PodDisruptionBudget operator = one(defaults, PodDisruptionBudget.class, OPERATOR);
    assertEquals(1, operator.getSpec().getMinAvailable().getIntVal());
  }

  @Test
  void onlyDataplanePodsReachThePlaintextSnapshotPort() {
    NetworkPolicy policy = one(defaults, NetworkPolicy.class, OPERATOR);
    var snapshotRule = policy.getSpec().getIngress().get(0);
    assertEquals("snapshot", snapshotRule.getPorts().get(0).getPort().getStrVal());
    assertEquals(
        "dataplane",
        snapshotRule.getFrom().get(0).getPodSelector().getMatchLabels().get("app.kubernetes.io/component"));
    assertEquals("metrics", policy.getSpec().getIngress().get(1).getPorts().get(0).getPort().getStrVal());
  }

  @Test
  void theDataplaneDialsTheOperatorOverMutualTlsWithTheMountedCertificateSecret() {
    Container dataplane = container(defaults, DATAPLANE);
    assertEquals("https://" + OPERATOR + "." + NAMESPACE + ".svc:18000", env(dataplane, "PORTCULLIS_CONTROL_PLANE"));
    assertEquals("/etc/portcullis/control-tls/tls.crt", env(dataplane, "PORTCULLIS_TLS_CERT"));
    assertEquals("/etc/portcullis/control-tls/tls.key", env(dataplane, "PORTCULLIS_TLS_KEY"));
    assertEquals("/etc/portcullis/control-tls/ca.crt", env(dataplane, "PORTCULLIS_TLS_CA"));
    assertTrue(dataplane.getVolumeMounts().stream().anyMatch(m ->
        m.getName().equals("control-tls") && m.getMountPath().equals("/etc/portcullis/control-tls") && m.getReadOnly()));
    assertTrue(pod(DATAPLANE).getVolumes().stream().anyMatch(v ->
        v.getName().equals("control-tls") && v.getSecret().getSecretName().equals("pc-portcullis-dataplane-tls")));

    Container operator = container(defaults, OPERATOR);
    assertEquals(NAMESPACE + "/pc-portcullis-ca", env(operator, "PORTCULLIS_CA_SECRET"));
    assertEquals(NAMESPACE + "/pc-portcullis-dataplane-tls", env(operator, "PORTCULLIS_DATAPLANE_CERT_SECRET"));
    assertEquals(NAMESPACE + "/pc-portcullis-default-tls", env(operator, "PORTCULLIS_GENERATED_CERTIFICATE_SECRET"));
    assertEquals(NAMESPACE + "/" + OPERATOR, env(operator, "PORTCULLIS_SNAPSHOT_SERVICE"));
    Role secrets = one(defaults, Role.class, OPERATOR + "-control-tls");
    assertEquals(NAMESPACE, secrets.getMetadata().getNamespace());
    assertEquals(
        Set.of(" secrets [] create", " secrets [pc-portcullis-ca, pc-portcullis-dataplane-tls, pc-portcullis-default-tls] get,update"),
        rules(secrets.getRules()));
  }

  @Test
  void controlPlaneTlsCannotBeTurnedOff() {
    IllegalStateException failure =
        assertThrows(IllegalStateException.class, () -> Chart.render(Map.of("controlPlane.tls.enabled", "false")));
    assertTrue(failure.getMessage().contains("always mutual TLS"), failure::getMessage);
  }

  // ---- IngressClass and monitoring -----------------------------------------------------

  @Test
  void ingressClassNamesOurControllerAndIsDefaultOnlyWhenAsked() {
    IngressClass plain = one(defaults, IngressClass.class, "portcullis");
    assertEquals("portcullis.io/ingress-controller", plain.getSpec().getController());
    assertTrue(
        plain.getMetadata().getAnnotations() == null
            || !plain.getMetadata().getAnnotations().containsKey("ingressclass.kubernetes.io/is-default-class"));
    List<HasMetadata> objects = Chart.render(Map.of("ingressClass.default", "true", "ingressClass.name", "edge"));
    IngressClass edge = one(objects, IngressClass.class, "edge");
    assertEquals("true", edge.getMetadata().getAnnotations().get("ingressclass.kubernetes.io/is-default-class"));
    assertEquals("edge", env(container(objects, OPERATOR), "PORTCULLIS_INGRESS_CLASS"));
    Role lease = one(objects, Role.class, OPERATOR + "-leader-election");
    assertEquals(List.of(LeaderElection.leaseName("edge")), lease.getRules().get(1).getResourceNames());
  }

  @Test
  void serviceMonitorsAreOptionalAndScrapeTheMetricsPorts() {
    assertTrue(defaults.stream().noneMatch(o -> o.getKind().equals("ServiceMonitor")));
    List<HasMetadata> objects =
        Chart.render(Map.of("serviceMonitor.enabled", "true", "serviceMonitor.labels.release", "prom"));
    List<GenericKubernetesResource> monitors =
        all(objects, GenericKubernetesResource.class).stream()
            .filter(o -> o.getKind().equals("ServiceMonitor"))
            .sorted(Comparator.comparing(o -> o.getMetadata().getName()))
            .toList();
    assertEquals(List.of("pc-portcullis-dataplane", "pc-portcullis-operator"),
        monitors.stream().map(m -> m.getMetadata().getName()).toList());
    assertEquals("prom", monitors.get(0).getMetadata().getLabels().get("release"));
    assertEquals("admin", endpointPort(monitors.get(0)));
    assertEquals("metrics", endpointPort(monitors.get(1)));
    // The dataplane monitor selects the metrics Service, not the LoadBalancer.
    @SuppressWarnings("unchecked")
    Map<String, String> selector =
        (Map<String, String>) ((Map<String, Object>) monitors.get(0).getAdditionalProperties().get("spec"))
            .entrySet().stream().filter(e -> e.getKey().equals("selector")).findFirst()
            .map(e -> ((Map<String, Object>) e.getValue()).get("matchLabels")).orElseThrow();
    assertEquals("true", selector.get("portcullis.io/metrics"));
  }

  // ---- helpers -------------------------------------------------------------------------

  private static String endpointPort(GenericKubernetesResource monitor) {
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> endpoints = (List<Map<String, Object>>) spec.get("endpoints");
    return (String) endpoints.get(0).get("port");
  }

  private static Set<String> rules(List<PolicyRule> rules) {
    Set<String> out = new TreeSet<>();
    for (PolicyRule rule : rules) {
      out.add(
          String.join(",", rule.getApiGroups())
              + " " + String.join(",", rule.getResources())
              + " " + rule.getResourceNames()
              + " " + String.join(",", rule.getVerbs()));
    }
    return out;
  }

  private static Map<String, Integer> targets(HorizontalPodAutoscaler hpa) {
    return hpa.getSpec().getMetrics().stream()
        .peek(m -> assertEquals("Resource", m.getType()))
        .peek(m -> assertEquals("Utilization", m.getResource().getTarget().getType()))
        .collect(Collectors.toMap((MetricSpec m) -> m.getResource().getName(), m -> m.getResource().getTarget().getAverageUtilization()));
  }

  private static void assertProbe(Probe probe, String path, String port) {
    assertEquals(path, probe.getHttpGet().getPath());
    assertEquals(port, probe.getHttpGet().getPort().getStrVal(), "probes name the port");
  }

  private static PodSpec pod(String deployment) {
    return one(defaults, Deployment.class, deployment).getSpec().getTemplate().getSpec();
  }

  private static Container container(List<HasMetadata> objects, String deployment) {
    List<Container> containers = one(objects, Deployment.class, deployment).getSpec().getTemplate().getSpec().getContainers();
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  private static int port(Container container, String name) {
    return container.getPorts().stream()
        .filter(p -> name.equals(p.getName()))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container port named " + name));
  }

  private static int servicePort(Service service, String name) {
    return service.getSpec().getPorts().stream()
        .filter(p -> name.equals(p.getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no service port named " + name))
        .getPort();
  }

  private static EnvVar envVar(Container container, String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(container.getName() + " has no env " + name));
  }

  private static String env(Container container, String name) {
    return envVar(container, name).getValue();
  }
}
