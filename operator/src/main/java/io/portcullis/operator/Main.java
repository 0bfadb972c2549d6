package io.portcullis.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.portcullis.operator.compile.Compiler;
import io.portcullis.operator.compile.CompilerSettings.DefaultCertificate;
import io.portcullis.operator.compile.IncrementalCompiler;
import io.portcullis.operator.pki.ControlChannelPki;
import io.portcullis.operator.pki.ControlChannelSettings;
import io.portcullis.operator.pki.GeneratedCertificateSecret;
import io.portcullis.operator.pki.PkiException;
import io.portcullis.operator.leader.LeaderElection;
import io.portcullis.operator.tls.GeneratedCertificate;
import io.portcullis.operator.tls.PeriodicRecompile;
import io.portcullis.operator.source.ClusterSource;
import io.portcullis.operator.source.KubernetesSource;
import io.portcullis.operator.source.ManifestsSource;
import io.portcullis.operator.status.KubernetesStatusSink;
import io.portcullis.operator.status.LoggingStatusSink;
import io.portcullis.operator.status.PublishedAddresses;
import io.portcullis.operator.status.ServiceAddresses;
import io.portcullis.operator.status.StatusSink;
import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.operator.stream.StreamServer;
import io.portcullis.operator.auth.SessionSecrets;
import io.portcullis.snapshot.cli.Flags;
import io.portcullis.snapshot.TlsCertificate;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar portcullis-operator.jar [flags]}: see {@link OperatorOptions}. */
public final class Main {
  /** Created after the flags are parsed: slf4j-simple reads its level when the first logger is made. */
  private static Logger log() {
    return LoggerFactory.getLogger(Main.class);
  }

  private Main() {}

  public static void main(String[] args) {
    Optional<OperatorOptions> parsed = parseOptions(args, System.getenv(), System.err);
    if (parsed.isEmpty()) {
      System.exit(2);
      return;
    }
    OperatorOptions options = parsed.get();
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", options.logLevel());
    KubernetesClient client = options.localMode() ? null : new KubernetesClientBuilder().build();
    ClusterSource source =
        new PeriodicRecompile(
            options.localMode()
                ? new ManifestsSource(options.manifests())
                : new KubernetesSource(client, options.watchNamespaces(), options.endpointsSource()),
            PeriodicRecompile.DEFAULT_PERIOD);
    StatusSink sink =
        options.localMode() ? new LoggingStatusSink() : new KubernetesStatusSink(client);
    // Generated even when --default-certificate is given: it stands in while that Secret is unusable.
    DefaultCertificate defaultCertificate;
    try {
      defaultCertificate = new DefaultCertificate(options.defaultCertificate(), generatedCertificate(options, client));
    } catch (PkiException e) {
      System.err.println("portcullis-operator: " + e.getMessage());
      System.exit(1);
      return;
    }
    // Endpoint-only changes take the cheap path: only the changed Services' clusters are rebuilt.
    IncrementalCompiler compiler = new IncrementalCompiler(
        new Compiler(options.compilerSettings().withDefaultCertificate(defaultCertificate)));
    // The compiler reads no clock: each compile is stamped here, so certificate expiry is judged
    // at compile time; PeriodicRecompile makes sure there is one at least every few minutes.
    // Cluster mode creates the OIDC session Secrets routes name but nobody made yet.
    SessionSecrets sessionSecrets = client == null ? null : new SessionSecrets(client);
    Operator operator = new Operator(options, source, sink,
        state -> {
          if (sessionSecrets != null) {
            sessionSecrets.ensure(state);
          }
          return compiler.apply(state.withNow(Instant.now()));
        }, new SnapshotStore(), streamServer(options, client));
    // Every replica serves snapshot streams; only the leader writes statuses and events.
    LeaderElection election = options.localMode() ? null : leaderElection(client, options);
    if (election != null) {
      operator.writeStatusOnlyWhile(election::isLeader);
    }
    operator.publishAddresses(publishedAddresses(options, client));

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log().info("shutting down");
                  if (election != null) {
                    election.close(); // releases the Lease: another replica takes over at once
                  }
                  operator.close();
                  if (client != null) {
                    client.close();
                  }
                  stopped.countDown();
                },
                "shutdown"));
    try {
      operator.start();
      if (election != null) {
        election.start();
      }
    } catch (PkiException e) {
      // Cluster mode without a working CA: refuse rather than stream private keys in plaintext.
      System.err.println("portcullis-operator: " + e.getMessage());
      System.exit(1);
    } catch (Exception e) {
      log().error("operator failed to start: {}", e.toString(), e);
      System.exit(1);
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Parses flags and environment; on a bad flag prints {@code portcullis-operator: <message>} as
   * one line to {@code err} and returns empty (the caller exits with status 2).
   */
  static Optional<OperatorOptions> parseOptions(
      String[] args, Map<String, String> env, PrintStream err) {
    try {
      return Optional.of(OperatorOptions.parse(args, env));
    } catch (Flags.FlagException e) {
      err.println("portcullis-operator: " + e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Cluster mode keeps the generated certificate in a Secret shared by all replicas; local mode
   * makes a throwaway one.
   */
  private static TlsCertificate generatedCertificate(OperatorOptions options, KubernetesClient client) {
    if (client == null) {
      return GeneratedCertificate.create(Instant.now());
    }
    return new GeneratedCertificateSecret(client, options.generatedCertificateSecret(),
            DefaultCertificate.GENERATED_NAME, Clock.systemUTC())
        .loadOrCreate(() -> GeneratedCertificate.create(Instant.now()));
  }

  /**
   * What our Ingresses show in {@code status.loadBalancer}: {@code --publish-address} wins over
   * {@code --publish-service}; neither leaves Ingress statuses alone. The Service needs an API
   * server, so local mode takes only fixed addresses (and logs them).
   */
  public static PublishedAddresses publishedAddresses(OperatorOptions options, KubernetesClient client) {
    if (!options.publishAddresses().isEmpty()) {
      return PublishedAddresses.fixed(options.publishAddresses());
    }
    if (options.publishService() != null && client != null) {
      return new ServiceAddresses(
          client, options.publishService().namespace(), options.publishService().name());
    }
    return PublishedAddresses.NONE;
  }

  private static LeaderElection leaderElection(KubernetesClient client, OperatorOptions options) {
    Map<String, String> env = System.getenv();
    return new LeaderElection(
        client,
        LeaderElection.namespaceFrom(env, client),
        LeaderElection.leaseName(options.ingressClass()),
        LeaderElection.identityFrom(env),
        LeaderElection.Timings.DEFAULT,
        new LeaderElection.Listener() {});
  }

  /**
   * The snapshot stream for these options: plaintext h2c in local mode (the options keep it on
   * loopback), mutually authenticated TLS with the operator's own CA in cluster mode.
   */
  public static StreamEndpoint.Factory streamServer(OperatorOptions options, KubernetesClient client) {
    return options.localMode()
        ? streamServer()
        : tlsStreamServer(client, options.controlChannel(), Clock.systemUTC());
  }

  /** Adapts the plaintext (h2c) snapshot stream server to the operator's seam. */
  public static StreamEndpoint.Factory streamServer() {
    return (store, bind) -> {
      StreamServer server = new StreamServer(store, bind);
      return new StreamEndpoint() {
        @Override
        public int start() {
          return server.start();
        }

        @Override
        public void close() {
          server.close();
        }
      };
    };
  }

  /**
   * The mTLS snapshot stream: on start, loads or creates the CA in its Secret and issues the
   * certificates ({@link PkiException} when that fails), then serves with the rotating context.
   */
  public static StreamEndpoint.Factory tlsStreamServer(
      KubernetesClient client, ControlChannelSettings settings, Clock clock) {
    return (store, bind) -> {
      ControlChannelPki pki = new ControlChannelPki(client, settings, clock);
      StreamServer server = StreamServer.withTls(
          store, bind, pki.serverContext(), StreamServer.DEFAULT_KEEPALIVE_MILLIS);
      return new StreamEndpoint() {
        @Override
        public int start() {
          pki.start();
          try {
            return server.start();
          } catch (RuntimeException e) {
            pki.close();
            throw e;
          }
        }

        @Override
        public void close() {
          server.close();
          pki.close();
        }
      };
    };
  }
}
