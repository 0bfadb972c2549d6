package io.portcullis.operator;

import io.portcullis.operator.compile.CompilerSettings;
import io.portcullis.operator.compile.ServiceRef;
import io.portcullis.operator.pki.ControlChannelSettings;
import io.portcullis.operator.pki.NamespacedName;
import io.portcullis.operator.source.KubernetesSource.EndpointsKind;
import io.portcullis.cli.Flags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The operator's command line, each flag also an environment variable ({@code PORTCULLIS_*}).
 *
 * @param manifests {@code --manifests DIR}: local mode, read manifests instead of the API server;
 *     null in a cluster
 * @param ingressClass {@code --ingress-class}, default {@code portcullis}
 * @param watchNamespaces {@code --watch-namespaces}, comma-separated; empty watches all
 * @param endpointsSource {@code --endpoints-source}: {@code endpointslices} (default) or
 *     {@code endpoints}
 * @param snapshotPort {@code --snapshot-port}, default 18000
 * @param snapshotAddress {@code --snapshot-address}: 127.0.0.1 in local mode (plaintext must not
 *     leave the machine), 0.0.0.0 otherwise; the metrics endpoint binds to it too
 * @param metricsPort {@code --metrics-port}, default 9090: {@code /metrics}, {@code /healthz},
 *     {@code /readyz}
 * @param defaultBackend {@code --default-backend ns/svc:port}, or null
 * @param defaultCertificate {@code --default-certificate ns/name}: a {@code kubernetes.io/tls}
 *     Secret for unknown SNI names; null makes the operator serve a self-signed one it generates
 * @param generatedCertificateSecret {@code --generated-certificate-secret ns/name} (cluster mode):
 *     where the generated self-signed certificate is kept, so every replica serves the same one;
 *     created on first start, replaced 30 days before it expires
 * @param publishService {@code --publish-service ns/name}: the dataplane Service whose address
 *     our Ingresses show in {@code status.loadBalancer}; null for none
 * @param publishAddresses {@code --publish-address a,b}: fixed IPs or host names shown instead
 *     (they win over {@code --publish-service}); empty for none
 * @param ingressNginx {@code --ingress-nginx-compat true}: also serve ingress-nginx's IngressClass
 *     and read its annotations
 * @param logLevel {@code --log-level}: trace, debug, info (default), warn or error
 * @param controlChannel the snapshot stream's mTLS ({@code --ca-secret},
 *     {@code --dataplane-cert-secret}, {@code --snapshot-service}, {@code --snapshot-dns-names},
 *     {@code --control-cert-validity}); used in cluster mode only, where the stream is always TLS.
 *     Local mode takes none of these flags: its stream is plaintext h2c and must bind to loopback.
 */
public record OperatorOptions(
    Path manifests,
    String ingressClass,
    List<String> watchNamespaces,
    EndpointsKind endpointsSource,
    int snapshotPort,
    String snapshotAddress,
    int metricsPort,
    ServiceRef defaultBackend,
    String defaultCertificate,
    NamespacedName generatedCertificateSecret,
    NamespacedName publishService,
    List<String> publishAddresses,
    CompilerSettings.IngressNginx ingressNginx,
    String logLevel,
    ControlChannelSettings controlChannel) {

  public static final int DEFAULT_SNAPSHOT_PORT = 18000;
  public static final int DEFAULT_METRICS_PORT = 9090;
  public static final NamespacedName DEFAULT_GENERATED_CERTIFICATE_SECRET =
      new NamespacedName("portcullis-system", "portcullis-default-tls");

  static final List<String> FLAGS =
      List.of(
          "manifests",
          "ingress-class",
          "watch-namespaces",
          "endpoints-source",
          "snapshot-port",
          "snapshot-address",
          "metrics-port",
          "default-backend",
          "default-certificate",
          "publish-service",
          "publish-address",
          "ingress-nginx-compat",
          "log-level",
          // From here on: cluster-mode flags (TLS_FLAGS).
          "ca-secret",
          "dataplane-cert-secret",
          "snapshot-service",
          "snapshot-dns-names",
          "control-cert-validity",
          "generated-certificate-secret");

  private static final List<String> TLS_FLAGS = FLAGS.subList(FLAGS.indexOf("ca-secret"), FLAGS.size());

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern IPV4 =
      Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

  public OperatorOptions {
    watchNamespaces = List.copyOf(watchNamespaces);
    publishAddresses = List.copyOf(publishAddresses);
  }

  /**
   * Parses the command line and environment.
   *
   * @throws Flags.FlagException with the one line to print, for an unknown flag or a bad value
   */
  public static OperatorOptions parse(String[] args, Map<String, String> env) {
    Flags flags = Flags.parse(args, env, FLAGS);
    // Every value is checked before the flags are checked against each other: a typo in a value
    // is the more useful message.
    Path manifests = flags.get("manifests", OperatorOptions::directory, null);
    String snapshotAddress = flags.get(
        "snapshot-address", OperatorOptions::address, manifests != null ? "127.0.0.1" : "0.0.0.0");
    OperatorOptions options = new OperatorOptions(
        manifests,
        flags.get("ingress-class", OperatorOptions::ingressClass, CompilerSettings.DEFAULT_INGRESS_CLASS),
        flags.get("watch-namespaces", OperatorOptions::namespaces, List.of()),
        flags.get("endpoints-source", OperatorOptions::endpointsSource, EndpointsKind.ENDPOINT_SLICES),
        flags.get("snapshot-port", Flags::port, DEFAULT_SNAPSHOT_PORT),
        snapshotAddress,
        flags.get("metrics-port", Flags::port, DEFAULT_METRICS_PORT),
        flags.get("default-backend", ServiceRef::parse, null),
        flags.get("default-certificate", OperatorOptions::secretRef, null),
        flags.get("generated-certificate-secret", NamespacedName::parse,
            DEFAULT_GENERATED_CERTIFICATE_SECRET),
        flags.get("publish-service", NamespacedName::parse, null),
        flags.get("publish-address", OperatorOptions::publishAddresses, List.of()),
        flags.get("ingress-nginx-compat", OperatorOptions::ingressNginx,
            CompilerSettings.IngressNginx.IGNORED),
        flags.get("log-level", OperatorOptions::logLevel, "info"),
        controlChannel(flags));
    if (manifests != null) {
      for (String tlsFlag : TLS_FLAGS) {
        if (flags.has(tlsFlag)) {
          throw new Flags.FlagException("--" + tlsFlag + " needs cluster mode: with --manifests the"
              + " snapshot stream is plaintext on loopback");
        }
      }
      if (!isLoopback(snapshotAddress)) {
        // Snapshots carry private keys: plaintext must not leave the machine.
        throw new Flags.FlagException("bad value '" + snapshotAddress + "' for --snapshot-address:"
            + " with --manifests the snapshot stream is plaintext and must bind to loopback");
      }
    }
    return options;
  }

  /** {@code true} when the arguments ask for the usage text. */
  public static boolean wantsHelp(String[] args) {
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        return true;
      }
    }
    return false;
  }

  public static final String USAGE =
      """
      usage: java -jar portcullis-operator.jar [flags]
             java -jar portcullis-operator.jar nginx-compat-report [--manifests DIR]
                 [--watch-namespaces a,b] [--ingress-class NAME]
                 (dry run: what --ingress-nginx-compat would serve, refuse and change)

      Without --manifests the operator watches the Kubernetes API server it finds through
      KUBECONFIG (else ~/.kube/config, else the pod's service account). With --manifests DIR it
      runs without a cluster (local mode): it reads and watches the YAML files in DIR.
      Every flag can also be set through an environment variable (shown in brackets); the
      command line wins.

        --manifests DIR          local mode: read and watch the YAML in DIR [PORTCULLIS_MANIFESTS]
        --ingress-class NAME     the IngressClass served (default portcullis) [PORTCULLIS_INGRESS_CLASS]
        --watch-namespaces a,b   only these namespaces (default all) [PORTCULLIS_WATCH_NAMESPACES]
        --endpoints-source S     endpointslices (default) or endpoints [PORTCULLIS_ENDPOINTS_SOURCE]
        --snapshot-port N        the snapshot stream dataplanes connect to (default 18000)
                                 [PORTCULLIS_SNAPSHOT_PORT]
        --snapshot-address ADDR  where it listens (default 127.0.0.1 in local mode, else 0.0.0.0)
                                 [PORTCULLIS_SNAPSHOT_ADDRESS]
        --metrics-port N         /metrics, /healthz, /readyz (default 9090) [PORTCULLIS_METRICS_PORT]
        --default-backend ns/svc:port   where unmatched requests go (default: 404)
                                 [PORTCULLIS_DEFAULT_BACKEND]
        --default-certificate ns/name   kubernetes.io/tls Secret for unknown SNI names (default:
                                 a generated self-signed one) [PORTCULLIS_DEFAULT_CERTIFICATE]
        --publish-service ns/name       the Service whose address Ingresses show
                                 [PORTCULLIS_PUBLISH_SERVICE]
        --publish-address a,b    fixed addresses for Ingress status instead [PORTCULLIS_PUBLISH_ADDRESS]
        --ingress-nginx-compat B true: also serve IngressClass nginx and read the
                                 nginx.ingress.kubernetes.io/* annotations (default false)
                                 [PORTCULLIS_INGRESS_NGINX_COMPAT]
        --log-level LEVEL        trace, debug, info (default), warn or error [PORTCULLIS_LOG_LEVEL]
      cluster mode only (the control channel's mutual TLS):
        --ca-secret ns/name      the CA's Secret (default portcullis-system/portcullis-ca)
                                 [PORTCULLIS_CA_SECRET]
        --dataplane-cert-secret ns/name  the dataplanes' client certificate Secret (default
                                 portcullis-system/portcullis-dataplane-tls) [PORTCULLIS_DATAPLANE_CERT_SECRET]
        --snapshot-service ns/name       the Service the serving certificate names (default
                                 portcullis-system/portcullis-operator) [PORTCULLIS_SNAPSHOT_SERVICE]
        --snapshot-dns-names a,b more names for it [PORTCULLIS_SNAPSHOT_DNS_NAMES]
        --control-cert-validity D        certificate lifetime, at least 1h (default 720h)
                                 [PORTCULLIS_CONTROL_CERT_VALIDITY]
        --generated-certificate-secret ns/name  where the generated default certificate is kept
                                 (default portcullis-system/portcullis-default-tls)
                                 [PORTCULLIS_GENERATED_CERTIFICATE_SECRET]
        --help                   print this text
      """;

  private static ControlChannelSettings controlChannel(Flags flags) {
    ControlChannelSettings defaults = ControlChannelSettings.defaults();
    return new ControlChannelSettings(
        flags.get("ca-secret", NamespacedName::parse, defaults.caSecret()),
        flags.get("dataplane-cert-secret", NamespacedName::parse, defaults.dataplaneSecret()),
        flags.get("snapshot-service", NamespacedName::parse, defaults.service()),
        flags.get("snapshot-dns-names", OperatorOptions::serverNames, List.of()),
        flags.get("control-cert-validity", OperatorOptions::certValidity, defaults.certValidity()),
        defaults.checkInterval());
  }

  /** IPs or DNS names, as ingress-nginx's {@code --publish-status-address}. */
  private static List<String> publishAddresses(String text) {
    List<String> addresses = Flags.list(text);
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("expected IP addresses or host names, comma-separated");
    }
    return serverNames(text);
  }

  private static CompilerSettings.IngressNginx ingressNginx(String text) {
    return Flags.bool(text) ? CompilerSettings.IngressNginx.SERVED : CompilerSettings.IngressNginx.IGNORED;
  }

  private static String logLevel(String text) {
    String level = text.toLowerCase(java.util.Locale.ROOT);
    if (!List.of("trace", "debug", "info", "warn", "error").contains(level)) {
      throw new IllegalArgumentException("expected trace, debug, info, warn or error");
    }
    return level;
  }

  private static List<String> serverNames(String text) {
    List<String> names = Flags.list(text);
    for (String name : names) {
      boolean ipv6 = name.contains(":") && name.matches("[0-9a-fA-F:.]+");
      if (!DNS_SUBDOMAIN.matcher(name).matches() && !IPV4.matcher(name).matches() && !ipv6) {
        throw new IllegalArgumentException("'" + name + "' is not a DNS name or IP address");
      }
    }
    return names;
  }

  private static java.time.Duration certValidity(String text) {
    java.time.Duration validity = Flags.duration(text);
    if (validity.compareTo(java.time.Duration.ofHours(1)) < 0) {
      throw new IllegalArgumentException("must be at least 1h");
    }
    return validity;
  }

  private static boolean isLoopback(String address) {
    return address.equals("localhost") || address.startsWith("127.") || address.equals("::1");
  }

  /** True in local mode: no API server, statuses and events go to the log. */
  public boolean localMode() {
    return manifests != null;
  }

  public CompilerSettings compilerSettings() {
    return new CompilerSettings(ingressClass, defaultBackend, null, ingressNginx);
  }

  /** {@code namespace/name} of a Secret. */
  private static String secretRef(String text) {
    int slash = text.indexOf('/');
    if (slash < 0
        || !DNS_LABEL.matcher(text.substring(0, slash)).matches()
        || !DNS_SUBDOMAIN.matcher(text.substring(slash + 1)).matches()) {
      throw new IllegalArgumentException("expected namespace/name of a Secret");
    }
    return text;
  }

  private static Path directory(String text) {
    Path path = Path.of(text);
    if (!Files.isDirectory(path)) {
      throw new IllegalArgumentException("not a directory");
    }
    return path;
  }

  private static String ingressClass(String text) {
    if (!DNS_SUBDOMAIN.matcher(text).matches()) {
      throw new IllegalArgumentException("not a valid IngressClass name");
    }
    return text;
  }

  private static List<String> namespaces(String text) {
    List<String> names = Flags.list(text);
    for (String name : names) {
      if (!DNS_LABEL.matcher(name).matches()) {
        throw new IllegalArgumentException("'" + name + "' is not a valid namespace name");
      }
    }
    return List.copyOf(names);
  }

  private static EndpointsKind endpointsSource(String text) {
    return switch (text) {
      case "endpointslices" -> EndpointsKind.ENDPOINT_SLICES;
      case "endpoints" -> EndpointsKind.ENDPOINTS;
      default -> throw new IllegalArgumentException("expected endpointslices or endpoints");
    };
  }

  /** An IP literal or localhost: bind addresses are never resolved through DNS. */
  private static String address(String text) {
    boolean ok =
        text.equals("localhost")
            || IPV4.matcher(text).matches()
            || (text.contains(":") && text.matches("[0-9a-fA-F:.]+"));
    if (!ok) {
      throw new IllegalArgumentException("expected an IP address");
    }
    return text;
  }
}
