package io.portcullis.dataplane.proxy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * The socket layer the event loops run on: server and client channels of the same kind.
 *
 * <p>io_uring is the default where the kernel and the container runtime allow it: on the bench's
 * small keep-alive requests it took about a third less CPU per request than epoll (fewer system
 * calls: reads and writes of many connections go in one submission; see bench/README.md). Many
 * runtimes' default seccomp profiles forbid it, and then epoll serves, then NIO.
 */
public record Transport(
    String name,
    IoHandlerFactory ioHandlerFactory,
    Class<? extends ServerSocketChannel> serverChannel,
    Class<? extends SocketChannel> clientChannel) {

  /** The names {@link #named} accepts: {@code auto} is {@link #best}, then the rest by preference. */
  public static final List<String> NAMES = List.of("auto", "io_uring", "epoll", "nio");

  /** Decided once per process (the probe starts a thread and a ring); see {@link #choose}. */
  private static Transport best;

  private static final long PROBE_SECONDS = 5;

  /** io_uring where an io_uring event loop really runs here, else epoll, else NIO. */
  public static synchronized Transport best() {
    if (best == null) {
      best = choose();
    }
    return best;
  }

  private static Transport choose() {
    if (IoUring.isAvailable() && ioUringLoopRuns()) {
      return ioUring();
    }
    return Epoll.isAvailable() ? epoll() : nio();
  }

  /**
   * {@link IoUring#isAvailable} probes with a minimal ring; the event loops' rings are larger, and
   * on kernels that charge them to a small locked-memory limit (before 5.12) they can fail where
   * the probe passed. Running one task on a real io_uring loop tells for sure, and a failure falls
   * back to epoll instead of stopping the dataplane. (Not from a static initializer: the task
   * would wait for the class being initialized, and the probe for the task.)
   */
  private static boolean ioUringLoopRuns() {
    EventLoopGroup probe = null;
    try {
      probe = new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory());
      probe.submit(() -> { }).get(PROBE_SECONDS, TimeUnit.SECONDS);
      return true;
    } catch (Exception | LinkageError e) {
      LoggerFactory.getLogger(Transport.class)
          .warn("io_uring is present but an event loop cannot run on it ({}); using epoll", e.toString());
      return false;
    } finally {
      if (probe != null) {
        probe.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      }
    }
  }

  /**
   * The transport called {@code name}.
   *
   * @throws IllegalArgumentException for an unknown name, or one this platform cannot run (the
   *     message says why: the native library's own reason)
   */
  public static Transport named(String name) {
    switch (name) {
      case "auto" -> {
        return best();
      }
      case "epoll" -> {
        if (!Epoll.isAvailable()) {
          throw new IllegalArgumentException(
              "epoll is not available here: " + Epoll.unavailabilityCause().getMessage());
        }
        return epoll();
      }
      case "io_uring" -> {
        if (!IoUring.isAvailable()) {
          throw new IllegalArgumentException(
              "io_uring is not available here: " + IoUring.unavailabilityCause().getMessage());
        }
        return ioUring();
      }
      case "nio" -> {
        return nio();
      }
      default -> throw new IllegalArgumentException(
          "'" + name + "' is not one of " + String.join(", ", NAMES));
    }
  }

  private static Transport ioUring() {
    return new Transport(
        "io_uring",
        IoUringIoHandler.newFactory(),
        IoUringServerSocketChannel.class,
        IoUringSocketChannel.class);
  }

  private static Transport epoll() {
    return new Transport(
        "epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class);
  }

  private static Transport nio() {
    return new Transport(
        "nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
  }
}
