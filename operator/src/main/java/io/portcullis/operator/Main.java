package io.portcullis.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.portcullis.operator.compile.Compiler;
import io.portcullis.operator.compile.CompilerSettings.DefaultCertificate;
import io.portcullis.operator.compile.IncrementalCompiler;
import io.portcullis.operator.pki.ControlChannelPki;
import io.portcullis.operator.pki.ControlChannelSettings;
import io.portcullis.operator.pki.PkiException;
import io.portcullis.operator.tls.GeneratedCertificate;
import io.portcullis.operator.tls.PeriodicRecompile;
import io.portcullis.operator.source.ManifestsSource;
import io.portcullis.operator.status.LoggingStatusSink;
import io.portcullis.operator.status.PublishedAddresses;
import io.portcullis.operator.status.ServiceAddresses;
import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.operator.stream.StreamServer;
import io.portcullis.cli.Flags;
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
    if (args.length > 0 && args[0].equals(NginxCompatReport.COMMAND)) {
      System.exit(NginxCompatReport.run(
          java.util.Arrays.copyOfRange(args, 1, args.length), System.getenv(), System.out, System.err));
      return;
    }
    if (OperatorOptions.wantsHelp(args)) {
      System.out.print(OperatorOptions.USAGE);
      System.exit(0);
      return;
    }
    Optional<OperatorOptions> parsed = parseOptions(args, System.getenv(), System.err);
    if (parsed.isEmpty()) {
      System.exit(2);
      return;
    }
    OperatorOptions options = parsed.get();
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", options.logLevel());
    if (!options.localMode()) {
      Optional<String> unreachable = ApiServerCheck.check(Config.autoConfigure(null), System.getenv());
      if (unreachable.isPresent()) {
        System.err.println("portcullis-operator: " + unreachable.get());
        System.exit(1);
        return;
      }
    }
    AutoCloseable running;
    try {
      running = options.localMode() ? startLocal(options) : startInCluster(options);
    } catch (PkiException e) {
      // Cluster mode without a working CA: refuse rather than stream private keys in plaintext.
      System.err.println("portcullis-operator: " + e.getMessage());
      System.exit(1);
      return;
    } catch (Exception e) {
      log().error("operator failed to start: {}", e.toString(), e);
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log().info("shutting down");
                  try {
                    running.close(); // a leader releases its Lease first: another takes over at once
                  } catch (Exception e) {
                    log().warn("shutdown: {}", e.toString());
                  }
                  stopped.countDown();
                },
                "shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Local mode: a manifests directory, statuses to the log, plaintext h2c on loopback. */
  private static AutoCloseable startLocal(OperatorOptions options) throws Exception {
    DefaultCertificate defaultCertificate =
        new DefaultCertificate(options.defaultCertificate(), GeneratedCertificate.create(Instant.now()));
    IncrementalCompiler compiler = new IncrementalCompiler(
        new Compiler(options.compilerSettings().withDefaultCertificate(defaultCertificate)));
    // What the user must fix goes to stdout (the terminal run-local.sh shows) and to the log; in a
    // cluster it goes to statuses and Events.
    ManifestsSource manifests = new ManifestsSource(
        options.manifests(), ManifestsSource.DEFAULT_POLL_INTERVAL, Main::reportProblem);
    Operator operator = new Operator(options,
        new PeriodicRecompile(manifests, PeriodicRecompile.DEFAULT_PERIOD),
        new LoggingStatusSink(manifests::locate, System.out::println),
        state -> compiler.apply(state.withNow(Instant.now())), new SnapshotStore(),
        streamServer(options, null));
    operator.publishAddresses(publishedAddresses(options, null));
    operator.start();
    return operator;
  }

  /** One line the user must read: on stdout for the terminal, and in the log. */
  private static void reportProblem(String line) {
    System.out.println(line);
    log().warn("{}", line);
  }

  /** Cluster mode: see {@link ClusterOperator}. */
  private static AutoCloseable startInCluster(OperatorOptions options) throws Exception {
    KubernetesClient client = new KubernetesClientBuilder().build();
    try {
      ClusterOperator operator =
          new ClusterOperator(options, client, System.getenv(), ClusterOperator.Timings.DEFAULT);
      operator.start();
      return () -> {
        operator.close();
        client.close();
      };
    } catch (Exception e) {
      client.close();
      throw e;
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
