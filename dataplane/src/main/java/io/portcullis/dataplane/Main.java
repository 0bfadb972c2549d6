package io.portcullis.dataplane;

import io.netty.util.ResourceLeakDetector;
import io.portcullis.cli.Flags.FlagException;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar portcullis-dataplane.jar --control-plane URL [flags]}: parses the flags (one
 * line on stderr and exit 2 when one is wrong), starts a {@link Dataplane} and stops it cleanly on
 * SIGTERM or Ctrl-C.
 */
public final class Main {
  static final String PROGRAM = "portcullis-dataplane";

  /** Exit code for a bad command line, as for the operator. */
  static final int EXIT_USAGE = 2;

  /** Exit code when a part cannot start (port taken, ...). */
  static final int EXIT_START_FAILED = 1;

  /** Counted down by the shutdown hook once the dataplane is closed. */
  private static final CountDownLatch STOPPED = new CountDownLatch(1);

  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    disableLeakDetectionUnlessAsked();
    int exit = run(args, System.getenv(), System.out, System.err);
    if (exit >= 0) {
      System.exit(exit);
    }
    // Hold the main thread until SIGTERM has closed everything, whatever kind of threads the
    // parts run on.
    STOPPED.await();
  }

  /**
   * Netty samples about one buffer allocation in 128 for leak tracking unless told otherwise, and
   * each sample records a stack trace: about 2% of the CPU of a small proxied request. Leaks are
   * hunted in tests (PARANOID there) and on demand with {@code -Dio.netty.leakDetection.level},
   * so a production process does not pay for it by default.
   */
  static void disableLeakDetectionUnlessAsked() {
    if (System.getProperty("io.netty.leakDetection.level") == null
        && System.getProperty("io.netty.leakDetectionLevel") == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
  }

  /**
   * Parses and starts.
   *
   * @return an exit code to exit with now, or -1 when the dataplane is running
   */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (DataplaneOptions.wantsHelp(args)) {
      out.print(DataplaneOptions.USAGE);
      return 0;
    }
    DataplaneOptions options;
    try {
      options = DataplaneOptions.parse(args, env);
    } catch (FlagException e) {
      err.println(PROGRAM + ": " + e.getMessage());
      return EXIT_USAGE;
    }
    // slf4j-simple reads its level once, when the first logger is created: set it before that.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", options.logLevel());
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    Dataplane dataplane;
    try {
      dataplane = Dataplane.start(options);
    } catch (Exception e) {
      err.println(PROGRAM + ": " + e.getMessage());
      return EXIT_START_FAILED;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  org.slf4j.LoggerFactory.getLogger(Main.class).info("stopping");
                  // Kubernetes sends SIGTERM as it removes the pod from Services: drain, then exit.
                  dataplane.drain();
                  STOPPED.countDown();
                },
                PROGRAM + "-shutdown"));
    org.slf4j.LoggerFactory.getLogger(Main.class)
        .info(
            "dataplane {} started: http {}:{}, admin {}:{}, https {}:{}, control plane {}",
            options.nodeId(),
            options.bindAddress(),
            dataplane.httpPort(),
            options.bindAddress(),
            dataplane.adminPort(),
            options.bindAddress(),
            dataplane.httpsPort(),
            options.controlPlane());
    return -1;
  }
}
