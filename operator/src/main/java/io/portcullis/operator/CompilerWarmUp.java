package io.portcullis.operator;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.compile.CompileResult;
import io.portcullis.operator.compile.Compiler;
import io.portcullis.operator.compile.CompilerSettings;
import io.portcullis.operator.pki.CertificateAuthority;
import io.portcullis.operator.pki.IssuedCertificate;
import io.portcullis.snapshot.MessageFraming;
import io.portcullis.snapshot.StreamMessage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles a small made-up cluster while the operator waits for its informers to sync, so that the
 * first real compile after a start runs on loaded classes and compiled code. Measured at 10,000
 * Ingresses (bench/README.md, round 4): the first compile in a cold JVM cost about 4x a steady one,
 * most of the difference class loading, Jackson's and BouncyCastle's set-up and interpreted code, none
 * of which depends on the cluster. The sync waits on the API server, so this time is otherwise idle.
 *
 * <p>Once per JVM (the JIT's work is the JVM's), on a daemon thread: three rounds, about 0.4 s of
 * CPU in all, most of it the first; it stops between rounds when asked. Its compiler is its own: nothing it learns (parsed
 * certificates, results) reaches the operator's compiles, only warmer code. A failure is logged
 * and otherwise ignored: the warm-up is an optimisation, never a condition for serving.
 */
public final class CompilerWarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(CompilerWarmUp.class);
  private static final AtomicBoolean RAN = new AtomicBoolean();

  /** Ingresses in the made-up cluster: enough for the JIT to compile the per-object paths. */
  static final int INGRESSES = 300;
  /** Compiles of it; the first is most of the cost, the later ones let the JIT catch up. */
  public static final int ROUNDS = 3;

  private CompilerWarmUp() {}

  /**
   * Starts the warm-up on a daemon thread unless one already ran in this JVM.
   *
   * @param stop checked between rounds: true once the real work has begun
   * @return the thread, or null when the JVM was warmed before
   */
  public static Thread startInBackground(CompilerSettings settings, BooleanSupplier stop) {
    if (!RAN.compareAndSet(false, true)) {
      return null;
    }
    Thread t = new Thread(() -> run(settings, ROUNDS, stop), "compiler-warm-up");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
    return t;
  }

  /**
   * Compiles the made-up cluster {@code rounds} times and encodes the result as a dataplane's
   * first snapshot message, as the operator does after its first compile.
   *
   * @return the rounds completed
   */
  public static int run(CompilerSettings settings, int rounds, BooleanSupplier stop) {
    int done = 0;
    if (stop.getAsBoolean()) {
      return done;
    }
    try {
      ClusterState state = sample(settings, INGRESSES, Instant.now());
      for (; done < rounds && !stop.getAsBoolean(); done++) {
        CompileResult result = new Compiler(settings).compile(state);
        MessageFraming.encode(new StreamMessage.SnapshotMsg("warm-up", result.snapshot()));
      }
      LOG.debug("compiler warm-up: {} of {} rounds", done, rounds);
    } catch (RuntimeException e) {
      LOG.warn("compiler warm-up failed after {} rounds (the first compile will be slower): {}",
          done, e.toString());
    }
    return done;
  }

  /**
   * A made-up cluster of our class in the shape of bench/scale.sh's: per Ingress a host, a Prefix
   * and an Exact path (one backend by port number, one by port name) and a Service whose
   * EndpointSlice has ready endpoints; every third Ingress has TLS (three certificates, so the
   * Secret parsing and key check run), every fifth has balancer, timeout and retry annotations.
   */
  static ClusterState sample(CompilerSettings settings, int ingressCount, Instant now) {
    IngressClass ingressClass = new IngressClassBuilder()
        .withNewMetadata().withName(settings.ingressClass()).endMetadata()
        .withNewSpec().withController(CompilerSettings.CONTROLLER_NAME).endSpec()
        .build();
    CertificateAuthority ca = CertificateAuthority.create(
        "portcullis compiler warm-up", Duration.ofDays(1), Clock.systemUTC());
    List<Ingress> ingresses = new ArrayList<>();
    List<Service> services = new ArrayList<>();
    List<EndpointSlice> slices = new ArrayList<>();
    List<Secret> secrets = new ArrayList<>();
    List<IssuedCertificate> certificates = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      certificates.add(ca.issueServer(List.of("*.ns-" + c + ".warm-up.invalid"), Duration.ofDays(1)));
    }
    for (int i = 0; i < ingressCount; i++) {
      String ns = "ns-" + i % 3;
      String app = "app-" + i;
      String host = app + "." + ns + ".warm-up.invalid";
      services.add(new ServiceBuilder()
          .withNewMetadata().withNamespace(ns).withName(app).endMetadata()
          .withNewSpec()
          .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString(8080)).endPort()
          .endSpec()
          .build());
      EndpointSliceBuilder slice = new EndpointSliceBuilder()
          .withNewMetadata().withNamespace(ns).withName(app + "-warm")
          .addToLabels("kubernetes.io/service-name", app).endMetadata()
          .withAddressType("IPv4");
      for (int e = 0; e < 3; e++) {
        slice.addNewEndpoint().withAddresses("10.0." + (i & 0xff) + "." + (e + 1))
            .withNewConditions().withReady(true).endConditions().endEndpoint();
      }
      slices.add(slice.addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort().build());
      IngressBuilder ingress = new IngressBuilder()
          .withNewMetadata().withNamespace(ns).withName(app).endMetadata();
      if (i % 5 == 0) {
        ingress.editMetadata()
            .addToAnnotations("portcullis.io/load-balancer", "least-request")
            .addToAnnotations("portcullis.io/request-timeout", "15s")
            .addToAnnotations("portcullis.io/retries", "2")
            .endMetadata();
      }
      var spec = ingress.withNewSpec().withIngressClassName(settings.ingressClass());
      if (i % 3 == 0) {
        String secret = app + "-tls";
        secrets.add(tlsSecret(ns, secret, certificates.get(i % 3)));
        spec.addNewTl().withHosts(host).withSecretName(secret).endTl();
      }
      ingresses.add(spec.addNewRule().withHost(host).withNewHttp()
          .addNewPath().withPath("/").withPathType("Prefix")
          .withNewBackend().withNewService().withName(app).withNewPort().withNumber(80).endPort()
          .endService().endBackend().endPath()
          .addNewPath().withPath("/healthz").withPathType("Exact")
          .withNewBackend().withNewService().withName(app).withNewPort().withName("http").endPort()
          .endService().endBackend().endPath()
          .endHttp().endRule().endSpec().build());
    }
    return new ClusterState(List.of(ingressClass), ingresses, List.of(), services, slices, secrets, now);
  }

  private static Secret tlsSecret(String ns, String name, IssuedCertificate certificate) {
    Base64.Encoder b64 = Base64.getEncoder();
    return new SecretBuilder()
        .withNewMetadata().withNamespace(ns).withName(name).endMetadata()
        .withType("kubernetes.io/tls")
        .addToData("tls.crt", b64.encodeToString(certificate.certificatePem().getBytes(StandardCharsets.US_ASCII)))
        .addToData("tls.key", b64.encodeToString(certificate.keyPem().getBytes(StandardCharsets.US_ASCII)))
        .build();
  }
}
